"""What the graph holds: counts per class and membership role, claims per source, and how much
of it is backed by claims.

The backing share comes from the gate's own rules, never from a second query: the sourced facts
are the nodes ``ngsh:SupportedByClaim`` targets (read from that shape), the unbacked ones are those
it reports, and the unbacked shortcut triples are what ``ngsh:ShortcutBackedShape`` reports. So
``stats`` can never count differently from ``validate``, ``check`` and ``publish``.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph

from rdflib.namespace import SH

from .display import NGSH
from .load import GRAPHS
from .namespaces import PREFIXES
from .validate import Tree
from .validation_report import Report

#: The shape that requires a claim behind every fact-bearing node; its targets are the sourced facts.
BACKING_SHAPE = NGSH.SupportedByClaim
#: The shape that requires a supported node behind every shortcut triple.
SHORTCUT_SHAPE = NGSH.ShortcutBackedShape

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
    unbacked_shortcuts: int
    triples: int

    @property
    def backed_share(self) -> float:
        return 100.0 * self.backed_facts / self.sourced_facts if self.sourced_facts else 100.0


def _pairs(graph: Graph, query: str) -> list[tuple[str, int]]:
    return [(row[0].n3(graph.namespace_manager), int(row[1])) for row in graph.query(query)]


def _targets(tree: Tree, shape: object) -> int:
    """How many nodes ``shape`` targets through ``sh:targetClass``, its own or that of the node
    shapes that hold it (``sh:property``); instances of subclasses count; over ontology + data."""
    shapes = tree.parts.shapes
    owners = [shape, *shapes.subjects(SH.property, shape)]  # type: ignore[arg-type]
    classes = " ".join(sorted({f"<{c}>" for owner in owners for c in shapes.objects(owner, SH.targetClass)}))
    if not classes:
        return 0
    query = f"""SELECT (COUNT(DISTINCT ?this) AS ?n) WHERE {{
        VALUES ?class {{ {classes} }}
        ?this <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* ?class }}"""
    rows = tree.parts.store.query(query, default_graph=[GRAPHS["ontology"], GRAPHS["data"]])
    return int(next(iter(rows))["n"].value)  # type: ignore[call-overload, union-attr]


def compute(tree: Tree, report: Report) -> Stats:
    """Count what ``tree`` holds (ontology + vocabularies + data); ``report`` is the gate's
    report on it (:func:`normgraph.gate.tree_report`)."""
    graph = tree.parts.union()
    sourced = _targets(tree, BACKING_SHAPE)
    unbacked = {r.focus for r in report.results if r.shape == BACKING_SHAPE}
    return Stats(
        classes=_pairs(graph, _CLASSES),
        membership_roles=_pairs(graph, _ROLES),
        claims_per_source=_pairs(graph, _CLAIMS_PER_SOURCE),
        sourced_facts=sourced,
        backed_facts=sourced - len(unbacked),
        unbacked_shortcuts=sum(1 for r in report.results if r.shape == SHORTCUT_SHAPE),
        triples=len(graph),
    )
