"""The two SPARQL engines behind one interface, and the answer they both give.

:class:`RdflibEngine` (the reference) and :class:`OxigraphEngine` (the fast default) return the
same :class:`QueryResult` of light :class:`~normgraph.terms.Term` tuples. Engines differ in
details the SPARQL standard leaves open: an Oxigraph ``Store`` keeps numbers in canonical form
(``"5"^^xsd:nonNegativeInteger`` comes back as ``"5"^^xsd:integer``, ``"15.0"^^xsd:decimal`` as
``"15"``); :func:`comparable` maps a result to a form in which such differences vanish, so two
engines' answers can be compared as sets.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import XSD
from rdflib.plugins.sparql.evaluate import evalQuery

from .errors import InputError, UsageError
from .namespaces import bind_prefixes
from .query_options import DEFAULT_ENGINE, ENGINES
from .sparql_check import PreparedQuery
from .terms import Row, Term, from_oxigraph, to_oxigraph


@dataclass(frozen=True)
class QueryResult:
    """The answer to a query, whichever engine computed it.

    SELECT: ``variables`` and ``rows`` (``None`` where a variable is unbound); ASK: ``boolean``;
    CONSTRUCT and DESCRIBE: ``triples``. ``truncated`` says the row cap cut the answer short.
    """

    form: str
    variables: tuple[str, ...] = ()
    rows: tuple[Row, ...] = ()
    boolean: bool | None = None
    triples: tuple[tuple[Term, Term, Term], ...] = ()
    truncated: bool = False

    def graph(self) -> Graph:
        """CONSTRUCT and DESCRIBE results as an rdflib graph."""
        graph = bind_prefixes(Graph())
        for subject, predicate, obj in self.triples:
            graph.add((subject.to_rdflib(), predicate.to_rdflib(), obj.to_rdflib()))
        return graph

    def dicts(self) -> list[dict[str, Term]]:
        """The rows as ``{variable: term}`` with unbound variables left out."""
        return [{v: t for v, t in zip(self.variables, row) if t is not None} for row in self.rows]


_INTEGER_TYPES = {
    str(XSD) + name
    for name in (
        "integer", "nonNegativeInteger", "nonPositiveInteger", "negativeInteger", "positiveInteger", "long", "int",
        "short", "byte", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte",
    )
}
_FLOAT_TYPES = {str(XSD.double), str(XSD.float)}


def comparable(term: Term | None) -> object:
    """A key under which engine-specific spellings of the same term are equal.

    Numbers compare by value within their family (any xsd integer type, xsd:decimal, and
    xsd:double/float), because an Oxigraph store keeps them in canonical form
    (``"5"^^xsd:nonNegativeInteger`` becomes ``"5"^^xsd:integer``, ``"15.0"`` becomes ``"15"``);
    blank nodes compare equal to each other, as their labels are arbitrary.
    """
    if term is None:
        return None
    if term.kind == "bnode":
        return ("bnode",)
    if term.kind == "literal":
        try:
            if term.datatype in _INTEGER_TYPES:
                return ("integer", int(term.value.strip()))
            if term.datatype == str(XSD.decimal):
                return ("decimal", Decimal(term.value.strip()).normalize())
            if term.datatype in _FLOAT_TYPES:
                return ("double", float(term.value.strip()))
        except (ValueError, InvalidOperation):
            pass
        return ("literal", term.value, term.datatype, term.language)
    return ("iri", term.value)


def comparable_result(result: QueryResult) -> object:
    """The whole result under :func:`comparable`: rows and triples as multisets."""
    if result.form == "ASK":
        return ("ASK", result.boolean)
    if result.form == "SELECT":
        rows = Counter(tuple(sorted((v, comparable(t)) for v, t in row.items())) for row in result.dicts())
        return ("SELECT", tuple(result.variables), rows)
    return (result.form, Counter(tuple(comparable(t) for t in triple) for triple in result.triples))


class Engine(Protocol):
    """What the query runner needs from an engine: answer a prepared query, and look up the
    objects of one subject and predicate (for labels)."""

    name: str

    def run(self, query: PreparedQuery, max_rows: int) -> QueryResult: ...

    def objects(self, subject: str, predicate: str) -> list[Term]: ...


def _cap(items: Iterable, max_rows: int) -> tuple[list, bool]:
    taken = []
    for item in items:
        if len(taken) == max_rows:
            return taken, True
        taken.append(item)
    return taken, False


class RdflibEngine:
    """rdflib's own SPARQL evaluator over an in-memory graph: the reference engine.

    The graph is a plain :class:`rdflib.Graph`, not a dataset, so rdflib has no dataset to load
    ``FROM`` graphs into even if one reached it.
    """

    name = "rdflib"

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    def __getstate__(self) -> dict:
        return {"nt": self.graph.serialize(format="nt", encoding="utf-8")}

    def __setstate__(self, state: dict) -> None:
        self.graph = Graph()
        self.graph.parse(data=state["nt"], format="nt")

    def run(self, query: PreparedQuery, max_rows: int) -> QueryResult:
        answer = evalQuery(self.graph, query.algebra(), {})
        kind = answer["type_"]
        if kind == "ASK":
            return QueryResult("ASK", boolean=bool(answer["askAnswer"]))
        convert = Term.from_rdflib
        if kind in ("CONSTRUCT", "DESCRIBE"):
            triples, truncated = _cap(answer["graph"], max_rows)
            return QueryResult(kind, triples=tuple(tuple(map(convert, t)) for t in triples), truncated=truncated)
        solutions, truncated = _cap(answer["bindings"], max_rows)
        names = answer["vars_"]
        rows = tuple(tuple(None if (value := s.get(v)) is None else convert(value) for v in names) for s in solutions)
        return QueryResult("SELECT", tuple(str(v) for v in names), rows, truncated=truncated)

    def objects(self, subject: str, predicate: str) -> list[Term]:
        return [Term.from_rdflib(o) for o in self.graph.objects(URIRef(subject), URIRef(predicate))]


class OxigraphEngine:
    """Oxigraph's SPARQL engine (Rust, via pyoxigraph): the fast engine, over an in-memory store
    or over a tree's store on disk (:meth:`on_disk`, see :mod:`normgraph.store`).

    The store keeps numbers in canonical form (see :func:`comparable`).
    """

    name = "oxigraph"

    def __init__(self, store: ox.Store | None = None, *, path: Path | None = None) -> None:
        self._store = store
        self._path = path
        self._opened_in = os.getpid()

    @classmethod
    def from_graph(cls, graph: Graph) -> OxigraphEngine:
        store = ox.Store()
        store.bulk_extend(ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in graph)
        return cls(store)

    @classmethod
    def on_disk(cls, path: Path) -> OxigraphEngine:
        """An engine over the store at ``path``, opened read-only on first use in each process
        (a worker forked from this one opens its own handle rather than share the parent's)."""
        return cls(path=path)

    @property
    def store(self) -> ox.Store:
        if self._path is not None and (self._store is None or self._opened_in != os.getpid()):
            from .store import open_read_only  # noqa: PLC0415 - the store module loads the loader

            self._store = open_read_only(self._path)
            self._opened_in = os.getpid()
        assert self._store is not None
        return self._store

    def __getstate__(self) -> dict:
        if self._path is not None:
            return {"path": str(self._path)}
        return {"nq": self.store.dump(format=ox.RdfFormat.N_QUADS)}

    def __setstate__(self, state: dict) -> None:
        self._opened_in = os.getpid()
        if "path" in state:
            self._store, self._path = None, Path(state["path"])
            return
        self._path = None
        self._store = ox.Store()
        self._store.load(state["nq"], format=ox.RdfFormat.N_QUADS)

    def run(self, query: PreparedQuery, max_rows: int) -> QueryResult:
        try:
            answer = self.store.query(query.text, prefixes=dict(query.prefixes) or None)
        except SyntaxError as exc:
            raise InputError(query.origin, f"SPARQL syntax error (Oxigraph): {exc}") from None
        if isinstance(answer, ox.QueryBoolean):
            return QueryResult("ASK", boolean=bool(answer))
        if isinstance(answer, ox.QueryTriples):
            triples, truncated = _cap(answer, max_rows)
            converted = tuple((from_oxigraph(t.subject), from_oxigraph(t.predicate), from_oxigraph(t.object)) for t in triples)
            return QueryResult(query.form, triples=converted, truncated=truncated)
        variables = [v.value for v in answer.variables]
        solutions, truncated = _cap(answer, max_rows)
        width = range(len(variables))
        rows = tuple(tuple(None if (value := solution[i]) is None else from_oxigraph(value) for i in width) for solution in solutions)
        return QueryResult("SELECT", tuple(variables), rows, truncated=truncated)

    def objects(self, subject: str, predicate: str) -> list[Term]:
        quads = self.store.quads_for_pattern(ox.NamedNode(subject), ox.NamedNode(predicate), None, ox.DefaultGraph())
        return [from_oxigraph(quad.object) for quad in quads]


def make_engine(graph: Graph, name: str = DEFAULT_ENGINE) -> Engine:
    """An engine called ``name`` (``oxigraph`` or ``rdflib``) over ``graph``."""
    if name == "rdflib":
        return RdflibEngine(graph)
    if name == "oxigraph":
        return OxigraphEngine.from_graph(graph)
    raise UsageError(f"unknown engine {name!r} (choose from {', '.join(ENGINES)})")
