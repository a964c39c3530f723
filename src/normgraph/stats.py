"""What the graph holds: counts per class and membership role, claims per source, and how much
of it is backed by claims."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph

from .namespaces import PREFIXES

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

# A sourced fact is an n-ary node of one of these classes, or a shortcut triple that a check ties
# to such a node. Both are counted, and each is backed when a claim supports the node.
_NODES = _PREFIXES + """
SELECT (COUNT(DISTINCT ?node) AS ?total) (COUNT(DISTINCT ?backed) AS ?supported)
WHERE {
  VALUES ?class { org:Membership ng:NormStance ng:RoleAttribution ng:Event ng:Figure ng:OfficeHolding }
  ?node a ?class .
  OPTIONAL { ?claim a ng:Claim ; ng:supports ?node . BIND(?node AS ?backed) }
}
"""

_SHORTCUTS = _PREFIXES + """
SELECT (COUNT(*) AS ?total) (SUM(?ok) AS ?supported)
WHERE {
  {
    VALUES (?p ?type) { (ng:endorses stance:endorses) (ng:promotes stance:promotes) (ng:challenges stance:challenges) }
    ?h ?p ?o .
    BIND(IF(EXISTS { ?n ng:holder ?h ; ng:norm ?o ; ng:stanceType ?type . ?c ng:supports ?n }, 1, 0) AS ?ok)
  } UNION {
    ?h ng:hasRoleConception ?o .
    BIND(IF(EXISTS { ?n ng:holder ?h ; ng:roleConception ?o . ?c ng:supports ?n }, 1, 0) AS ?ok)
  } UNION {
    VALUES (?p ?link) { (ng:createdOnBasisOf ng:basis) (ng:hasPredecessor ng:predecessor) }
    ?h ?p ?o .
    BIND(IF(EXISTS { ?e ng:createdOrganisation ?h ; ?link ?o . ?c ng:supports ?e }, 1, 0) AS ?ok)
  }
}
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


def _totals(graph: Graph, query: str) -> tuple[int, int]:
    row = next(iter(graph.query(query)))
    return int(row[0] or 0), int(row[1] or 0)


def compute(graph: Graph) -> Stats:
    """Count what ``graph`` (ontology + vocabularies + data) holds."""
    nodes, nodes_backed = _totals(graph, _NODES)
    shortcuts, shortcuts_backed = _totals(graph, _SHORTCUTS)
    return Stats(
        classes=_pairs(graph, _CLASSES),
        membership_roles=_pairs(graph, _ROLES),
        claims_per_source=_pairs(graph, _CLAIMS_PER_SOURCE),
        sourced_facts=nodes + shortcuts,
        backed_facts=nodes_backed + shortcuts_backed,
        triples=len(graph),
    )
