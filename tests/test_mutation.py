"""A mutation test of the shapes: do they refuse what contributions get wrong?

Real instances are taken from the per-source files of ``data/``: a fact node of each kind, with
the claims that support it, their evidence and citations, and the shortcut triples it licenses,
copied under fresh IRIs so that each copy is a contribution the shapes must accept. Each copy
is then broken the ways contributions go wrong (a required property dropped, a date's lexical
form or datatype broken, a link left dangling or pointed at the wrong kind of thing, a property
misspelt) and every mutant is validated as a contribution, with the library, against the
ontology and the entities the copies refer to. At least 95% of the mutants must be refused.

Which properties are required is written here from docs/modelling.md, not read from the shapes,
so that a shape that forgets one is caught. Mutants that break the same property of the same
kind of node the same way are one mutant: the first instance that has it stands for all. A
misspelt property, a link to nothing and a misspelt concept are wrong whatever node holds them,
so for these the property alone says what was broken.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, Namespace
from rdflib.term import Node

from normgraph.layout import Layout
from normgraph.load import parse_file
from normgraph.display import NAMES
from normgraph.validate import GraphUnderTest, Validator, load_tree

from .conftest import ENTITY_FILES

NG = Namespace("https://w3id.org/normgraph/ontology#")
ORG = Namespace("http://www.w3.org/ns/org#")
OA = Namespace("http://www.w3.org/ns/oa#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
ID = "https://w3id.org/normgraph/id/"
VOCAB = "https://w3id.org/normgraph/vocab/"

#: The kinds of fact node copied, two instances each: those with the most statements.
FACT_KINDS = (ORG.Membership, NG.NormStance, NG.RoleAttribution, NG.Event, NG.OfficeHolding, NG.Figure)
PER_KIND = 2

#: What each kind of node must say (docs/modelling.md: key properties, claims, evidence).
REQUIRED: dict[URIRef, tuple[URIRef, ...]] = {
    NG.Claim: (NG.claimType, NG.supports, DCTERMS.source, NG.hasEvidence, NG.claimant, NG.claimantDescription),
    ORG.Membership: (ORG.member, ORG.organization, ORG.role),
    NG.NormStance: (NG.holder, NG.stanceType, NG.norm),
    NG.RoleAttribution: (NG.holder, NG.roleConception),
    NG.Event: (NG.eventType,),
    NG.OfficeHolding: (NG.holder, NG.office),
    NG.Figure: (NG.value, NG.unit, NG.measure, NG.figureOf),
    NG.Citation: (NG.citingSource, NG.hasEvidence),
    OA.SpecificResource: (OA.hasSource, OA.hasSelector),
    OA.TextQuoteSelector: (OA.exact,),
    OA.TextPositionSelector: (OA.start, OA.end),
}

DATES = (XSD.gYear, XSD.gYearMonth, XSD.date)
#: A shortcut triple's predicate, from what the node it sits beside says.
STANCE_SHORTCUTS = {"endorses": NG.endorses, "promotes": NG.promotes, "challenges": NG.challenges}


@dataclass(frozen=True)
class Mutant:
    """One broken copy; ``signature`` says what was broken where, for counting each once."""

    signature: tuple[str, ...]
    graph: Graph


# --------------------------------------------------------------------------------------------
# Copies of real instances
# --------------------------------------------------------------------------------------------


def _shortcuts(source: Graph, node: Node) -> set[tuple[Node, Node, Node]]:
    """The shortcut triples ``node`` licenses (see docs/modelling.md)."""
    found = set()
    for holder in source.objects(node, NG.holder):
        for stance in source.objects(node, NG.stanceType):
            for norm in source.objects(node, NG.norm):
                found.add((holder, STANCE_SHORTCUTS[str(stance).rsplit("/", 1)[-1]], norm))
        for role in source.objects(node, NG.roleConception):
            found.add((holder, NG.hasRoleConception, role))
    for created in source.objects(node, NG.createdOrganisation):
        for basis in source.objects(node, NG.basis):
            found.add((created, NG.createdOnBasisOf, basis))
        for predecessor in source.objects(node, NG.predecessor):
            found.add((created, NG.hasPredecessor, predecessor))
    return found


def copy_instance(source: Graph, entities: set[Node], node: Node) -> Graph:
    """``node`` with its claims, their citations and evidence, under fresh IRIs (evidence keeps
    its IRI, which its anchor determines). Links to other per-source nodes (another node a claim
    supports, a conflicting claim, the office a claimant spoke in) are left out."""
    claims = set(source.subjects(NG.supports, node))
    citations = {c for claim in claims for c in source.objects(claim, NG.citation)}
    evidence = {e for holder in claims | citations for e in source.objects(holder, NG.hasEvidence)}
    selectors = {s for e in evidence for s in source.objects(e, OA.hasSelector)}
    fresh = {old: URIRef(f"{old}-copy") for old in {node} | claims | citations}
    kept = set(fresh) | evidence | selectors
    copy = Graph()
    for subject in kept:
        for _, predicate, value in source.triples((subject, None, None)):
            if predicate == NG.supports and value != node:
                continue
            if isinstance(value, URIRef) and str(value).startswith(ID) and value not in kept and value not in entities:
                continue
            copy.add((fresh.get(subject, subject), predicate, fresh.get(value, value)))
    for triple in _shortcuts(source, node):
        copy.add(triple)
    return copy


def instances(source: Graph) -> list[Node]:
    """The fact nodes copied: per kind, those with the most statements (then by IRI)."""
    chosen = []
    for kind in FACT_KINDS:
        nodes = sorted(source.subjects(RDF.type, kind), key=lambda n: (-len(list(source.predicate_objects(n))), str(n)))
        chosen += nodes[:PER_KIND]
    return chosen


# --------------------------------------------------------------------------------------------
# Mutants
# --------------------------------------------------------------------------------------------


def _replace(graph: Graph, old: tuple[Node, Node, Node], new: tuple[Node, Node, Node]) -> Graph:
    mutant = Graph()
    mutant += graph
    mutant.remove(old)
    mutant.add(new)
    return mutant


def _kind(graph: Graph, node: Node) -> str:
    return " ".join(sorted(NAMES.term(t) for t in graph.objects(node, RDF.type))) or NAMES.term(node)


def _misspelt(iri: URIRef) -> URIRef:
    """The IRI with its last letter doubled: ng:holder -> ng:holderr."""
    return URIRef(str(iri) + str(iri)[-1])


def dropped_properties(copy: Graph) -> Iterator[Mutant]:
    """Each required property of each node, and each node's type, left out."""
    for subject in set(copy.subjects()):
        for kind in list(copy.objects(subject, RDF.type)):
            for predicate in (RDF.type, *REQUIRED.get(kind, ())):  # type: ignore[call-overload]
                if (subject, predicate, None) in copy:
                    mutant = Graph()
                    mutant += copy
                    mutant.remove((subject, predicate, None))
                    yield Mutant(("drop", NAMES.term(kind), NAMES.term(predicate)), mutant)


def broken_dates(copy: Graph) -> Iterator[Mutant]:
    """Each date with words for its lexical form, a time zone, the precision's datatype wrong,
    or typed as a string or a number."""
    for triple in copy:
        subject, predicate, value = triple
        if not (isinstance(value, Literal) and value.datatype in DATES):
            continue
        text = str(value)
        wrong_precision = XSD.date if value.datatype != XSD.date else XSD.gYear
        for how, broken in (
            ("words", Literal("sometime in the past", datatype=value.datatype)),
            ("time zone", Literal(text + "Z", datatype=value.datatype)),
            ("precision", Literal(text, datatype=wrong_precision)),
            ("string", Literal(text)),
            ("number", Literal(text[:4], datatype=XSD.integer)),
        ):
            yield Mutant(("date", _kind(copy, subject), NAMES.term(predicate), how), _replace(copy, triple, (subject, predicate, broken)))


def dangling_links(copy: Graph) -> Iterator[Mutant]:
    """Each link to an entity or node pointed at an IRI nothing describes, or at a claim (a
    described thing of the wrong kind); each concept misspelt, or taken from another vocabulary."""
    claim = min(copy.subjects(RDF.type, NG.Claim), key=str)
    for triple in copy:
        subject, predicate, value = triple
        if predicate == RDF.type or not isinstance(value, URIRef):
            continue
        where = (_kind(copy, subject), NAMES.term(predicate))
        if str(value).startswith(ID):
            yield Mutant(("link", NAMES.term(predicate), "nowhere"), _replace(copy, triple, (subject, predicate, URIRef(f"{value}-nowhere"))))
            if value != claim and predicate != NG.conflictsWith:
                yield Mutant(("link", *where, "wrong kind"), _replace(copy, triple, (subject, predicate, claim)))
        elif str(value).startswith(VOCAB):
            other = URIRef(VOCAB + ("event-type/founding" if "/norm/" in str(value) else "norm/sovereignty"))
            yield Mutant(("concept", NAMES.term(predicate), "misspelt"), _replace(copy, triple, (subject, predicate, _misspelt(value))))
            yield Mutant(("concept", *where, "other vocabulary"), _replace(copy, triple, (subject, predicate, other)))


def misspelt_properties(copy: Graph) -> Iterator[Mutant]:
    """Each property of each node misspelt."""
    for subject, predicate in {(s, p) for s, p, _ in copy}:
        mutant = Graph()
        for s, p, o in copy:
            mutant.add((s, _misspelt(p) if (s, p) == (subject, predicate) else p, o))
        yield Mutant(("misspell", NAMES.term(predicate)), mutant)


OPERATORS: tuple[Callable[[Graph], Iterator[Mutant]], ...] = (dropped_properties, broken_dates, dangling_links, misspelt_properties)


# --------------------------------------------------------------------------------------------
# The test
# --------------------------------------------------------------------------------------------


def referred_to(entities: Graph, copies: list[Graph]) -> Graph:
    """The statements of ``entities`` about what the copies refer to, and what those refer to
    in turn (a source's author): the base the copies need, and no more, to keep validation fast."""
    found = Graph()
    todo = {o for copy in copies for o in copy.objects() if isinstance(o, URIRef)} | {s for copy in copies for s in copy.subjects()}
    seen: set[Node] = set()
    while todo:
        node = todo.pop()
        seen.add(node)
        for triple in entities.triples((node, None, None)):
            found.add(triple)
            if isinstance(triple[2], URIRef) and triple[2] not in seen:
                todo.add(triple[2])
    return found


@pytest.fixture(scope="module")
def entities(layout: Layout) -> Graph:
    graph = Graph()
    for name in ENTITY_FILES:
        parse_file(layout.data_dir / name, graph)
    return graph


@pytest.fixture(scope="module")
def copies(layout: Layout, entities: Graph) -> list[Graph]:
    entity_files = {layout.data_dir / name for name in ENTITY_FILES}
    source = Graph()
    for path in layout.data_files():
        if path not in entity_files:
            parse_file(path, source)
    described = set(entities.subjects(RDF.type, None))
    return [copy_instance(source, described, node) for node in instances(source)]


@pytest.fixture(scope="module")
def validator(layout: Layout, entities: Graph, copies: list[Graph]) -> Validator:
    """The ontology and the entities of data/ the copies refer to."""
    tree = load_tree(layout)
    return Validator(GraphUnderTest.of_graphs(tree.ontology, referred_to(entities, copies)), tree.shapes)


def test_every_copy_of_a_real_instance_is_accepted(validator: Validator, copies: list[Graph]) -> None:
    assert len(copies) == len(FACT_KINDS) * PER_KIND
    for copy in copies:
        violations = [r for r in validator.contribution_results(copy) if r.is_violation]
        assert violations == [], "\n".join(f"{NAMES.term(r.focus)} {NAMES.term(r.shape)}: {r.message}" for r in violations)


@pytest.mark.slow
def test_at_least_95_percent_of_mutants_are_refused(validator: Validator, copies: list[Graph], capsys: pytest.CaptureFixture[str]) -> None:
    mutants: dict[tuple[str, ...], Mutant] = {}
    for copy in copies:
        for operator in OPERATORS:
            for mutant in operator(copy):
                mutants.setdefault(mutant.signature, mutant)
    survivors = [
        " / ".join(signature)
        for signature, mutant in sorted(mutants.items())
        if not any(r.is_violation for r in validator.contribution_results(mutant.graph))
    ]
    kinds = {signature[0] for signature in mutants}
    assert kinds == {"drop", "date", "link", "concept", "misspell"}, "every operator found something to break"
    killed = len(mutants) - len(survivors)
    with capsys.disabled():
        print(f"\nmutation kill rate: {killed}/{len(mutants)} = {killed / len(mutants):.1%}")
        for survivor in survivors:
            print(f"  survived: {survivor}")
    assert killed / len(mutants) >= 0.95, "survivors:\n" + "\n".join(survivors)
