"""What the graph holds: counts per class and membership role, claims per source, and how much
of it is backed by claims.

The backing share comes from the rules themselves (:func:`normgraph.rules.census` over the
rules tagged ``sourced-fact``): a sourced fact is what those rules check, and it is backed when
it passes them, so ``stats`` can never count differently from the gate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rdflib import Graph

from .load import GRAPHS, Parts
from .namespaces import PREFIXES
from .rules import Rule, census

#: The tag of the rules whose cases are the sourced facts.
SOURCED_FACT = "sourced-fact"

_PREFIXES = "\n".join(f"PREFIX {prefix}: <{uri}>" for prefix, uri in PREFIXES.items())

_CLASSES = _PREFIXES + """
SELECT ?class (COUNT(DISTINCT ?s) AS ?n)
WHERE { ?s a ?class . FILTER (STRSTARTS(STR(?s), "https://w3id.org/normgraph/id/")) }
GROUP BY ?class ORDER BY DESC(?n) ?class
"""

_ROLES = _PREFIXES + """
SELECT ?role (COUNT(DISTINCT ?m) AS ?n)
WHERE { ?m a org:Membership ; org:role ?role . }
GROUP BY ?role ORDER BY DESC(?n) ?role
"""

_CLAIMS_PER_SOURCE = _PREFIXES + """
SELECT ?source (COUNT(DISTINCT ?c) AS ?n)
WHERE { ?c a ng:Claim ; dcterms:source ?source . }
GROUP BY ?source ORDER BY ?source
"""

@dataclass
class Stats:
    classes: list[tuple[str, int]]
    membership_roles: list[tuple[str, int]]
    claims_per_source: list[tuple[str, int]]
    sourced_facts: int
    backed_facts: int
    triples: int

    @property
    def backed_share(self) -> float:
        return 100.0 * self.backed_facts / self.sourced_facts if self.sourced_facts else 100.0


def _pairs(graph: Graph, query: str) -> list[tuple[str, int]]:
    return [(row[0].n3(graph.namespace_manager), int(row[1])) for row in graph.query(query)]


def compute(parts: Parts, rules: Sequence[Rule]) -> Stats:
    """Count what the tree in ``parts`` holds (ontology + vocabularies + data)."""
    graph = parts.union()
    sourced, backed = census(parts.store, rules, SOURCED_FACT, [GRAPHS["ontology"], GRAPHS["data"]])
    return Stats(
        classes=_pairs(graph, _CLASSES),
        membership_roles=_pairs(graph, _ROLES),
        claims_per_source=_pairs(graph, _CLAIMS_PER_SOURCE),
        sourced_facts=sourced,
        backed_facts=backed,
        triples=len(graph),
    )
