"""OWL-RL reasoning: the closure of ontology + data, and the inconsistencies it reveals.

The ontology reuses W3C ORG, PROV-O, SKOS, Web Annotation, dcterms, BIBO and FOAF. Their axioms
(PROV-O's disjoint prov:Activity and prov:Entity, ORG's disjoint org:Organization and org:Role,
SKOS's disjoint concept and concept scheme ...) are part of what the data means, so a consistency
check without them proves little. Pinned copies of these vocabularies travel inside the package
(``reused_vocabularies/``, listed by :func:`normgraph.layout.reused_vocabulary_files`) and every
closure here reasons with their axioms; nothing is fetched at run time.

owlrl never raises on an inconsistency (an individual in two disjoint classes, say); it adds
``err:ErrorMessage`` nodes to the graph. :func:`inconsistencies` runs the closure on a copy and
returns those messages so callers can fail loudly.
"""

from __future__ import annotations

from functools import cache

import owlrl
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD
from rdflib.term import _toPythonMapping

from .layout import reused_vocabulary_files
from .load import parse_files
from .namespaces import bind_prefixes

ERR = owlrl.Namespaces.ERRNS

#: owlrl looks triples up millions of times; rdflib's context-free store answers those lookups
#: about twice as fast as its default one, which also tracks named graphs.
_STORE = "SimpleMemory"

#: RDF, RDFS and OWL predicates that document a term rather than say anything about it.
_DOCUMENTATION = frozenset({RDFS.label, RDFS.comment, RDFS.seeAlso, RDFS.isDefinedBy, OWL.versionInfo})
_LOGICAL_NAMESPACES = (str(RDF), str(RDFS), str(OWL))
_BUILT_IN_NAMESPACES = (*_LOGICAL_NAMESPACES, str(XSD))


def _expanded(*graphs: Graph) -> Graph:
    """A new graph holding ``graphs`` and their OWL-RL closure.

    owlrl swaps rdflib's process-wide table of lexical conversions for its own stricter one and
    leaves it there, so every literal built afterwards (in validation too) would be judged by other
    rules than before: "sometime"^^xsd:gYear, say, becomes ill-typed only once a closure has run.
    The table is put back as it was, so a report never depends on what ran before it.
    """
    expanded = bind_prefixes(Graph(store=_STORE))
    for graph in graphs:
        expanded += graph
    conversions = dict(_toPythonMapping)
    try:
        owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(expanded)
    finally:
        _toPythonMapping.clear()
        _toPythonMapping.update(conversions)
    return expanded


def is_axiom(predicate) -> bool:
    """Whether a vocabulary triple with this predicate is an RDF, RDFS or OWL axiom (a type, a
    sub-class, a domain, a disjointness, a list cell ...) rather than documentation (labels,
    definitions, notes, dates, editorial status)."""
    return str(predicate).startswith(_LOGICAL_NAMESPACES) and predicate not in _DOCUMENTATION


@cache
def reused_vocabularies() -> Graph:
    """The axioms of the pinned vocabulary copies, parsed once per process. Do not modify.

    The files are kept whole; the reasoner gets only their RDF, RDFS and OWL axioms. The rest
    (labels, comments, definitions, term status, dates, their authors' names) describes the
    vocabularies and their authors, not normgraph's terms or data, and leaving it out makes every
    closure about a third faster.
    """
    axioms = Graph(store=_STORE)
    for triple in parse_files(reused_vocabulary_files()):
        if is_axiom(triple[1]):
            axioms.add(triple)
    return axioms


def _built_in(node) -> bool:
    return isinstance(node, URIRef) and str(node).startswith(_BUILT_IN_NAMESPACES)


@cache
def _vocabulary_terms() -> frozenset:
    """The terms and blank nodes of the reused vocabularies, less RDF, RDFS, OWL and XSD's own
    (``owl:Thing``, ``xsd:date`` ... are everyone's)."""
    return frozenset(
        node for triple in reused_vocabularies() for node in triple if isinstance(node, (URIRef, BNode)) and not _built_in(node)
    )


def _about_the_vocabularies(triple: tuple, theirs: frozenset) -> bool:
    """Whether a triple describes a reused vocabulary rather than normgraph's terms or data: its
    subject is one of their terms, or a built-in (``owl:Nothing``) said to relate to one, or it
    mentions one of their blank nodes (restrictions, unions, lists)."""
    subject, _, obj = triple
    if subject in theirs or any(isinstance(node, BNode) and node in theirs for node in triple):
        return True
    return _built_in(subject) and obj in theirs


def closure(graph: Graph) -> Graph:
    """Return a new graph holding ``graph`` and its OWL-RL closure under the reused vocabularies.

    The vocabularies take part in the reasoning but not in the result: every triple that
    ``graph`` does not assert and that describes one of their terms is left out, so the closure
    describes normgraph's terms and data, and a release built from it carries no third-party
    vocabulary. Entailments about our data that follow from their axioms (a claim is a
    ``prov:Entity``) stay.
    """
    expanded = _expanded(graph, reused_vocabularies())
    theirs = _vocabulary_terms()
    foreign = [triple for triple in expanded if _about_the_vocabularies(triple, theirs) and triple not in graph]
    for triple in foreign:
        expanded.remove(triple)
    return expanded


def error_messages(expanded: Graph) -> list[str]:
    """The messages of the ``err:ErrorMessage`` nodes owlrl added, sorted for stable output."""
    messages = []
    for node in expanded.subjects(RDF.type, ERR.ErrorMessage):
        for text in expanded.objects(node, ERR.error):
            messages.append(str(text) if isinstance(text, Literal) else text.n3())
    return sorted(messages)


def inconsistencies(graph: Graph) -> list[str]:
    """Run the OWL-RL closure over ``graph`` (not modified) with the reused vocabularies and
    return any inconsistency. (It skips :func:`closure`'s pruning, which only shapes output.)"""
    return error_messages(_expanded(graph, reused_vocabularies()))
