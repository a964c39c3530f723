"""What a graph holds, counted for people: organisations, states, sources, claims and the facts
they support. The release's index page states it (:func:`normgraph.docs.index_page`)."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS

from .entities import name_of
from .namespaces import NG, ORG


@dataclass(frozen=True)
class Holdings:
    """Counts and named lists: (IRI, name) pairs sorted by name."""

    organisations: tuple[tuple[str, str], ...]
    states: tuple[tuple[str, str], ...]
    sources: tuple[tuple[str, str], ...]
    claims: int
    facts: tuple[tuple[str, int], ...]  # (kind of fact, how many)


#: The fact classes counted, with the words the page uses.
_FACTS = (
    (ORG.Membership, "memberships and other statuses in organisations"),
    (NG.NormStance, "stances towards norms"),
    (NG.RoleAttribution, "national role conceptions attributed"),
    (NG.Event, "events"),
    (NG.Figure, "quantitative figures"),
    (NG.OfficeHolding, "offices held"),
    (NG.Agreement, "agreements"),
)


def _instances(graph: Graph, cls: URIRef) -> tuple[tuple[str, str], ...]:
    """Named instances of ``cls`` or of any of its subclasses (asserted, transitively)."""
    classes = set(graph.transitive_subjects(RDFS.subClassOf, cls))
    found = {s for c in classes for s in graph.subjects(RDF.type, c) if isinstance(s, URIRef)}
    return tuple(sorted(((str(s), name_of(graph, s)) for s in found), key=lambda pair: (pair[1].casefold(), pair[0])))


def holdings(graph: Graph) -> Holdings:
    """Count what ``graph`` (ontology and data) holds."""
    supported = set(graph.objects(None, NG.supports))
    facts = tuple((words, sum(1 for s in graph.subjects(RDF.type, cls) if s in supported)) for cls, words in _FACTS)
    return Holdings(
        organisations=_instances(graph, NG.Organisation),
        states=_instances(graph, NG.State),
        sources=_instances(graph, NG.SourceText),
        claims=len(set(graph.subjects(RDF.type, NG.Claim))),
        facts=facts,
    )
