"""Validate the data, or a contribution to it, against the SHACL shapes in ``shapes/``.

Two engines share the work, each doing what it does fast:

* **core shapes** (cardinalities, datatypes, classes, patterns ...) are compiled into SPARQL
  queries, each run once over all focus nodes on the Oxigraph store holding the ontology, the
  vocabularies and the data (:mod:`normgraph.shacl_core`). Their results equal plain pySHACL's
  over the merged rdflib graph, which the tests check. (For pySHACL the ontology is merged into
  the data graph rather than passed as its ``ont_graph``, which only copies class and property
  axioms and would drop the vocabularies' ``skos:inScheme`` statements.);
* **SPARQL-based shapes** (``sh:sparql``) run in a small SHACL-SPARQL executor on an Oxigraph
  store holding the same triples. Targets are evaluated once; each constraint gives the results
  SHACL specifies for every focus node with ``$this`` pre-bound, evaluated per node for a few
  nodes and once over the graph for many (see :func:`_solutions`). rdflib would parse each
  query anew for every focus node and evaluate it in pure Python.
  :func:`pyshacl_engine` runs everything through plain pySHACL instead, and the tests assert
  both report the same results.

Shapes marked ``ngsh:dataGraphOnly`` see the data alone, without the ontology.

The shapes are one kind of rule among those :mod:`normgraph.gate` runs (the SPARQL rules of
``rules/`` are another); :class:`Validator` runs the whole gate, so a contribution is judged by
every rule, here as in ``add``, ``check`` and ``publish``.

A contribution is validated merged with the ontology, the vocabularies and the existing data.
Only what it causes is reported: the results on the nodes it mentions, minus those the same
nodes already had before it (see :meth:`Validator.contribution_results`).

Nothing here reads a path or URL that pySHACL could fetch: shapes, ontology and data reach it as
graphs, ``owl:imports`` are never followed, and no query holds ``SERVICE``.

What a validation gives back lives beside this module: the results and the report as data
(:mod:`normgraph.validation_report`), property paths (:mod:`normgraph.shacl_paths`), typo hints
and file positions (:mod:`normgraph.hints`), and terms as people read them
(:mod:`normgraph.display`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Protocol
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from .display import NAMES, NGSH
from .errors import NormgraphError
from .graph_view import GraphLike, StoreView
from .hints import add_hints, locate_results
from .layout import Layout
from .load import GRAPHS, Parts, load_parts
from .namespaces import bind_prefixes
from .positions import SourceIndex
from .reporting import VALIDATION_ENGINES
from .rules import Rule, load_rules
from .shacl_core import CompiledShape, LiteralPatch, compile_shapes, evaluate, patch_predicates
from .shacl_paths import ShapesError, read_path
from .terms import to_oxigraph, to_rdflib_term
from .texts import SourceTexts, source_texts
from .validation_report import Report, Result, reading_order

_ONTOLOGY_GRAPH = GRAPHS["ontology"]
_DATA_GRAPH = GRAPHS["data"]
_CONTRIBUTION_GRAPH = GRAPHS["contribution"]

#: Predicates a SPARQL-based shape may carry besides its targets and constraints.
_SPARQL_SHAPE_ANNOTATIONS = {
    RDF.type, RDFS.label, RDFS.comment, SH.name, SH.description, SH.severity, SH.message,
    SH.deactivated, SH.sparql, NGSH.dataGraphOnly,
}
_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
_MESSAGE_VARIABLE = re.compile(r"\{[?$]([A-Za-z_][A-Za-z0-9_]*)\}")


# --------------------------------------------------------------------------------------------
# Shapes: split into core shapes for pySHACL and SPARQL-based shapes for the executor
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SparqlConstraint:
    node: Node
    query: str
    messages: tuple[str, ...]


@dataclass(frozen=True)
class SparqlShape:
    node: Node
    severity: URIRef
    targets: tuple[tuple[URIRef, Node], ...]
    constraints: tuple[SparqlConstraint, ...]
    messages: tuple[str, ...]
    data_only: bool


@dataclass
class Shapes:
    """The shapes graph, and the two views of it the engines run."""

    graph: Graph
    core: Graph
    sparql: list[SparqlShape]

    @cached_property
    def compiled(self) -> list[CompiledShape]:
        """The core shapes compiled for the store (:mod:`normgraph.shacl_core`)."""
        return compile_shapes(self.graph, skip={s.node for s in self.sparql} | set(self.core.subjects(SH.sparql, None)))


def _messages(graph: Graph, node: Node) -> tuple[str, ...]:
    return tuple(sorted(str(m) for m in graph.objects(node, SH.message)))


def _prefix_lines(graph: Graph, node: Node) -> str:
    """The PREFIX declarations of ``node``'s ``sh:prefixes`` (SHACL's ``sh:declare``)."""
    lines = []
    for declaring in graph.objects(node, SH.prefixes):
        for declaration in graph.objects(declaring, SH.declare):
            prefix = graph.value(declaration, SH.prefix)
            namespace = graph.value(declaration, SH.namespace)
            if prefix is None or namespace is None:
                raise ShapesError(f"incomplete sh:declare on {declaring}")
            lines.append(f"PREFIX {prefix}: <{namespace}>")
    return "\n".join(sorted(set(lines)))


def _true(graph: Graph, node: Node, predicate: URIRef) -> bool:
    value = graph.value(node, predicate)
    return isinstance(value, Literal) and value.value is True


def prepare_shapes(graph: Graph) -> Shapes:
    """Split ``graph`` into the core shapes pySHACL runs and the SPARQL-based shapes the
    executor runs. Refuses a shape that mixes both: its core part would be skipped."""
    sparql_nodes = set(graph.subjects(SH.sparql, None))
    for node, target in graph.subject_objects(SH.target):
        if (target, RDF.type, SH.SPARQLTarget) in graph or graph.value(target, SH.select) is not None:
            sparql_nodes.add(node)
    shapes: list[SparqlShape] = []
    for node in sorted(sparql_nodes, key=str):
        extra = {p for p in graph.predicates(node, None) if p not in _SPARQL_SHAPE_ANNOTATIONS and p not in _TARGETS}
        if extra or graph.value(node, SH.path) is not None:
            names = ", ".join(sorted(NAMES.iri(str(p)) for p in extra)) or "sh:path"
            raise ShapesError(f"shape {NAMES.term(node)} mixes SPARQL constraints with {names}; give those their own shape")
        if _true(graph, node, SH.deactivated):
            continue
        targets = []
        for predicate in _TARGETS:
            for target in graph.objects(node, predicate):
                if predicate == SH.target:
                    select = graph.value(target, SH.select)
                    if select is None:
                        raise ShapesError(f"shape {NAMES.term(node)} has a custom target normgraph cannot run")
                    target = Literal(_prefix_lines(graph, target) + "\n" + str(select))
                targets.append((predicate, target))
        constraints = []
        for constraint in graph.objects(node, SH.sparql):
            if _true(graph, constraint, SH.deactivated):
                continue
            select = graph.value(constraint, SH.select)
            if select is None:
                raise ShapesError(f"the SPARQL constraint of {NAMES.term(node)} has no sh:select")
            query = _prefix_lines(graph, constraint) + "\n" + str(select)
            constraints.append(SparqlConstraint(constraint, query, _messages(graph, constraint)))
        shapes.append(
            SparqlShape(
                node=node,
                severity=graph.value(node, SH.severity) or SH.Violation,  # type: ignore[arg-type]
                targets=tuple(sorted(targets, key=lambda t: (str(t[0]), str(t[1])))),
                constraints=tuple(sorted(constraints, key=lambda c: str(c.query))),
                messages=_messages(graph, node),
                data_only=_true(graph, node, NGSH.dataGraphOnly),
            )
        )
    core = Graph()
    core += graph
    for node in sparql_nodes:
        core.set((node, SH.deactivated, Literal(True)))
    return Shapes(graph=graph, core=core, sparql=shapes)


# --------------------------------------------------------------------------------------------
# The graph under validation, in rdflib and in Oxigraph
# --------------------------------------------------------------------------------------------


class _ToOxigraph:
    """Converts rdflib terms to Oxigraph terms, remembering each so results can be turned back
    into the very terms the data holds (Oxigraph stores some typed literals in canonical form)."""

    def __init__(self) -> None:
        self.forward: dict[Node, ox.NamedNode | ox.BlankNode | ox.Literal] = {}
        self.back: dict[object, Node] = {}

    def __call__(self, term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        found = self.forward.get(term)
        if found is None:
            try:
                found = to_oxigraph(term)
            except TypeError:
                raise NormgraphError(f"cannot validate the term {term!r}") from None
            self.forward[term] = found
            self.back[found] = term
        return found

    def rdflib(self, term: object) -> Node:
        found = self.back.get(term)
        return found if found is not None else to_rdflib_term(term)


class Sources(Protocol):
    """Where a :class:`GraphUnderTest` finds the triples as written, for what the store cannot
    give back: pySHACL's rdflib graphs and the literals the store keeps in canonical form. Each
    is read only when asked, so a validation on the normgraph engine builds no rdflib copy of
    the tree. :class:`normgraph.load.Parts` is one; :class:`Graphs` another."""

    @property
    def data(self) -> Graph: ...

    def union(self) -> Graph: ...

    def written_literals(self, predicates: set[URIRef]) -> Iterator[tuple[Node, URIRef, Literal]]: ...


@dataclass
class Graphs:
    """Ontology and data given as rdflib graphs (a library caller's, or a test's)."""

    ontology: Graph
    data: Graph

    def union(self) -> Graph:
        graph = bind_prefixes(Graph())
        graph += self.data
        graph += self.ontology
        return graph

    def written_literals(self, predicates: set[URIRef]) -> Iterator[tuple[Node, URIRef, Literal]]:
        for graph in (self.ontology, self.data):
            for predicate in sorted(predicates):
                for s, o in graph.subject_objects(predicate):
                    if isinstance(o, Literal):
                        yield s, predicate, o


class GraphUnderTest:
    """Ontology and data in one Oxigraph store, in named graphs, to which contributions can be
    added and taken away again (:meth:`contributing`).

    ``store`` is the loader's store (:attr:`normgraph.load.Parts.store`), which holds the
    ontology and data of ``sources`` in the same named graphs: it is used as it is, its
    contribution graph emptied (:meth:`contributing` fills it with what a contribution adds).
    Without it the triples of ``sources.union()`` are copied into a store of their own. The
    rdflib graph pySHACL needs (:attr:`merged`) is built only when asked for.
    """

    def __init__(self, sources: Sources, *, store: ox.Store | None = None):
        self.sources = sources
        self.convert = _ToOxigraph()
        if store is None:
            store = ox.Store()
            convert = self.convert
            if isinstance(sources, Graphs):
                store.extend([ox.Quad(convert(s), convert(p), convert(o), _ONTOLOGY_GRAPH) for s, p, o in sources.ontology])
                store.extend([ox.Quad(convert(s), convert(p), convert(o), _DATA_GRAPH) for s, p, o in sources.data])
            else:
                raise NormgraphError("a GraphUnderTest over anything but rdflib graphs needs the store they were loaded into")
        else:
            store.clear_graph(_CONTRIBUTION_GRAPH)
        self.store = store
        self.contribution = Graph()
        self._own = Graph()
        self._graphs = [_ONTOLOGY_GRAPH, _DATA_GRAPH]
        self._patches: dict[frozenset[URIRef], LiteralPatch] = {}

    @classmethod
    def of_graphs(cls, ontology: Graph, data: Graph) -> GraphUnderTest:
        """Ontology and data given as rdflib graphs, copied into a store of their own."""
        return cls(Graphs(ontology, data))

    @cached_property
    def _merged(self) -> Graph:
        return self.sources.union()

    @property
    def merged(self) -> Graph:
        """Ontology, data and the current contribution as one rdflib graph (for pySHACL; built
        on first use, which costs gigabytes on a large tree)."""
        merged = self._merged
        return merged + self.contribution if len(self.contribution) else merged

    def view(self, *, data_only: bool = False) -> StoreView:
        """The graph under test read from the store (:class:`normgraph.graph_view.StoreView`)."""
        return StoreView(self.store, self.default_graphs(data_only=data_only), self.convert.rdflib)

    def literal_patch(self, predicates: set[URIRef]) -> LiteralPatch:
        """The statements of ``predicates`` whose literal the store holds in another form than
        the data writes (see :class:`normgraph.shacl_core.LiteralPatch`)."""
        key = frozenset(predicates)
        base = self._patches.get(key)
        if base is None:
            base = self._patches[key] = LiteralPatch.of(self.sources.written_literals(set(key)))
        if not len(self.contribution):
            return base
        return base.merged(LiteralPatch.of((s, p, o) for s, p, o in self.contribution if p in key and isinstance(o, Literal)))

    @contextmanager
    def contributing(self, contribution: Graph) -> Iterator[Graph]:
        """Within the block, ``contribution`` is part of the graph; yields it.

        The store's contribution graph gains every triple the data does not hold, even one the
        ontology states (data restating an ontology axiom still describes an ontology term), so
        shapes that check the data alone see it."""
        own = Graph()
        quads = []
        for triple in contribution:
            quad = ox.Quad(*(self.convert(t) for t in triple), _DATA_GRAPH)
            if quad not in self.store:
                own.add(triple)
                quads.append(ox.Quad(quad.subject, quad.predicate, quad.object, _CONTRIBUTION_GRAPH))
        self.store.extend(quads)
        self.contribution, self._own = contribution, own
        self._graphs = [_ONTOLOGY_GRAPH, _DATA_GRAPH, _CONTRIBUTION_GRAPH]
        try:
            yield contribution
        finally:
            for quad in quads:
                self.store.remove(quad)
            self.contribution, self._own = Graph(), Graph()
            self._graphs = [_ONTOLOGY_GRAPH, _DATA_GRAPH]

    @contextmanager
    def without_contribution(self) -> Iterator[None]:
        """Within a :meth:`contributing` block, every engine sees the ontology and data only."""
        graphs, contribution, own = self._graphs, self.contribution, self._own
        self._graphs = [_ONTOLOGY_GRAPH, _DATA_GRAPH]
        self.contribution, self._own = Graph(), Graph()
        try:
            yield
        finally:
            self._graphs = graphs
            self.contribution, self._own = contribution, own

    @property
    def data_only(self) -> Graph:
        """Data and contribution without the ontology, as a new rdflib graph (for pySHACL)."""
        graph = Graph()
        graph += self.sources.data
        graph += self._own
        return graph

    def default_graphs(self, *, data_only: bool) -> list[ox.NamedNode]:
        """The named graphs a query sees as its default graph."""
        return [g for g in self._graphs if not (data_only and g == _ONTOLOGY_GRAPH)]


# --------------------------------------------------------------------------------------------
# Engines
# --------------------------------------------------------------------------------------------


def _results_from_report(report: Graph) -> list[Result]:
    results = []
    for node in report.objects(None, SH.result):
        messages = sorted(str(m) for m in report.objects(node, SH.resultMessage))
        path = report.value(node, SH.resultPath)
        results.append(
            Result(
                focus=report.value(node, SH.focusNode),  # type: ignore[arg-type]
                severity=report.value(node, SH.resultSeverity),  # type: ignore[arg-type]
                component=report.value(node, SH.sourceConstraintComponent),  # type: ignore[arg-type]
                shape=report.value(node, SH.sourceShape),  # type: ignore[arg-type]
                message=messages[0] if messages else "",
                path=None if path is None else read_path(report, path),
                value=report.value(node, SH.value),
                constraint=report.value(node, SH.sourceConstraint),
            )
        )
    return results


def _pyshacl(data: Graph, shapes: Graph, *, advanced: bool, focus: set[Node] | None) -> list[Result]:
    """pySHACL's results, kept to those on ``focus`` (all, if None).

    pySHACL's own ``focus_nodes`` option is not used: it also filters the value nodes that
    nested shapes (``sh:or``, ``sh:qualifiedValueShape``) check, so a literal would never be
    checked by them. Validating everything and keeping the results on the focus nodes is exact.
    """
    import pyshacl  # noqa: PLC0415 - 0.3 s to import; only validation pays it

    if focus is not None and not focus:
        return []
    _, report, _ = pyshacl.validate(
        data,
        shacl_graph=shapes,
        ont_graph=None,
        inference="none",
        advanced=advanced,
        inplace=True,
        allow_warnings=True,
        do_owl_imports=False,
    )
    if not isinstance(report, Graph):  # pySHACL returns, rather than raises, a ValidationFailure
        raise ShapesError(f"pySHACL could not run the shapes: {getattr(report, 'message', report)}")
    results = _results_from_report(report)
    return results if focus is None else [r for r in results if r.focus in focus]


def format_message(template: str, bindings: dict[str, Node]) -> str:
    return _MESSAGE_VARIABLE.sub(lambda m: NAMES.term(bindings.get(m.group(1))) or m.group(0), template)


def shape_targets(store: ox.Store, shape: SparqlShape, graphs: list[ox.NamedNode], convert: _ToOxigraph) -> set[Node]:
    """The focus nodes of a SPARQL-based shape: the union of its targets, evaluated once."""
    found: set[Node] = set()
    for kind, value in shape.targets:
        if kind == SH.targetNode:
            found.add(value)
            continue
        if kind == SH.target:
            query = str(value)
        elif kind == SH.targetClass:
            query = f"SELECT DISTINCT ?this WHERE {{ ?this <{RDF.type}>/<{RDFS.subClassOf}>* <{value}> }}"
        elif kind == SH.targetSubjectsOf:
            query = f"SELECT DISTINCT ?this WHERE {{ ?this <{value}> ?object }}"
        else:
            query = f"SELECT DISTINCT ?this WHERE {{ ?subject <{value}> ?this }}"
        found.update(convert.rdflib(row["this"]) for row in store.query(query, default_graph=graphs) if row["this"] is not None)
    return found


#: Up to this many focus nodes, a constraint is evaluated once per node with ``$this`` bound;
#: beyond, once over the whole graph. A contribution has few nodes, the whole data many.
_BOUND_EVALUATION_LIMIT = 64


def _solutions(subject: GraphUnderTest, query: str, graphs: list[ox.NamedNode], targets: set[Node]) -> Iterator[dict[str, Node]]:
    """The rows of a SPARQL constraint whose ``$this`` is one of ``targets``, as rdflib terms.

    SHACL evaluates a constraint once per focus node with ``$this`` pre-bound. The shapes bind
    ``$this`` with a triple pattern (see shapes/shapes.ttl), so evaluating once with ``$this``
    free and keeping the rows on focus nodes gives the same rows; that is done when there are
    many focus nodes, one query instead of thousands."""
    convert = subject.convert
    if len(targets) <= _BOUND_EVALUATION_LIMIT:
        this = ox.Variable("this")
        runs = [subject.store.query(query, default_graph=graphs, substitutions={this: convert(node)}) for node in sorted(targets, key=str)]
    else:
        runs = [subject.store.query(query, default_graph=graphs)]
    for solutions in runs:
        variables = [v.value for v in solutions.variables]
        for row in solutions:
            bindings = {name: convert.rdflib(row[name]) for name in variables if row[name] is not None}
            if bindings.get("this") in targets:
                yield bindings


def _sparql(subject: GraphUnderTest, shapes: Shapes, focus: set[Node] | None) -> list[Result]:
    """Run the SPARQL-based shapes: each constraint on each focus node (see :func:`_solutions`)."""
    results: list[Result] = []
    for shape in shapes.sparql:
        graphs = subject.default_graphs(data_only=shape.data_only)
        targets = shape_targets(subject.store, shape, graphs, subject.convert)
        if focus is not None:
            targets &= focus
        if not targets:
            continue
        for constraint in shape.constraints:
            templates = constraint.messages or shape.messages
            seen: set[tuple[tuple[str, Node], ...]] = set()
            for bindings in _solutions(subject, constraint.query, graphs, targets):
                signature = tuple(sorted(bindings.items()))
                if signature in seen:
                    continue
                seen.add(signature)
                node = bindings["this"]
                path = bindings.get("path")
                results.append(
                    Result(
                        focus=node,
                        severity=shape.severity,
                        component=SH.SPARQLConstraintComponent,
                        shape=shape.node,
                        message=format_message(templates[0], bindings) if templates else "",
                        path=path if isinstance(path, URIRef) else None,
                        value=bindings.get("value", node),
                        constraint=constraint.node,
                    )
                )
    return results


def core_results(subject: GraphUnderTest, shapes: Shapes, focus: set[Node] | None) -> list[Result]:
    """The core shapes on the store (:mod:`normgraph.shacl_core`)."""
    compiled = shapes.compiled
    return evaluate(
        compiled,
        subject.store,
        lambda data_only: subject.default_graphs(data_only=data_only),
        subject.convert.rdflib,
        subject.literal_patch(patch_predicates(compiled)),
        focus,
    )


def normgraph_engine(subject: GraphUnderTest, shapes: Shapes, focus: set[Node] | None) -> list[Result]:
    """Core shapes compiled into SPARQL (:mod:`normgraph.shacl_core`) and SPARQL-based shapes in
    the executor, both on the Oxigraph store."""
    return core_results(subject, shapes, focus) + _sparql(subject, shapes, focus)


def _only(shapes: Graph, keep: Callable[[Node], bool]) -> Graph:
    """A copy of ``shapes`` in which every targeted shape that ``keep`` rejects is deactivated."""
    copy = Graph()
    copy += shapes
    targeted = {s for predicate in _TARGETS for s in shapes.subjects(predicate, None)}
    for node in targeted:
        if not keep(node):
            copy.set((node, SH.deactivated, Literal(True)))
    return copy


def pyshacl_engine(subject: GraphUnderTest, shapes: Shapes, focus: set[Node] | None) -> list[Result]:
    """Every shape through plain pySHACL (SHACL-AF enabled for the SPARQL targets): the
    reference the normgraph engine is tested against. Slow: rdflib evaluates every SPARQL
    constraint once per focus node, in pure Python."""
    data_only = set(shapes.graph.subjects(NGSH.dataGraphOnly, Literal(True)))
    merged = _pyshacl(subject.merged, _only(shapes.graph, lambda n: n not in data_only), advanced=True, focus=focus)
    alone = _pyshacl(subject.data_only, _only(shapes.graph, lambda n: n in data_only), advanced=True, focus=focus)
    return merged + alone


class Validator:
    """Ontology, data, shapes and rules loaded once: run the gate (:mod:`normgraph.gate`) over
    the data, or over any number of contributions to it, each seeing the same starting graph."""

    def __init__(
        self,
        subject: GraphUnderTest,
        shapes: Shapes,
        *,
        engine: str = "normgraph",
        rules: Sequence[Rule] = (),
        layout: Layout | None = None,
        texts: SourceTexts | None = None,
    ):
        from .gate import GateInput  # noqa: PLC0415 - the gate builds on this module

        if engine not in VALIDATION_ENGINES:
            raise NormgraphError(f"unknown validation engine {engine!r}: choose one of {', '.join(VALIDATION_ENGINES)}")
        self.shapes = shapes
        self.subject = subject
        self.given = GateInput(subject, shapes, tuple(rules), engine, layout, texts)

    @classmethod
    def of_tree(cls, tree: Tree, *, engine: str = "normgraph", texts: SourceTexts | None = None) -> Validator:
        """The gate over a loaded tree, on the loader's store."""
        subject = GraphUnderTest(tree.parts, store=tree.parts.store)
        return cls(subject, tree.shapes, engine=engine, rules=tree.rules, layout=tree.layout, texts=texts)

    def run(self, focus: set[Node] | None) -> list[Result]:
        from .gate import gate_results  # noqa: PLC0415

        return gate_results(self.given, focus)

    def view(self) -> StoreView:
        """The graph results refer to (ontology, data and the current contribution)."""
        return self.subject.view()

    def results(self) -> list[Result]:
        """Every result of the rule set over ontology + data."""
        return self.run(None)

    def contribution_results(self, contribution: Graph) -> list[Result]:
        """The results a contribution causes.

        The contribution is merged with ontology and data and validated on the nodes it
        mentions; the results those nodes already had without it are then subtracted, so a
        contributor sees neither the problems of unrelated data nor old problems of the nodes
        they touched.
        """
        with self.subject.contributing(contribution):
            after = self.run(contribution_nodes(contribution))
            if not after:
                return []
            with self.subject.without_contribution():
                before = {r.key for r in self.run({r.focus for r in after})}
        return [r for r in after if r.key not in before]


def contribution_nodes(contribution: Graph) -> set[Node]:
    """The nodes a contribution mentions: every subject, and every object that is not a literal."""
    nodes: set[Node] = set()
    for s, _, o in contribution:
        nodes.add(s)
        if not isinstance(o, Literal):
            nodes.add(o)
    return nodes


# --------------------------------------------------------------------------------------------
# Validating a tree, or files against it
# --------------------------------------------------------------------------------------------


@dataclass
class Contribution:
    """Contributed files, parsed by the loader: one graph per file, and all of them merged."""

    files: list[Path]
    graphs: dict[Path, Graph]
    graph: Graph

    @classmethod
    def of(cls, parts: Parts) -> Contribution:
        return cls(list(parts.files["contribution"]), parts.file_graphs("contribution"), parts.contribution)


@dataclass
class Tree:
    """A tree's ontology (with vocabularies), data, shapes and rules, parsed; ``parts`` is the
    store they were loaded into (with rdflib views of each part, built on first use)."""

    layout: Layout
    shapes: Shapes
    data_files: list[Path]
    parts: Parts
    rules: list[Rule]

    @property
    def ontology(self) -> Graph:
        return self.parts.ontology

    @property
    def data(self) -> Graph:
        return self.parts.data


def load_tree(layout: Layout, *, contribution: Sequence[Path] = (), data_files: Sequence[Path] | None = None) -> Tree:
    """Load the tree through the loader; data files that are part of ``contribution`` (a
    contribution being checked in place) are left out of the data."""
    parts = load_parts(layout, contribution=contribution, data_files=data_files)
    return Tree(
        layout=layout,
        shapes=prepare_shapes(parts.shapes),
        data_files=parts.files["data"],
        parts=parts,
        rules=load_rules(layout.rules_dir),
    )


def finish(results: Sequence[Result], graph: GraphLike, files: Sequence[Path], inputs: Sequence[Path]) -> Report:
    """Hints and locations added, sorted: the report a person reads. ``graph`` is the graph the
    results came from (an rdflib graph, or a view of the store)."""
    index = SourceIndex(files)
    done = locate_results(add_hints(results, graph), index, graph)
    return Report(sorted(done, key=reading_order), list(inputs))


def validate_tree(layout: Layout, files: Sequence[Path] = (), *, engine: str = "normgraph", texts: SourceTexts | None = None) -> Report:
    """Validate ``data/`` (no ``files``), or ``files`` as a contribution to the tree: every rule
    of the gate, the evidence anchors checked against the source texts (``texts``, else where
    ``layout`` keeps them).

    Raises :class:`~normgraph.errors.InputError` for a file that cannot be used.
    """
    texts = texts if texts is not None else source_texts(layout)
    if not files:
        from .gate import tree_report  # noqa: PLC0415 - the gate builds on this module

        return tree_report(load_tree(layout), engine=engine, texts=texts)
    report, _, _ = check_contribution(layout, files, engine=engine, texts=texts)
    return report


def check_contribution(
    layout: Layout, files: Sequence[Path], *, engine: str = "normgraph", texts: SourceTexts | None = None
) -> tuple[Report, Contribution, Parts]:
    """Validate ``files`` as a contribution to the tree, every rule of the gate. Returns the
    report, the parsed contribution and the loaded tree (whose data the merge left untouched)."""
    files = [Path(f) for f in files]
    tree = load_tree(layout, contribution=files)
    contribution = Contribution.of(tree.parts)
    validator = Validator.of_tree(tree, engine=engine, texts=texts if texts is not None else source_texts(layout))
    results = validator.contribution_results(contribution.graph)
    inputs = [f.resolve() for f in files]
    with validator.subject.contributing(contribution.graph):
        report = finish(results, validator.view(), [*inputs, *tree.data_files], inputs)
    return report, contribution, tree.parts
