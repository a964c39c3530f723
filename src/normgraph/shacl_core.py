"""Core SHACL on the Oxigraph store: each constraint component compiled into SPARQL queries that
run once over all focus nodes of a shape, giving the results plain pySHACL gives.

The components normgraph's shapes use are compiled here, one entry per component in
:data:`COMPONENTS`; a shape using any other component is refused (:class:`ShapesError`), so
nothing is silently skipped. Targets (``sh:targetClass`` following ``rdfs:subClassOf*`` in the
data graph, implicit class targets, ``sh:targetNode``, ``sh:targetSubjectsOf``,
``sh:targetObjectsOf``) and every SHACL property path become SPARQL patterns.

Where SPARQL and pySHACL could disagree, Python decides, as pySHACL does:

* well-formedness of literals (``sh:datatype``), regular expressions (``sh:pattern``, Python's
  ``re``), comparisons (``sh:minInclusive`` ..., ``sh:lessThan``): the query marks the values it
  cannot decide, and only those are checked in Python;
* literals the store keeps in canonical form. Oxigraph stores ``"5"^^xsd:nonNegativeInteger`` as
  ``"5"^^xsd:integer`` and ``"05"`` as ``"5"``, so a value's datatype or lexical form may differ
  from the data's. :class:`LiteralPatch` remembers, for the predicates the shapes read, every
  such statement as written, and the values it covers are judged on what the data says.

Messages follow pySHACL: the shape's ``sh:message`` (unformatted), else a generic message.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

from .display import NAMES, NGSH
from .shacl_paths import AlternativePath, InversePath, PathExpr, RepeatPath, SequencePath, ShapesError, read_path
from .terms import to_oxigraph
from .validation_report import Result

_TYPE_PATH = f"<{RDF.type}>/<{RDFS.subClassOf}>*"
#: Predicates of a shape that are neither constraints nor targets.
_ANNOTATIONS = {
    RDF.type, RDFS.label, RDFS.comment, RDFS.seeAlso, RDFS.isDefinedBy, SH.name, SH.description, SH.severity,
    SH.message, SH.deactivated, SH.path, SH.property, SH.order, SH.group, SH.defaultValue, SH.flags,
    SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.qualifiedValueShapesDisjoint, NGSH.dataGraphOnly,
    SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf,
}
_STRING_TYPES = (None, XSD.string, RDF.langString)


# --------------------------------------------------------------------------------------------
# Terms in SPARQL text
# --------------------------------------------------------------------------------------------


def sparql_term(term: Node) -> str:
    if isinstance(term, BNode):
        raise ShapesError(f"a blank node cannot be written into a query: {term!r}")
    return str(to_oxigraph(term))


def sparql_path(path: PathExpr) -> str:
    if isinstance(path, URIRef):
        return f"<{path}>"
    if isinstance(path, InversePath):
        return f"^({sparql_path(path.path)})"
    if isinstance(path, SequencePath):
        return "(" + "/".join(sparql_path(step) for step in path.steps) + ")"
    if isinstance(path, AlternativePath):
        return "(" + "|".join(sparql_path(option) for option in path.options) + ")"
    return f"({sparql_path(path.path)}){path.operator}"


def _in_terms(var: str, terms: Iterable[Node]) -> str:
    """``var`` is one of ``terms`` (term identity, as rdflib's ``in``)."""
    parts = [f"sameTerm({var}, {sparql_term(t)})" for t in terms]
    return "(" + " || ".join(parts) + ")" if parts else "false"


# --------------------------------------------------------------------------------------------
# Literals as written: what the store canonicalised
# --------------------------------------------------------------------------------------------


@dataclass
class LiteralPatch:
    """The statements whose literal the store holds in another form than the data writes.

    ``written[(s, p, stored)]`` lists the literals the data writes for what the store holds
    as ``(s, p, stored)``, with ``stored`` itself among them when the data also writes it."""

    written: dict[tuple[Node, URIRef, ox.Literal], list[Literal]] = field(default_factory=dict)
    predicates: set[URIRef] = field(default_factory=set)
    _at: dict[URIRef, dict[tuple[Node, URIRef, ox.Literal], list[Literal]]] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def of(cls, triples: Iterable[tuple[Node, URIRef, Literal]]) -> LiteralPatch:
        """The patch of ``triples`` (statements with typed, non-string literal objects)."""
        candidates = [(s, p, o) for s, p, o in triples if o.datatype not in _STRING_TYPES and not o.language]
        patch = cls()
        if not candidates:
            return patch
        stored = stored_forms({o for _, _, o in candidates})
        if not stored:
            return patch
        present = {(s, p, o) for s, p, o in candidates}
        for s, p, o in candidates:
            if o in stored:
                key = (s, p, stored[o])
                entry = patch.written.setdefault(key, [])
                entry.append(o)
                patch.predicates.add(p)
        for (s, p, value), entry in patch.written.items():
            same = to_rdflib_literal(value)
            if (s, p, same) in present and same not in entry:
                entry.append(same)
        return patch

    def merged(self, other: LiteralPatch) -> LiteralPatch:
        if not other.written:
            return self
        written = {k: list(v) for k, v in self.written.items()}
        for key, entry in other.written.items():
            written.setdefault(key, [])
            written[key] += [o for o in entry if o not in written[key]]
        return LiteralPatch(written, self.predicates | other.predicates)

    def at(self, predicate: URIRef) -> dict[tuple[Node, URIRef, ox.Literal], list[Literal]]:
        """The entries of ``predicate`` (computed once)."""
        if predicate not in self.predicates:
            return {}
        found = self._at.get(predicate)
        if found is None:
            found = self._at[predicate] = {k: v for k, v in self.written.items() if k[1] == predicate}
        return found


def stored_forms(literals: Iterable[Literal]) -> dict[Literal, ox.Literal]:
    """The literals among ``literals`` that Oxigraph stores in another form, or that rdflib
    finds ill-typed (it may have rewritten their lexical form), with the store's form."""
    ordered = sorted(set(literals), key=lambda o: (str(o.datatype), str(o)))
    if not ordered:
        return {}
    probe = ox.Store()
    probe.extend(ox.Quad(ox.NamedNode(f"urn:x:{i}"), ox.NamedNode("urn:x:p"), to_oxigraph(o), ox.DefaultGraph()) for i, o in enumerate(ordered))
    found = {}
    for quad in probe:
        written = ordered[int(quad.subject.value[6:])]
        if quad.object != to_oxigraph(written) or getattr(written, "ill_typed", False):
            found[written] = quad.object
    return found


def to_rdflib_literal(term: ox.Literal) -> Literal:
    from .terms import to_rdflib_term  # noqa: PLC0415

    return to_rdflib_term(term)  # type: ignore[return-value]


# --------------------------------------------------------------------------------------------
# What a constraint runs on
# --------------------------------------------------------------------------------------------


@dataclass
class Run:
    """The store, the named graphs a shape sees, and conversions back to the data's terms."""

    store: ox.Store
    graphs: list[ox.NamedNode]
    back: Callable[[object], Node]
    patch: LiteralPatch
    _focus_cache: dict[str, set[Node]] = field(default_factory=dict)

    def rows(self, query: str) -> Iterator[tuple[object, ...]]:
        solutions = self.store.query(query, default_graph=self.graphs)
        names = [v.value for v in solutions.variables]
        for row in solutions:
            yield tuple(row[n] for n in names)

    def ask(self, query: str) -> bool:
        return bool(self.store.query(query, default_graph=self.graphs))

    def focus_nodes(self, focus: str) -> set[Node]:
        found = self._focus_cache.get(focus)
        if found is None:
            found = {self.back(row[0]) for row in self.rows(f"SELECT ?this WHERE {{ {focus} }}")}
            self._focus_cache[focus] = found
        return found


@dataclass(frozen=True)
class Shape:
    """A shape as the evaluator needs it: where its focus nodes come from (a SPARQL pattern
    binding ``?this``), its path, severity and messages."""

    node: Node
    focus: str
    path: PathExpr | None
    severity: URIRef
    messages: tuple[str, ...]
    data_only: bool
    #: Literal focus nodes (sh:targetNode) as the shapes write them, by the store's form.
    written: dict[object, Node] = field(default_factory=dict, hash=False, compare=False)

    def back(self, term: object, run: Run) -> Node:
        found = self.written.get(term) if isinstance(term, ox.Literal) else None
        return found if found is not None else run.back(term)

    def values(self, value: str = "?value") -> str:
        """A pattern binding ``value`` to each value node of ``?this``."""
        if self.path is None:
            return f"BIND (?this AS {value})"
        return f"?this {sparql_path(self.path)} {value} ."

    def result(self, component: URIRef, focus: Node, value: Node | None, generic: str) -> Result:
        return Result(
            focus=focus,
            severity=self.severity,
            component=component,
            shape=self.node,
            message=self.messages[0] if self.messages else generic,
            path=self.path,
            value=value,
        )


# --------------------------------------------------------------------------------------------
# Value tests: a condition on each value node on its own
# --------------------------------------------------------------------------------------------


class ValueTest:
    """A condition on one value node. ``fails`` is a SPARQL expression true where the value
    certainly fails; ``unsure`` (or None) one true where SPARQL cannot decide, and Python does
    (:meth:`python_fails`, on the data's own term)."""

    component: URIRef

    def fails(self, var: str) -> str:
        raise NotImplementedError

    def unsure(self, var: str) -> str | None:
        return None

    def python_fails(self, term: Node, run: Run) -> bool:
        raise NotImplementedError

    def generic(self) -> str:
        raise NotImplementedError


class ClassTest(ValueTest):
    component = SH.ClassConstraintComponent

    def __init__(self, cls: Node):
        self.cls = cls

    def fails(self, var: str) -> str:
        return f"(isLiteral({var}) || NOT EXISTS {{ {var} {_TYPE_PATH} {sparql_term(self.cls)} }})"

    def python_fails(self, term: Node, run: Run) -> bool:
        if isinstance(term, Literal):
            return True
        return not run.ask(f"ASK {{ {sparql_term(term)} {_TYPE_PATH} {sparql_term(self.cls)} }}")

    def generic(self) -> str:
        return f"Value does not have class {NAMES.term(self.cls)}"


def _actual_datatype(value: Literal, datatype: URIRef) -> bool:
    """pySHACL's check that a literal's value is of its datatype's Python type."""
    from datetime import date, datetime, time  # noqa: PLC0415
    from decimal import Decimal  # noqa: PLC0415

    expected = {
        XSD.string: (str, bytes), RDF.langString: (str, bytes), XSD.integer: int, XSD.float: float,
        XSD.decimal: Decimal, XSD.boolean: bool, XSD.date: date, XSD.time: time, XSD.dateTime: datetime,
    }.get(datatype)
    return expected is None or isinstance(value.value, expected)


class DatatypeTest(ValueTest):
    component = SH.DatatypeConstraintComponent

    def __init__(self, datatype: URIRef):
        self.datatype = datatype

    def fails(self, var: str) -> str:
        if self.datatype == RDFS.Literal:
            return f"!isLiteral({var})"
        return f"(!isLiteral({var}) || DATATYPE({var}) != <{self.datatype}>)"

    def unsure(self, var: str) -> str | None:
        if self.datatype in (RDFS.Literal, XSD.string, RDF.langString):
            return None  # no string is ill-typed
        return f"(isLiteral({var}) && DATATYPE({var}) = <{self.datatype}>)"

    def python_fails(self, term: Node, run: Run) -> bool:
        if not isinstance(term, Literal):
            return True
        if self.datatype == RDFS.Literal:
            return False
        if term.datatype == self.datatype:
            return getattr(term, "ill_typed", None) is True or not _actual_datatype(term, self.datatype)
        if term.datatype is None and term.language is None and self.datatype == XSD.string:
            return False
        return not (self.datatype == RDF.langString and term.language)

    def generic(self) -> str:
        return f"Value is not Literal with datatype {NAMES.term(self.datatype)}"


_NODE_KINDS = {
    SH.IRI: ("isIRI",), SH.BlankNode: ("isBlank",), SH.Literal: ("isLiteral",),
    SH.BlankNodeOrIRI: ("isBlank", "isIRI"), SH.BlankNodeOrLiteral: ("isBlank", "isLiteral"), SH.IRIOrLiteral: ("isIRI", "isLiteral"),
}


class NodeKindTest(ValueTest):
    component = SH.NodeKindConstraintComponent

    def __init__(self, kind: Node):
        if kind not in _NODE_KINDS:
            raise ShapesError(f"unknown sh:nodeKind {kind}")
        self.kind = kind

    def fails(self, var: str) -> str:
        return "!(" + " || ".join(f"{f}({var})" for f in _NODE_KINDS[self.kind]) + ")"

    def python_fails(self, term: Node, run: Run) -> bool:
        kind = "isLiteral" if isinstance(term, Literal) else "isBlank" if isinstance(term, BNode) else "isIRI"
        return kind not in _NODE_KINDS[self.kind]

    def generic(self) -> str:
        return f"Value is not of Node Kind {NAMES.term(self.kind)}"


_PATTERN_FLAGS = {"i": re.I, "m": re.M, "s": re.S, "x": re.X}


def _string_of(term: Node) -> str:
    """pySHACL's string of a value node for the string-based components."""
    if isinstance(term, Literal) and term.value is not None and term.datatype in _STRING_TYPES:
        return str(term.value)
    return str(term)


class PatternTest(ValueTest):
    """Decided in Python (``re.search``), as pySHACL does: SPARQL regular expressions differ."""

    component = SH.PatternConstraintComponent

    def __init__(self, pattern: Literal, flags: Node | None):
        compiled = 0
        for flag in str(flags or ""):
            compiled |= _PATTERN_FLAGS.get(flag, 0)
        self.pattern = str(pattern)
        self.regex = re.compile(self.pattern, compiled)
        self._seen: dict[Node, bool] = {}

    def fails(self, var: str) -> str:
        return f"isBlank({var})"

    def unsure(self, var: str) -> str | None:
        return f"!isBlank({var})"

    def python_fails(self, term: Node, run: Run) -> bool:
        found = self._seen.get(term)
        if found is None:
            found = isinstance(term, BNode) or self.regex.search(_string_of(term)) is None
            self._seen[term] = found
        return found

    def generic(self) -> str:
        return f"Value does not match pattern '{self.pattern}'"


class InTest(ValueTest):
    component = SH.InConstraintComponent

    def __init__(self, members: list[Node]):
        self.members = members

    def fails(self, var: str) -> str:
        return f"!{_in_terms(var, self.members)}"

    def python_fails(self, term: Node, run: Run) -> bool:
        return term not in self.members

    def generic(self) -> str:
        return f"Value not in list {[NAMES.term(m) for m in self.members]}"


class LanguageInTest(ValueTest):
    component = SH.LanguageInConstraintComponent

    def __init__(self, languages: list[Node]):
        self.languages = sorted({str(lang).lower() for lang in languages})

    def fails(self, var: str) -> str:
        if "*" in self.languages:
            return f'(!isLiteral({var}) || LANG({var}) = "")'
        listed = ", ".join(f'"{lang}"' for lang in self.languages)
        return (
            f'(!isLiteral({var}) || LANG({var}) = "" || !(LCASE(LANG({var})) IN ({listed}) || '
            f'LCASE(STRBEFORE(LANG({var}), "-")) IN ({listed})))'
        )

    def python_fails(self, term: Node, run: Run) -> bool:
        if not isinstance(term, Literal) or not term.language:
            return True
        lang = term.language.lower()
        return not ("*" in self.languages or lang in self.languages or lang.split("-")[0] in self.languages)

    def generic(self) -> str:
        return f"String language is not in {self.languages}"


class LengthTest(ValueTest):
    """sh:minLength and sh:maxLength."""

    def __init__(self, limit: Literal, minimum: bool):
        self.limit = int(limit)
        self.minimum = minimum
        self.component = SH.MinLengthConstraintComponent if minimum else SH.MaxLengthConstraintComponent

    def fails(self, var: str) -> str:
        if self.minimum and self.limit == 0:
            return "false"
        # STR gives pySHACL's string of a value: the lexical form (a string literal's value is its lexical form)
        return f"(isBlank({var}) || STRLEN(STR({var})) {'<' if self.minimum else '>'} {self.limit})"

    def python_fails(self, term: Node, run: Run) -> bool:
        if self.minimum and self.limit == 0:
            return False
        if isinstance(term, BNode):
            return True
        length = len(_string_of(term))
        return length < self.limit if self.minimum else length > self.limit

    def generic(self) -> str:
        return f"String length not {'>=' if self.minimum else '<='} {self.limit}"


_RANGES = {
    SH.minInclusive: (SH.MinInclusiveConstraintComponent, ">=", lambda c: c >= 0),
    SH.minExclusive: (SH.MinExclusiveConstraintComponent, ">", lambda c: c > 0),
    SH.maxInclusive: (SH.MaxInclusiveConstraintComponent, "<=", lambda c: c <= 0),
    SH.maxExclusive: (SH.MaxExclusiveConstraintComponent, "<", lambda c: c < 0),
}


def _number(term: Literal) -> bool:
    """A well-typed number, which pySHACL compares by value (as here)."""
    from decimal import Decimal  # noqa: PLC0415

    return not getattr(term, "ill_typed", False) and isinstance(term.value, (int, float, Decimal)) and not isinstance(term.value, bool)


class RangeTest(ValueTest):
    """sh:minInclusive, sh:minExclusive, sh:maxInclusive, sh:maxExclusive. SPARQL settles
    numbers on both sides; anything else is compared in Python as pySHACL compares it."""

    def __init__(self, parameter: URIRef, bound: Literal):
        self.component, self.operator, self.holds = _RANGES[parameter]
        self.bound = bound

    def fails(self, var: str) -> str:
        return f"!isLiteral({var})"

    def unsure(self, var: str) -> str | None:
        if _number(self.bound):
            return f"(isLiteral({var}) && !COALESCE(isNumeric({var}) && {var} {self.operator} {sparql_term(self.bound)}, false))"
        return f"isLiteral({var})"

    def python_fails(self, term: Node, run: Run) -> bool:
        if not isinstance(term, Literal):
            return True
        if isinstance(self.bound.value, str) != isinstance(term.value, str):
            return True
        if _number(term) and _number(self.bound):
            return not self.holds((term.value > self.bound.value) - (term.value < self.bound.value))
        from pyshacl.rdfutil.compare import compare_literal  # noqa: PLC0415

        try:
            return not self.holds(compare_literal(term, self.bound))
        except (TypeError, NotImplementedError):
            return True

    def generic(self) -> str:
        return f"Value is not {self.operator} {NAMES.term(self.bound)}"


class OrTest(ValueTest):
    """sh:or over shapes that constrain the value node itself."""

    component = SH.OrConstraintComponent

    def __init__(self, members: list[list[ValueTest]]):
        self.members = members

    def fails(self, var: str) -> str:
        each = ["(" + " || ".join(t.fails(var) for t in tests) + ")" if tests else "false" for tests in self.members]
        return "(" + " && ".join(each) + ")"

    def unsure(self, var: str) -> str | None:
        unsure = [u for tests in self.members for t in tests if (u := t.unsure(var)) is not None]
        return "(" + " || ".join(unsure) + ")" if unsure else None

    def python_fails(self, term: Node, run: Run) -> bool:
        return all(any(t.python_fails(term, run) for t in tests) for tests in self.members)

    def generic(self) -> str:
        return "Node does not conform to one or more shapes in the sh:or list"


class QualifiedTest(ValueTest):
    """A value node fails to qualify if it breaks the qualified value shape (``own``) or, with
    sh:qualifiedValueShapesDisjoint, conforms to a sibling's qualified value shape."""

    component = SH.QualifiedMinCountConstraintComponent

    def __init__(self, own: list[ValueTest], siblings: list[list[ValueTest]]):
        self.own, self.siblings = own, siblings

    def fails(self, var: str) -> str:
        parts = [t.fails(var) for t in self.own]
        parts += ["!(" + " || ".join(t.fails(var) for t in tests) + ")" if tests else "true" for tests in self.siblings]
        return "(" + " || ".join(parts) + ")" if parts else "false"

    def unsure(self, var: str) -> str | None:
        unsure = [u for tests in [self.own, *self.siblings] for t in tests if (u := t.unsure(var)) is not None]
        return "(" + " || ".join(unsure) + ")" if unsure else None

    def python_fails(self, term: Node, run: Run) -> bool:
        return any(t.python_fails(term, run) for t in self.own) or any(
            not any(t.python_fails(term, run) for t in tests) for tests in self.siblings
        )


def nested_tests(graph: Graph, node: Node) -> list[ValueTest]:
    """The value tests of a shape used inside another (sh:or, sh:qualifiedValueShape): only
    constraints on the value node itself are supported."""
    if graph.value(node, SH.path) is not None or graph.value(node, SH.property) is not None:
        raise ShapesError(f"nested shape {NAMES.term(node)} has a path or property shapes, which the core evaluator does not run")
    if _true(graph, node, SH.deactivated):
        return []
    tests = []
    for predicate, obj in sorted(graph.predicate_objects(node), key=lambda po: (str(po[0]), str(po[1]))):
        if predicate in _ANNOTATIONS:
            continue
        compile_ = COMPONENTS.get(predicate)
        built = compile_(graph, node, obj) if compile_ is not None else None
        if not isinstance(built, ValueTest):
            raise ShapesError(f"nested shape {NAMES.term(node)} uses {NAMES.term(predicate)}, which the core evaluator does not run nested")
        tests.append(built)
    return tests


# --------------------------------------------------------------------------------------------
# Constraints: a value test over every value node, and the components that count or compare
# --------------------------------------------------------------------------------------------


class Constraint:
    component: URIRef

    @property
    def components(self) -> tuple[URIRef, ...]:
        """The constraint components whose results this constraint gives."""
        return (self.component,)

    def results(self, shape: Shape, run: Run) -> Iterator[Result]:
        raise NotImplementedError


def _patched_predicate(shape: Shape) -> URIRef | None:
    return shape.path if isinstance(shape.path, URIRef) else None


class EachValue(Constraint):
    """A value test applied to every value node: one query over every focus node."""

    def __init__(self, test: ValueTest):
        self.test = test
        self.component = test.component

    def results(self, shape: Shape, run: Run) -> Iterator[Result]:
        test = self.test
        unsure = test.unsure("?value")
        query = (
            f"SELECT DISTINCT ?this ?value ?unsure WHERE {{ {shape.focus} {shape.values()} "
            f"BIND ({unsure or 'false'} AS ?unsure) FILTER ({test.fails('?value')} || ?unsure) }}"
        )
        predicate = _patched_predicate(shape)
        patched = run.patch.at(predicate) if predicate is not None else {}
        for this, value, is_unsure in run.rows(query):
            if patched and isinstance(value, ox.Literal) and (shape.back(this, run), predicate, value) in patched:
                continue  # judged below, on the literals as written
            value_term = shape.back(value, run) if shape.path is None else run.back(value)
            if is_unsure is not None and is_unsure.value == "true" and not test.python_fails(value_term, run):
                continue
            yield shape.result(test.component, shape.back(this, run), value_term, test.generic())
        if patched:
            focus = run.focus_nodes(shape.focus)
            for (this, _, _), written in patched.items():
                if this in focus:
                    for literal in written:
                        if test.python_fails(literal, run):
                            yield shape.result(test.component, this, literal, test.generic())


class Count(Constraint):
    """sh:minCount and sh:maxCount: the number of distinct value nodes."""

    def __init__(self, limit: Literal, minimum: bool):
        self.limit = int(limit)
        self.minimum = minimum
        self.component = SH.MinCountConstraintComponent if minimum else SH.MaxCountConstraintComponent

    def results(self, shape: Shape, run: Run) -> Iterator[Result]:
        if shape.path is None:
            raise ShapesError(f"{NAMES.term(shape.node)}: sh:minCount and sh:maxCount need a path")
        predicate = _patched_predicate(shape)
        extra: dict[Node, int] = defaultdict(int)
        for (this, _, _), written in (run.patch.at(predicate) if predicate is not None else {}).items():
            extra[this] += len(written) - 1
        extra = {k: v for k, v in extra.items() if v}
        operator = "<" if self.minimum else ">"
        having = "" if extra else f"HAVING (COUNT(DISTINCT ?value) {operator} {self.limit})"
        values = f"OPTIONAL {{ {shape.values()} }}" if self.minimum else shape.values()
        query = f"SELECT ?this (COUNT(DISTINCT ?value) AS ?count) WHERE {{ {shape.focus} {values} }} GROUP BY ?this {having}"
        generic = f"{'Less' if self.minimum else 'More'} than {self.limit} values"
        for this, count in run.rows(query):
            node = shape.back(this, run)
            total = int(count.value) + extra.get(node, 0)
            if (total < self.limit) if self.minimum else (total > self.limit):
                yield shape.result(self.component, node, None, generic)


class Qualified(Constraint):
    """sh:qualifiedValueShape with sh:qualifiedMinCount and/or sh:qualifiedMaxCount."""

    def __init__(self, test: QualifiedTest, minimum: int | None, maximum: int | None):
        self.test = test
        self.minimum, self.maximum = minimum, maximum

    @property
    def components(self) -> tuple[URIRef, ...]:
        return tuple(
            c for c, limit in ((SH.QualifiedMinCountConstraintComponent, self.minimum), (SH.QualifiedMaxCountConstraintComponent, self.maximum)) if limit is not None
        )

    def results(self, shape: Shape, run: Run) -> Iterator[Result]:
        predicate = _patched_predicate(shape)
        if predicate is not None and run.patch.at(predicate):
            raise ShapesError(f"{NAMES.term(shape.node)}: sh:qualifiedValueShape over literals the store rewrote")
        unsure = self.test.unsure("?value")
        conforming: str
        if unsure is None:
            conforming = f"FILTER (!{self.test.fails('?value')})"
        else:
            query = f"SELECT DISTINCT ?value WHERE {{ {shape.focus} {shape.values()} FILTER ({unsure}) }}"
            failing = [run.back(row[0]) for row in run.rows(query)]
            failing = [v for v in failing if self.test.python_fails(v, run)]
            conforming = f"FILTER (!({self.test.fails('?value')} || {_in_terms('?value', failing)}))"
        query = (
            f"SELECT ?this (COUNT(DISTINCT ?value) AS ?count) WHERE {{ {shape.focus} "
            f"OPTIONAL {{ {shape.values()} {conforming} }} }} GROUP BY ?this"
        )
        for this, count in run.rows(query):
            number = int(count.value)
            if self.minimum is not None and number < self.minimum:
                yield shape.result(SH.QualifiedMinCountConstraintComponent, shape.back(this, run), None, f"Focus node does not conform to shape MinCount {self.minimum}")
            if self.maximum is not None and number > self.maximum:
                yield shape.result(SH.QualifiedMaxCountConstraintComponent, shape.back(this, run), None, f"Focus node does not conform to shape MaxCount {self.maximum}")


class UniqueLang(Constraint):
    component = SH.UniqueLangConstraintComponent

    def results(self, shape: Shape, run: Run) -> Iterator[Result]:
        query = (
            f"SELECT DISTINCT ?this WHERE {{ {shape.focus} {shape.values()} FILTER (isLiteral(?value) && LANG(?value) != \"\") "
            f"BIND (LCASE(LANG(?value)) AS ?lang) }} GROUP BY ?this ?lang HAVING (COUNT(DISTINCT ?value) > 1)"
        )
        for (this,) in run.rows(query):
            yield shape.result(self.component, shape.back(this, run), None, "More than one String shares the same Language")


class Disjoint(Constraint):
    component = SH.DisjointConstraintComponent

    def __init__(self, other: URIRef):
        self.other = other

    def results(self, shape: Shape, run: Run) -> Iterator[Result]:
        query = f"SELECT DISTINCT ?this ?value WHERE {{ {shape.focus} {shape.values()} ?this <{self.other}> ?value . }}"
        for this, value in run.rows(query):
            yield shape.result(self.component, shape.back(this, run), run.back(value), f"Value of ->{NAMES.term(self.other)} == value")


class Equals(Constraint):
    component = SH.EqualsConstraintComponent

    def __init__(self, other: URIRef):
        self.other = other

    def results(self, shape: Shape, run: Run) -> Iterator[Result]:
        query = (
            f"SELECT DISTINCT ?this ?value WHERE {{ {{ {shape.focus} {shape.values()} FILTER NOT EXISTS {{ ?this <{self.other}> ?value }} }} "
            f"UNION {{ {shape.focus} ?this <{self.other}> ?value . FILTER NOT EXISTS {{ {shape.values('?same')} FILTER (sameTerm(?same, ?value)) }} }} }}"
        )
        for this, value in run.rows(query):
            yield shape.result(self.component, shape.back(this, run), run.back(value), f"Value of ->{NAMES.term(self.other)} != value")


def _less(value: Node, other: Node, *, or_equal: bool) -> bool:
    """pySHACL's comparison of a value with a value of the other property."""
    if isinstance(value, BNode) or isinstance(other, BNode):
        raise ShapesError("sh:lessThan cannot compare a blank node")
    value_string = isinstance(value, URIRef) or (isinstance(value, Literal) and isinstance(value.value, str))
    other_string = isinstance(other, URIRef) or (isinstance(other, Literal) and isinstance(other.value, str))
    left: object = (str(value) if isinstance(value, URIRef) else value.value) if value_string else value  # type: ignore[union-attr]
    right: object = (str(other) if isinstance(other, URIRef) else other.value) if other_string else other  # type: ignore[union-attr]
    if value_string != other_string:
        return False
    try:
        return bool(left <= right if or_equal else left < right)  # type: ignore[operator]
    except TypeError:
        return False


class LessThan(Constraint):
    """sh:lessThan and sh:lessThanOrEquals: pairs SPARQL cannot settle as numbers are compared
    in Python, as pySHACL compares them."""

    def __init__(self, other: URIRef, or_equal: bool):
        self.other = other
        self.or_equal = or_equal
        self.component = SH.LessThanOrEqualsConstraintComponent if or_equal else SH.LessThanConstraintComponent

    def results(self, shape: Shape, run: Run) -> Iterator[Result]:
        operator = "<=" if self.or_equal else "<"
        predicate = _patched_predicate(shape)
        patch_here = (run.patch.at(predicate) if predicate is not None else {}) or run.patch.at(self.other)
        settled = "false" if patch_here else f"COALESCE(isNumeric(?value) && isNumeric(?other) && ?value {operator} ?other, false)"
        query = f"SELECT DISTINCT ?this ?value ?other WHERE {{ {shape.focus} {shape.values()} ?this <{self.other}> ?other . FILTER (!{settled}) }}"
        generic = f"Value of ->{NAMES.term(self.other)} {'>' if self.or_equal else '>='} value"
        seen: set[tuple[Node, Node]] = set()
        for this, value, other in run.rows(query):
            node = shape.back(this, run)
            values = self._written(run, node, predicate, value)
            others = self._written(run, node, self.other, other)
            for v in values:
                if (node, v) not in seen and any(not _less(v, o, or_equal=self.or_equal) for o in others):
                    seen.add((node, v))
                    yield shape.result(self.component, node, v, generic)

    @staticmethod
    def _written(run: Run, this: Node, predicate: URIRef | None, term: object) -> list[Node]:
        if predicate is not None and isinstance(term, ox.Literal):
            written = run.patch.at(predicate).get((this, predicate, term))
            if written:
                return list(written)
        return [run.back(term)]


# --------------------------------------------------------------------------------------------
# The components: one entry each
# --------------------------------------------------------------------------------------------


def _true(graph: Graph, node: Node, predicate: URIRef) -> bool:
    value = graph.value(node, predicate)
    return isinstance(value, Literal) and value.value is True


def _list(graph: Graph, node: Node) -> list[Node]:
    return list(Collection(graph, node))


def _qualified(graph: Graph, shape: Node, value_shape: Node) -> Constraint:
    siblings = []
    if _true(graph, shape, SH.qualifiedValueShapesDisjoint):
        for parent in graph.subjects(SH.property, shape):
            for sibling in graph.objects(parent, SH.property):
                if sibling != shape:
                    siblings += [nested_tests(graph, other) for other in graph.objects(sibling, SH.qualifiedValueShape) if other != value_shape]
    minimum = graph.value(shape, SH.qualifiedMinCount)
    maximum = graph.value(shape, SH.qualifiedMaxCount)
    return Qualified(
        QualifiedTest(nested_tests(graph, value_shape), siblings),
        None if minimum is None else int(minimum),
        None if maximum is None else int(maximum),
    )


Compiler = Callable[[Graph, Node, Node], "Constraint | ValueTest | None"]

#: Each constraint parameter the evaluator runs, and how: a value test (checked on each value
#: node, or nested in sh:or) or a constraint of its own.
COMPONENTS: dict[URIRef, Compiler] = {
    SH["class"]: lambda g, s, o: ClassTest(o),
    SH.datatype: lambda g, s, o: DatatypeTest(o),  # type: ignore[arg-type]
    SH.nodeKind: lambda g, s, o: NodeKindTest(o),
    SH.pattern: lambda g, s, o: PatternTest(o, g.value(s, SH.flags)),  # type: ignore[arg-type]
    SH["in"]: lambda g, s, o: InTest(_list(g, o)),
    SH.languageIn: lambda g, s, o: LanguageInTest(_list(g, o)),
    SH.minLength: lambda g, s, o: LengthTest(o, minimum=True),  # type: ignore[arg-type]
    SH.maxLength: lambda g, s, o: LengthTest(o, minimum=False),  # type: ignore[arg-type]
    **{p: (lambda p: lambda g, s, o: RangeTest(p, o))(p) for p in _RANGES},  # type: ignore[misc, arg-type]
    SH["or"]: lambda g, s, o: OrTest([nested_tests(g, member) for member in _list(g, o)]),
    SH.minCount: lambda g, s, o: Count(o, minimum=True),  # type: ignore[arg-type]
    SH.maxCount: lambda g, s, o: Count(o, minimum=False),  # type: ignore[arg-type]
    SH.qualifiedValueShape: _qualified,
    SH.uniqueLang: lambda g, s, o: UniqueLang() if isinstance(o, Literal) and o.value is True else None,
    SH.disjoint: lambda g, s, o: Disjoint(o),  # type: ignore[arg-type]
    SH.equals: lambda g, s, o: Equals(o),  # type: ignore[arg-type]
    SH.lessThan: lambda g, s, o: LessThan(o, or_equal=False),  # type: ignore[arg-type]
    SH.lessThanOrEquals: lambda g, s, o: LessThan(o, or_equal=True),  # type: ignore[arg-type]
}


# --------------------------------------------------------------------------------------------
# Shapes and their focus nodes
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CompiledShape:
    shape: Shape
    constraints: tuple[Constraint, ...]


def _target_patterns(graph: Graph, node: Node) -> list[str]:
    patterns = []
    classes = set(graph.objects(node, SH.targetClass))
    if (node, RDF.type, RDFS.Class) in graph and ((node, RDF.type, SH.NodeShape) in graph or (node, RDF.type, SH.PropertyShape) in graph):
        classes.add(node)
    for cls in sorted(classes, key=str):
        patterns.append(f"{{ ?this {_TYPE_PATH} {sparql_term(cls)} }}")
    nodes = sorted(graph.objects(node, SH.targetNode), key=str)
    if nodes:
        patterns.append("{ VALUES ?this { " + " ".join(sparql_term(n) for n in nodes) + " } }")
    for predicate in sorted(graph.objects(node, SH.targetSubjectsOf), key=str):
        patterns.append(f"{{ ?this {sparql_term(predicate)} ?object }}")
    for predicate in sorted(graph.objects(node, SH.targetObjectsOf), key=str):
        patterns.append(f"{{ ?subject {sparql_term(predicate)} ?this }}")
    if graph.value(node, SH.target) is not None:
        raise ShapesError(f"shape {NAMES.term(node)} has a SPARQL target: the core evaluator does not run it")
    return patterns


def _focus(patterns: list[str]) -> str:
    return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(patterns) + " } }"


def compile_shapes(graph: Graph, skip: set[Node] = frozenset()) -> list[CompiledShape]:  # type: ignore[assignment]
    """The core shapes of ``graph`` (all but ``skip`` and deactivated ones) compiled: each
    shape with targets, and each property shape they reach through ``sh:property``."""
    focus: dict[Node, list[str]] = defaultdict(list)
    targeted = {s for p in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target) for s in graph.subjects(p, None)}
    targeted |= {s for s in graph.subjects(RDF.type, RDFS.Class) if (s, RDF.type, SH.NodeShape) in graph or (s, RDF.type, SH.PropertyShape) in graph}
    for node in targeted:
        if node in skip or _true(graph, node, SH.deactivated):
            continue
        patterns = _target_patterns(graph, node)
        if patterns:
            focus[node] += patterns
    for parent in list(focus):
        for child in graph.objects(parent, SH.property):
            if _true(graph, child, SH.deactivated) or child in skip:
                continue
            if graph.value(child, SH.property) is not None:
                raise ShapesError(f"property shape {NAMES.term(child)} has property shapes of its own: the core evaluator does not run them")
            if graph.value(parent, SH.path) is not None:
                raise ShapesError(f"property shape {NAMES.term(parent)} has property shapes: the core evaluator does not run them")
            focus[child] += focus[parent]
    compiled = []
    for node in sorted(focus, key=str):
        path_node = graph.value(node, SH.path)
        messages = tuple(sorted(str(m) for m in graph.objects(node, SH.message)))
        shape = Shape(
            node=node,
            focus=_focus(sorted(set(focus[node]))),
            path=None if path_node is None else read_path(graph, path_node),
            severity=graph.value(node, SH.severity) or SH.Violation,  # type: ignore[arg-type]
            messages=messages,
            data_only=_true(graph, node, NGSH.dataGraphOnly),
            written={v: k for k, v in stored_forms(o for o in graph.objects(node, SH.targetNode) if isinstance(o, Literal)).items()},
        )
        constraints: list[Constraint] = []
        for predicate, obj in sorted(graph.predicate_objects(node), key=lambda po: (str(po[0]), str(po[1]))):
            if predicate in _ANNOTATIONS or not str(predicate).startswith(str(SH)):
                continue
            compile_ = COMPONENTS.get(predicate)
            if compile_ is None:
                raise ShapesError(f"shape {NAMES.term(node)} uses {NAMES.term(predicate)}, which the core evaluator does not run")
            built = compile_(graph, node, obj)
            if isinstance(built, ValueTest):
                built = EachValue(built)
            if built is not None:
                constraints.append(built)
        compiled.append(CompiledShape(shape, tuple(constraints)))
    return compiled


def patch_predicates(shapes: list[CompiledShape]) -> set[URIRef]:
    """The predicates whose literals the evaluator reads: those of simple paths."""
    return {s.shape.path for s in shapes if isinstance(s.shape.path, URIRef)} | {
        c.other for s in shapes for c in s.constraints if isinstance(c, LessThan)
    }


def evaluate(
    shapes: list[CompiledShape],
    store: ox.Store,
    graphs: Callable[[bool], list[ox.NamedNode]],
    back: Callable[[object], Node],
    patch: LiteralPatch,
    focus: set[Node] | None = None,
) -> list[Result]:
    """Every result of ``shapes`` on the store (on ``focus`` only, if given). ``graphs(data_only)``
    gives the named graphs a shape sees; ``back`` turns a store term into the data's term."""
    runs = {flag: Run(store, graphs(flag), back, patch) for flag in (False, True)}
    results = []
    for compiled in shapes:
        run = runs[compiled.shape.data_only]
        for constraint in compiled.constraints:
            for result in constraint.results(compiled.shape, run):
                if focus is None or result.focus in focus:
                    results.append(result)
    return results
