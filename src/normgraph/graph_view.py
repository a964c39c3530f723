"""Named graphs of an Oxigraph store, read through the few rdflib ``Graph`` methods the checks
after validation use, so they never need an rdflib copy of a large tree.

The evidence-anchor check (:func:`normgraph.evidence.anchor_results`), typo hints and result
locations (:mod:`normgraph.hints`) read a graph through ``objects``, ``subjects``,
``subject_predicates`` and ``in``. An rdflib ``Graph`` has them; so does :class:`StoreView`,
over the graphs a validation sees. A million-triple tree in rdflib takes gigabytes and tens of
seconds to build; the view answers from the store, one predicate at a time, in terms the
validator converts back (:class:`normgraph.validate.GraphUnderTest`).

Literals come back as the store holds them: Oxigraph keeps some typed literals in canonical form
(``"07"^^xsd:integer`` reads back as ``"7"``), which the checks that read through a view tolerate
(anchor offsets are compared as numbers).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Protocol

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.term import Node

from .terms import to_oxigraph


class GraphLike(Protocol):
    """What the checks after validation read a graph through: an rdflib ``Graph`` or a
    :class:`StoreView`."""

    def objects(self, subject: Node, predicate: URIRef) -> Iterator[Node]: ...

    def subjects(self, predicate: URIRef, obj: Node | None = None) -> Iterator[Node]: ...

    def subject_predicates(self, obj: Node) -> Iterator[tuple[Node, Node]]: ...

    def __contains__(self, triple: tuple[Node, Node, Node]) -> bool: ...


class StoreView:
    """The union of ``graphs`` in ``store``, read-only, in rdflib terms (``back`` converts a
    store term). Each predicate asked for is read once, in both directions."""

    def __init__(self, store: ox.Store, graphs: Sequence[ox.NamedNode], back: Callable[[object], Node]):
        self._store = store
        self._graphs = list(graphs)
        self._back = back
        self._forward: dict[URIRef, dict[Node, list[Node]]] = {}
        self._reverse: dict[URIRef, dict[Node, list[Node]]] = {}

    def _read(self, predicate: URIRef) -> None:
        if predicate in self._forward:
            return
        forward: dict[Node, list[Node]] = {}
        reverse: dict[Node, list[Node]] = {}
        back = self._back
        seen: set[tuple[object, object]] = set()
        for graph in self._graphs:
            for quad in self._store.quads_for_pattern(None, ox.NamedNode(str(predicate)), None, graph):
                pair = (quad.subject, quad.object)
                if pair in seen:  # the same statement in two graphs is one statement
                    continue
                seen.add(pair)
                subject, obj = back(quad.subject), back(quad.object)
                forward.setdefault(subject, []).append(obj)
                reverse.setdefault(obj, []).append(subject)
        self._forward[predicate] = forward
        self._reverse[predicate] = reverse

    def objects(self, subject: Node, predicate: URIRef) -> Iterator[Node]:
        self._read(predicate)
        return iter(self._forward[predicate].get(subject, ()))

    def subjects(self, predicate: URIRef, obj: Node | None = None) -> Iterator[Node]:
        self._read(predicate)
        if obj is None:
            return iter(list(dict.fromkeys(self._forward[predicate])))
        return iter(self._reverse[predicate].get(obj, ()))

    def __contains__(self, triple: tuple[Node, Node, Node]) -> bool:
        subject, predicate, obj = triple
        return obj in self.objects(subject, predicate)  # type: ignore[arg-type]

    def subject_predicates(self, obj: Node) -> Iterator[tuple[Node, Node]]:
        """The statements that refer to ``obj``: few, so read from the store each time."""
        try:
            term = to_oxigraph(obj)
        except TypeError:
            return iter(())
        found = dict.fromkeys(
            (self._back(quad.subject), self._back(quad.predicate))
            for graph in self._graphs
            for quad in self._store.quads_for_pattern(None, None, term, graph)
        )
        return iter(list(found))
