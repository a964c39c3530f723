"""OWL 2 RL consistency as SPARQL on an Oxigraph store: the rules that can make a graph
inconsistent, without computing its closure.

owlrl (:mod:`normgraph.reason`) computes the whole OWL-RL closure in Python and then reads the
inconsistencies off it; that takes minutes at a million triples, and almost all of the closure
(every ``x owl:sameAs x``, every inherited type) never bears on a verdict. Here the split follows
the sizes: the schema (ontology, its vocabularies and the pinned reused vocabularies, a few
thousand triples) is closed once in Python, and the data is only ever read by the queries of
``consistency_rules/``, one file per OWL 2 RL rule that derives ``false``, each holding its
summary, rule ids and message.

What the rules see of the schema comes as tables, written into a rule where it says
``{{name}}`` (:meth:`Schema.tables`), and the membership of an individual in a class as
``{{in ?x ?class}}`` (:func:`_membership`): an explicit type, the subject of a property whose
domain is the class, or the object of one whose range is, each up the sub-class, sub-property,
equivalence and inverse closure, and the same for every individual made equal to it
(``owl:sameAs``, functional and inverse-functional properties: ``same-as.rq``).

Like owlrl, this finds what those rules reach. It does not follow the rules that derive types
or statements from individual class expressions (``owl:someValuesFrom``, ``owl:hasValue`` and
``owl:allValuesFrom`` restrictions, intersections met by membership in every part, property
chains, keys), nor equality between blank nodes, and it makes individuals equal in one round (a
functional property's values are not compared again across the equalities it finds); each can only add
inconsistencies, never remove one, and none of them bears on the vocabularies' own disjoint
classes for the data normgraph holds. Where owlrl departs from OWL 2 RL (it skips the last member
of an ``owl:AllDifferent`` or ``owl:AllDisjointProperties`` list, and ignores two different
literal values of a functional property) the rules follow owlrl in the second case and the
standard in the first. owlrl's dt-not-type (a literal outside its datatype's lexical space) has no
rule here: :func:`tree_inconsistencies` leaves trees small enough for owlrl to owlrl.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import combinations
from pathlib import Path

import pyoxigraph as ox

from .errors import InputError
from .load import GRAPHS, Parts
from .sparql_text import parse_header

RULES_DIR = Path(__file__).resolve().parent / "consistency_rules"
#: The query whose pairs of equal individuals the rules take as the ``same-as`` table.
SAME_AS = "same-as"

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_OWL = "http://www.w3.org/2002/07/owl#"
_TYPE = ox.NamedNode(_RDF + "type")
_FIRST = ox.NamedNode(_RDF + "first")
_REST = ox.NamedNode(_RDF + "rest")
_NIL = ox.NamedNode(_RDF + "nil")
_NOTHING = ox.NamedNode(_OWL + "Nothing")
_THING = ox.NamedNode(_OWL + "Thing")

_TABLE = re.compile(r"\{\{([a-z-]+)\}\}")
_IN = re.compile(r"\{\{in (\?[A-Za-z_]\w*) (\?[A-Za-z_]\w*)\}\}")

Term = ox.NamedNode | ox.BlankNode | ox.Literal


def _iri(namespace: str, name: str) -> ox.NamedNode:
    return ox.NamedNode(namespace + name)


# --------------------------------------------------------------------------------------------
# The rules
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConsistencyRule:
    """One file of ``consistency_rules/``: the OWL 2 RL rules it implements (its tags other than
    ``owl-rl``), what it reports and its query, still holding its ``{{...}}`` slots."""

    name: str
    path: Path
    summary: str
    message: str
    rule_ids: tuple[str, ...]
    template: str

    @property
    def tables(self) -> set[str]:
        """The schema tables the query draws on."""
        return set(_TABLE.findall(self.template))


@cache
def consistency_rules() -> tuple[ConsistencyRule, ...]:
    """Every rule of ``consistency_rules/`` (``same-as`` included), in name order."""
    rules = []
    for path in sorted(RULES_DIR.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        header = parse_header(text, path)
        if not header.summary or not header.message:
            raise InputError(path, "a consistency rule needs '#+ summary:' and '#+ message:' in its header")
        ids = tuple(tag for tag in header.tags if tag not in ("owl-rl", "derivation"))
        rules.append(ConsistencyRule(path.stem, path, header.summary, header.message, ids, text))
    return tuple(rules)


@dataclass(frozen=True)
class Inconsistency:
    """One way the graph breaks an OWL 2 RL rule: the rule file, the individual at fault (its
    ``?x``) and the rule's message filled in from the row."""

    rule: str
    focus: Term
    message: str
    row: dict[str, Term] = field(compare=False)


# --------------------------------------------------------------------------------------------
# The schema, closed in Python
# --------------------------------------------------------------------------------------------

#: Predicates whose triples make up the schema, read from the store by predicate (indexed).
_SCHEMA_PREDICATES = tuple(
    _iri(namespace, name)
    for namespace, names in (
        (_RDFS, ("subClassOf", "subPropertyOf", "domain", "range")),
        (
            _OWL,
            (
                "equivalentClass", "equivalentProperty", "inverseOf", "disjointWith", "complementOf",
                "propertyDisjointWith", "intersectionOf", "unionOf", "members", "onProperty", "onClass",
                "maxCardinality", "maxQualifiedCardinality",
            ),
        ),
    )
    for name in names
)
#: Classes whose instances are schema: property characteristics and n-ary disjointness axioms.
_SCHEMA_TYPES = tuple(
    _iri(_OWL, name)
    for name in (
        "FunctionalProperty", "InverseFunctionalProperty", "SymmetricProperty", "IrreflexiveProperty",
        "AsymmetricProperty", "AllDisjointClasses", "AllDisjointProperties",
    )
)


def _closure(edges: dict[Term, set[Term]], start: Term) -> set[Term]:
    """``start`` and everything reachable from it along ``edges``."""
    seen = {start}
    todo = [start]
    while todo:
        for successor in edges.get(todo.pop(), ()):
            if successor not in seen:
                seen.add(successor)
                todo.append(successor)
    return seen


class Schema:
    """The schema axioms of a store's graphs, closed once, as the tables the rules draw on.

    ``statements`` are the schema triples (by predicate and by ``rdf:type`` object, see
    :func:`read_schema`); list cells are looked up in ``lists``.
    """

    def __init__(self, statements: Iterable[tuple[Term, ox.NamedNode, Term]], lists: dict[Term, list[Term]]) -> None:
        self.by_predicate: dict[str, list[tuple[Term, Term]]] = defaultdict(list)
        for subject, predicate, obj in statements:
            self.by_predicate[predicate.value.removeprefix(_RDFS).removeprefix(_OWL).removeprefix(_RDF)].append((subject, obj))
        self.lists = lists
        self.super_classes: dict[Term, set[Term]] = defaultdict(set)
        for sub, sup in self._pairs("subClassOf"):
            self.super_classes[sub].add(sup)
        for one, other in self._pairs("equivalentClass"):
            self.super_classes[one].add(other)
            self.super_classes[other].add(one)
        for whole, members in self._pairs("intersectionOf"):
            self.super_classes[whole].update(self.lists.get(members, ()))
        for union, members in self._pairs("unionOf"):
            for member in self.lists.get(members, ()):
                self.super_classes[member].add(union)
        # A statement with a property also states (p, True), or (p, False) for the other way round,
        # with each property it entails: its super-properties, equivalents and inverses.
        self.entailed: dict[tuple[Term, bool], set[tuple[Term, bool]]] = defaultdict(set)
        for name, flips in (("subPropertyOf", False), ("equivalentProperty", False), ("inverseOf", True)):
            for one, other in self._pairs(name, both_ways=name != "subPropertyOf"):
                for forward in (True, False):
                    self.entailed[(one, forward)].add((other, forward != flips))
        for prop in self._typed("SymmetricProperty"):
            for forward in (True, False):
                self.entailed[(prop, forward)].add((prop, not forward))
        self.domains: dict[Term, set[Term]] = defaultdict(set)
        self.ranges: dict[Term, set[Term]] = defaultdict(set)
        for prop, cls in self._pairs("domain"):
            self.domains[prop].add(cls)
        for prop, cls in self._pairs("range"):
            self.ranges[prop].add(cls)

    def _pairs(self, name: str, *, both_ways: bool = False) -> list[tuple[Term, Term]]:
        pairs = self.by_predicate.get(name, [])
        return [*pairs, *((b, a) for a, b in pairs)] if both_ways else pairs

    def _typed(self, name: str) -> list[Term]:
        return [subject for subject, obj in self.by_predicate.get("type", []) if obj == _iri(_OWL, name)]

    # -- closures ------------------------------------------------------------------------------

    @cache
    def classes_of_type(self, cls: Term) -> frozenset[Term]:
        """The classes an instance of ``cls`` belongs to (``cls`` included)."""
        return frozenset(_closure(self.super_classes, cls))

    @cache
    def entailments(self, prop: Term) -> frozenset[tuple[Term, bool]]:
        """What ``x prop y`` states: each ``(p, True)`` for ``x p y`` and ``(p, False)`` for ``y p x``."""
        return frozenset(_closure(self.entailed, (prop, True)))  # type: ignore[arg-type]

    @cache
    def properties(self) -> frozenset[ox.NamedNode]:
        """Every property the schema says anything about."""
        props = {prop for prop, _ in self.entailed} | {prop for targets in self.entailed.values() for prop, _ in targets}
        props.update(self.domains, self.ranges)
        props.update(prop for _, prop in self._pairs("onProperty"))
        props.update(prop for pair in self.disjoint_properties() for prop in pair)
        for name in ("FunctionalProperty", "InverseFunctionalProperty", "IrreflexiveProperty", "AsymmetricProperty"):
            props.update(self._typed(name))
        return frozenset(p for p in props if isinstance(p, ox.NamedNode))

    @cache
    def _stated_by(self) -> dict[Term, list[tuple[Term, bool]]]:
        found: dict[Term, list[tuple[Term, bool]]] = defaultdict(list)
        for stated in sorted(self.properties(), key=str):
            for prop, same in self.entailments(stated):
                found[prop].append((stated, same))
        return found

    def ways_to_state(self, prop: Term) -> list[tuple[Term, bool]]:
        """Every property whose statements entail ``prop``, with ``True`` where the statement runs
        the same way round as the one it entails."""
        return self._stated_by().get(prop, [])

    def _disjoint_property_lists(self) -> list[tuple[Term, list[Term]]]:
        return [(axiom, self.lists.get(members, [])) for axiom, members in self._pairs("members") if axiom in self._typed("AllDisjointProperties")]

    def property_classes(self, prop: Term, *, subject: bool) -> set[Term]:
        """The classes the subject (else the object) of a ``prop`` statement belongs to."""
        found: set[Term] = set()
        for entailed, forward in self.entailments(prop):
            for cls in (self.domains if forward == subject else self.ranges).get(entailed, ()):
                found |= self.classes_of_type(cls)
        return found

    # -- what the rules ask about --------------------------------------------------------------

    def disjoint_classes(self) -> set[tuple[Term, Term]]:
        pairs = set(self._pairs("disjointWith")) | set(self._pairs("complementOf"))
        for axiom, members in self._pairs("members"):
            if axiom in self._typed("AllDisjointClasses"):
                pairs.update(combinations(self.lists.get(members, []), 2))
        return pairs

    def disjoint_properties(self) -> set[tuple[Term, Term]]:
        pairs = set(self._pairs("propertyDisjointWith"))
        for _, members in self._disjoint_property_lists():
            pairs.update(combinations(members, 2))
        return pairs

    def max_restrictions(self, count: str) -> list[tuple[Term, Term, Term]]:
        """``(restriction, property, class)`` for every restriction allowing at most ``count``
        values of the property (in the class; ``owl:Thing`` for an unqualified one)."""
        on_property = dict(self._pairs("onProperty"))
        on_class = dict(self._pairs("onClass"))
        found = []
        for name in ("maxCardinality", "maxQualifiedCardinality"):
            for restriction, value in self._pairs(name):
                if isinstance(value, ox.Literal) and value.value.strip() == count and restriction in on_property:
                    found.append((restriction, on_property[restriction], on_class.get(restriction, _THING)))
        return found

    def member_classes(self) -> set[Term]:
        """The classes whose members a rule asks for: only they need membership rows."""
        wanted = {_NOTHING}
        wanted.update(c for pair in self.disjoint_classes() for c in pair)
        for restriction, _, cls in [*self.max_restrictions("0"), *self.max_restrictions("1")]:
            wanted.update((restriction, cls))
        return wanted

    def tables(self) -> dict[str, list[tuple[Term, ...]]]:
        """Every table a rule can name in ``{{...}}`` except ``same-as``, as rows of terms."""
        wanted = self.member_classes()
        class_nodes = set(self.super_classes) | {c for supers in self.super_classes.values() for c in supers} | wanted
        tables: dict[str, list[tuple[Term, ...]]] = {
            "types": [(t, c) for t in class_nodes if isinstance(t, ox.NamedNode) for c in self.classes_of_type(t) & wanted],
            "subject-types": [(p, c) for p in self.properties() for c in self.property_classes(p, subject=True) & wanted],
            "object-types": [(p, c) for p in self.properties() for c in self.property_classes(p, subject=False) & wanted],
            "disjoint-classes": sorted(self.disjoint_classes(), key=str),
        }
        # Other than itself: a query states that case once for every property, schema or not.
        forward = [(stated, p) for p in self.properties() for stated, same in self.ways_to_state(p) if same and stated != p]
        backward = [(stated, p) for p in self.properties() for stated, same in self.ways_to_state(p) if not same]
        tables["entails-forward"], tables["entails-backward"] = forward, backward
        tables["irreflexive"] = [(stated, p) for p in self._typed("IrreflexiveProperty") for stated, _ in self.ways_to_state(p)]
        tables["asymmetric-opposite"], tables["asymmetric-parallel"] = [], []
        for p in self._typed("AsymmetricProperty"):
            for (one, way), (other, other_way) in _pairs_of(self.ways_to_state(p)):
                tables["asymmetric-opposite" if way == other_way else "asymmetric-parallel"].append((one, other, p))
        tables["disjoint-properties-parallel"], tables["disjoint-properties-opposite"] = [], []
        for p, q in self.disjoint_properties():
            for one, way in self.ways_to_state(p):
                for other, other_way in self.ways_to_state(q):
                    tables["disjoint-properties-parallel" if way == other_way else "disjoint-properties-opposite"].append((one, other, p, q))
        tables["functional-forward"], tables["functional-backward"] = [], []
        for name, key_of in (("FunctionalProperty", lambda p: p.value), ("InverseFunctionalProperty", lambda p: "^" + p.value)):
            for p in self._typed(name):
                for stated, same in self.ways_to_state(p):
                    # An inverse-functional property is a functional one read the other way round.
                    table = "functional-forward" if same == (name == "FunctionalProperty") else "functional-backward"
                    tables[table].append((stated, ox.Literal(key_of(p))))
        for way in ("forward", "backward"):
            for suffix, count, qualified in (("max-zero", "0", False), ("max-zero-qualified", "0", True), ("max-one", "1", False)):
                tables[f"{suffix}-{way}"] = [
                    (restriction, prop, *((cls,) if qualified else ()), stated)
                    for restriction, prop, cls in self.max_restrictions(count)
                    if (cls != _THING) == qualified
                    for stated, same in self.ways_to_state(prop)
                    if same == (way == "forward")
                ]
        return tables


def _pairs_of(items: Sequence) -> Iterator[tuple]:
    """Every ordered pair of ``items``, each item paired with itself too."""
    for one in items:
        for other in items:
            yield one, other


def read_schema(store: ox.Store, graphs: Sequence[ox.NamedNode]) -> Schema:
    """The schema triples of ``graphs`` in ``store``, read by predicate (Oxigraph's indexes,
    never a scan of the data), with the list cells they point to."""
    statements = []
    for graph in graphs:
        for predicate in _SCHEMA_PREDICATES:
            statements.extend((q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, predicate, None, graph))
        for cls in _SCHEMA_TYPES:
            statements.extend((q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, _TYPE, cls, graph))
    heads = {obj for _, p, obj in statements if p.value.endswith(("#intersectionOf", "#unionOf", "#members"))}
    return Schema(statements, {head: _read_list(store, graphs, head) for head in heads})


def _read_list(store: ox.Store, graphs: Sequence[ox.NamedNode], head: Term) -> list[Term]:
    items: list[Term] = []
    seen = set()
    node = head
    while node != _NIL and node not in seen:
        seen.add(node)
        first = [q.object for g in graphs for q in store.quads_for_pattern(node, _FIRST, None, g)]
        rest = [q.object for g in graphs for q in store.quads_for_pattern(node, _REST, None, g)]
        if not first or not rest:
            break
        items.append(first[0])
        node = rest[0]
    return items


# --------------------------------------------------------------------------------------------
# From templates to queries
# --------------------------------------------------------------------------------------------


def _sparql(term: Term) -> str:
    """A term as written in a VALUES row. A blank node (a restriction, an anonymous class) cannot
    be written there; it stands as the literal ``"_:label"``, consistently in every table, since
    only tables ever join on it."""
    if isinstance(term, ox.BlankNode):
        return str(ox.Literal(f"_:{term.value}"))
    return str(term)


def _rows(rows: Iterable[tuple[Term, ...]]) -> str:
    return " ".join("(" + " ".join(_sparql(t) for t in row) + ")" for row in rows) or ""


def _membership(node: str, cls: str) -> str:
    """``{{in ?x ?c}}``: ``?node`` is a member of ``?cls``, one of the classes a rule asks about."""
    direct = (
        "{{ ?{n} a ?type . VALUES (?type ?{c}) {{ {{{{types}}}} }} }}"
        " UNION {{ ?{n} ?property ?value . VALUES (?property ?{c}) {{ {{{{subject-types}}}} }} }}"
        " UNION {{ ?value ?property ?{n} . VALUES (?property ?{c}) {{ {{{{object-types}}}} }} }}"
    )
    n, c = node[1:], cls[1:]
    same = direct.format(n="same", c=c)
    return (
        f"{{ SELECT DISTINCT {node} {cls} WHERE {{ {direct.format(n=n, c=c)}"
        f" UNION {{ VALUES ({node} ?same) {{ {{{{same-as}}}} }} {same} }} }} }}"
    )


def render(rule: ConsistencyRule, tables: dict[str, list[tuple[Term, ...]]]) -> str:
    """The rule's query with its slots filled."""
    expanded = _IN.sub(lambda m: _membership(m.group(1), m.group(2)), rule.template)

    def table(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in tables:
            raise InputError(rule.path, f"no table called {name!r}")
        return _rows(tables[name])

    return _TABLE.sub(table, expanded)


# --------------------------------------------------------------------------------------------
# Running them
# --------------------------------------------------------------------------------------------


def _same_as_pairs(pairs: Iterable[tuple[Term, Term]]) -> list[tuple[Term, Term]]:
    """Every ordered pair of distinct members of the classes ``pairs`` make equal (symmetric,
    transitive), blank nodes left out as they cannot be written in a query."""
    parent: dict[Term, Term] = {}

    def root(node: Term) -> Term:
        while parent.get(node, node) != node:
            node = parent[node]
        return node

    for a, b in pairs:
        parent.setdefault(a, a)
        parent.setdefault(b, b)
        parent[root(a)] = root(b)
    groups: dict[Term, list[Term]] = defaultdict(list)
    for node in parent:
        if isinstance(node, ox.NamedNode):
            groups[root(node)].append(node)
    return [(a, b) for members in groups.values() for a in members for b in members if a != b]


def check(store: ox.Store, graphs: Sequence[ox.NamedNode]) -> list[Inconsistency]:
    """Every OWL 2 RL inconsistency the rules find in the union of ``graphs`` (which must hold
    the ontology, the reused vocabularies and the data), sorted by rule and individual.

    A rule whose every table (``same-as`` aside, which only widens what a rule matches) is empty
    cannot match and is not run: most ontologies declare no irreflexive property, say.
    """
    from .terms import to_rdflib_term  # noqa: PLC0415
    from .validate import format_message  # noqa: PLC0415 - shares the rule messages' template syntax

    tables = read_schema(store, graphs).tables()
    rules = {rule.name: rule for rule in consistency_rules()}
    tables["same-as"] = []
    pairs = [(row["x"], row["y"]) for row in _select(store, render(rules[SAME_AS], tables), graphs)]
    tables["same-as"] = _same_as_pairs(pairs)
    found = []
    for rule in rules.values():
        named = rule.tables - {"same-as"}
        if rule.name == SAME_AS or (named and not any(tables[name] for name in named)):
            continue
        for row in _select(store, render(rule, tables), graphs):
            message = format_message(rule.message, {name: to_rdflib_term(term) for name, term in row.items()})
            found.append(Inconsistency(rule.name, row["x"], message, row))
    return sorted(set(found), key=lambda i: (i.rule, str(i.focus), i.message))


def _select(store: ox.Store, query: str, graphs: Sequence[ox.NamedNode]) -> list[dict[str, Term]]:
    solutions = store.query(query, default_graph=list(graphs))
    names = [v.value for v in solutions.variables]  # type: ignore[union-attr]
    return [{name: solution[name] for name in names if solution[name] is not None} for solution in solutions]  # type: ignore[union-attr]


#: The graph the reused vocabularies' axioms go into, beside a tree's ontology and data.
VOCABULARIES = ox.NamedNode("urn:normgraph:graph:reused-vocabularies")


def add_reused_vocabularies(store: ox.Store) -> ox.NamedNode:
    """Put the axioms of the pinned reused vocabularies (as :func:`normgraph.reason.reused_vocabularies`
    gives them to owlrl) into ``store``'s :data:`VOCABULARIES` graph, and return its name."""
    from .reason import reused_vocabularies  # noqa: PLC0415
    from .terms import to_oxigraph  # noqa: PLC0415

    store.bulk_extend(ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), VOCABULARIES) for s, p, o in reused_vocabularies())  # type: ignore[arg-type]
    return VOCABULARIES


#: Up to this many data triples ``normgraph check`` runs owlrl, the reference (about 6 s for the
#: curated tree, 36 s at 100k triples); above it, the rules here (seconds at a million).
OWLRL_MAX_TRIPLES = 50_000


def tree_inconsistencies(parts: Parts) -> list[str]:
    """The OWL-RL inconsistencies of a loaded tree with the reused vocabularies, as messages:
    owlrl's for a tree of at most :data:`OWLRL_MAX_TRIPLES` data triples, the rules' beyond."""
    if parts.count("data") <= OWLRL_MAX_TRIPLES:
        from .reason import inconsistencies  # noqa: PLC0415 - owlrl is slow to import and to run

        return inconsistencies(parts.union())
    vocabularies = add_reused_vocabularies(parts.store)
    return [found.message for found in check(parts.store, [GRAPHS["ontology"], GRAPHS["data"], vocabularies])]
