"""The ontology and vocabularies: parse, complete headers, every term labelled and defined, only
our own namespaces extended, disjoint backbone, pinned copies of the reused vocabularies, and a
consistent OWL-RL closure that reasons with them."""

from __future__ import annotations

import hashlib
import itertools
import re
import tomllib

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS

from normgraph.layout import REUSED_VOCABULARIES_DIR, reused_vocabulary_files
from normgraph.load import parse_file
from normgraph.namespaces import BIBO, NG, OA, ONTOLOGY_IRI, ORG, OWN_NAMESPACES, VANN, VOCAB
from normgraph.reason import closure, error_messages, is_axiom, reused_vocabularies

from .conftest import FIXTURES, ROOT, run_cli

ONTOLOGY = URIRef(ONTOLOGY_IRI)
TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property)
BACKBONE = [NG.State, NG.Organisation, NG.Person, NG.Claim, NG.Source, NG.Event]


def _has_english(graph: Graph, subject, predicate) -> bool:
    return any(isinstance(o, Literal) and o.language == "en" and str(o).strip() for o in graph.objects(subject, predicate))


def _terms(graph: Graph) -> list[URIRef]:
    return sorted({s for t in TERM_TYPES for s in graph.subjects(RDF.type, t) if isinstance(s, URIRef)})


def test_every_ontology_and_vocabulary_file_parses(layout):
    for path in layout.ontology_files():
        assert len(parse_file(path)) > 20, path


def test_header_is_complete(parts):
    graph = parts.ontology
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in graph
    for predicate in (DCTERMS.title, DCTERMS.description):
        assert _has_english(graph, ONTOLOGY, predicate), predicate
    assert graph.value(ONTOLOGY, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert graph.value(ONTOLOGY, DCTERMS.creator) is not None
    assert graph.value(ONTOLOGY, DCTERMS.created) is not None
    assert graph.value(ONTOLOGY, DCTERMS.modified) is not None
    assert str(graph.value(ONTOLOGY, OWL.versionInfo)) == version
    assert graph.value(ONTOLOGY, OWL.versionIRI) == URIRef(f"{ONTOLOGY_IRI}/{version}")
    assert str(graph.value(ONTOLOGY, VANN.preferredNamespacePrefix)) == "ng"
    assert str(graph.value(ONTOLOGY, VANN.preferredNamespaceUri)) == str(NG)


def test_every_term_is_labelled_defined_and_attributed(parts):
    graph = parts.ontology
    terms = [t for t in _terms(graph) if str(t).startswith(str(NG))]
    assert len(terms) > 60
    missing = [
        (str(term), what)
        for term in terms
        for what, ok in (
            ("rdfs:label@en", _has_english(graph, term, RDFS.label)),
            ("skos:definition@en", _has_english(graph, term, SKOS.definition)),
            ("rdfs:isDefinedBy", graph.value(term, RDFS.isDefinedBy) == ONTOLOGY),
        )
        if not ok
    ]
    assert missing == []


def test_every_concept_is_labelled_defined_and_in_a_scheme(parts):
    graph = parts.ontology
    schemes = set(graph.subjects(RDF.type, SKOS.ConceptScheme))
    concepts = sorted(graph.subjects(RDF.type, SKOS.Concept))
    assert len(schemes) >= 5 and len(concepts) > 80
    missing = []
    for concept in concepts:
        scheme = graph.value(concept, SKOS.inScheme)
        checks = {
            "skos:prefLabel@en": _has_english(graph, concept, SKOS.prefLabel),
            "skos:definition@en": _has_english(graph, concept, SKOS.definition),
            "skos:inScheme (a declared scheme)": scheme in schemes,
            "rdfs:isDefinedBy its scheme": scheme is not None and graph.value(concept, RDFS.isDefinedBy) == scheme,
        }
        missing += [(str(concept), what) for what, ok in checks.items() if not ok]
    assert missing == []


def test_required_vocabularies_exist(parts):
    schemes = set(parts.ontology.subjects(RDF.type, SKOS.ConceptScheme))
    for slug in ("membership-role", "role", "norm", "arena", "event-type"):
        assert URIRef(f"{VOCAB}{slug}") in schemes, slug


def test_membership_roles_cover_the_issue(parts):
    graph = parts.ontology
    roles = {str(c).rsplit("/", 1)[-1] for c in graph.subjects(SKOS.inScheme, URIRef(f"{VOCAB}membership-role"))}
    assert roles == {"member", "founding-member", "observer", "dialogue-partner", "aspirant", "former-member", "excluded-from-meetings"}
    for role in roles:
        assert (URIRef(f"{VOCAB}membership-role/{role}"), RDF.type, URIRef("http://www.w3.org/ns/org#Role")) in graph


def test_no_term_is_defined_in_a_namespace_we_do_not_own(parts):
    graph = parts.ontology
    defined = set(_terms(graph)) | set(graph.subjects(RDF.type, SKOS.Concept)) | set(graph.subjects(RDF.type, SKOS.ConceptScheme))
    foreign = sorted(str(t) for t in defined if not any(str(t).startswith(ns) or str(t) + "/" == ns for ns in OWN_NAMESPACES))
    foreign = [t for t in foreign if not t.startswith("https://w3id.org/normgraph/vocab")]
    assert foreign == []


def test_every_ng_term_used_anywhere_is_defined(parts):
    used = set()
    for graph in (parts.ontology, parts.data, parts.shapes):
        for s, p, o in graph:
            used.update(t for t in (s, p, o) if isinstance(t, URIRef) and str(t).startswith(str(NG)))
    defined = set(_terms(parts.ontology))
    assert sorted(str(t) for t in used - defined) == []


def _disjoint_pairs(graph: Graph) -> set[frozenset]:
    pairs = set()
    for axiom in graph.subjects(RDF.type, OWL.AllDisjointClasses):
        members = list(Collection(graph, graph.value(axiom, OWL.members)))
        pairs.update(frozenset(p) for p in itertools.combinations(members, 2))
    for a, b in graph.subject_objects(OWL.disjointWith):
        pairs.add(frozenset((a, b)))
    return pairs


def test_backbone_classes_are_pairwise_disjoint(parts):
    declared = _disjoint_pairs(parts.ontology)
    missing = [(str(a), str(b)) for a, b in itertools.combinations(BACKBONE, 2) if frozenset((a, b)) not in declared]
    assert missing == []


@pytest.fixture(scope="module")
def expanded(graph):
    return closure(graph)


@pytest.mark.slow
def test_owl_rl_closure_of_ontology_and_data_is_consistent(expanded):
    assert error_messages(expanded) == []


@pytest.mark.slow
def test_backbone_classes_share_no_instance(expanded):
    shared = []
    for a, b in itertools.combinations(BACKBONE, 2):
        common = set(expanded.subjects(RDF.type, a)) & set(expanded.subjects(RDF.type, b))
        shared += [(str(x), str(a), str(b)) for x in common]
    assert shared == []


#: What ``normgraph check`` must report for tests/fixtures/inconsistent/state-is-organisation.ttl.
OWN_VIOLATION = (
    "Disjoint classes https://w3id.org/normgraph/ontology#State and https://w3id.org/normgraph/ontology#Organisation "
    "have a common individual https://w3id.org/normgraph/id/state/XXA"
)


@pytest.fixture(scope="module")
def inconsistent_check():
    """One ``normgraph check --data`` over every fixture in tests/fixtures/inconsistent/: each
    breaks a different axiom, and one closure costs far less than one per fixture."""
    fixtures = sorted((FIXTURES / "inconsistent").rglob("*.ttl"))
    return run_cli("check", "--data", *(str(p) for p in fixtures))


def _reported(result) -> set[str]:
    return {line.strip()[2:] for line in result.stdout.splitlines() if line.startswith("  - ")}


def test_check_reports_an_inconsistent_fixture(inconsistent_check):
    assert inconsistent_check.returncode == 1, inconsistent_check.stdout + inconsistent_check.stderr
    assert OWN_VIOLATION in _reported(inconsistent_check)
    assert "Traceback" not in inconsistent_check.stderr


@pytest.mark.slow
def test_check_on_the_project_is_consistent_and_keeps_every_rule():
    result = run_cli("check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OWL-RL:      consistent" in result.stdout
    rule_files = len(list((ROOT / "rules").glob("*.rq")))
    assert f"rules:       {rule_files:>6} files in rules/, run with the shapes\n" in result.stdout
    assert "gate:        every rule holds (0 warnings)" in result.stdout


# ---------------------------------------------------------------------------------------------
# The reused vocabularies: pinned copies, and a closure that reasons with them
# ---------------------------------------------------------------------------------------------

#: Namespace of each pinned copy, by file stem.
REUSED_NAMESPACES = {
    "prov-o": str(PROV),
    "org": str(ORG),
    "oa": str(OA),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "foaf": str(FOAF),
    "bibo": str(BIBO),
}
REUSED_FIXTURES = FIXTURES / "inconsistent" / "reused"

#: Axioms with which OWL-RL can find a graph inconsistent: as predicates, and as types.
CONTRADICTING_PREDICATES = (
    OWL.disjointWith, OWL.propertyDisjointWith, OWL.disjointUnionOf, OWL.complementOf, OWL.members,
    OWL.maxCardinality, OWL.maxQualifiedCardinality, OWL.hasKey, OWL.differentFrom, OWL.sourceIndividual,
)
CONTRADICTING_TYPES = (
    OWL.FunctionalProperty, OWL.InverseFunctionalProperty, OWL.AsymmetricProperty, OWL.IrreflexiveProperty,
    OWL.AllDisjointClasses, OWL.AllDisjointProperties, OWL.AllDifferent, OWL.NegativePropertyAssertion,
)


def _pinned_sums() -> dict[str, str]:
    """File name -> SHA-256, from the table in the copies' README (the one place they are kept)."""
    readme = (REUSED_VOCABULARIES_DIR / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([^`]+)` \|.*\| `([0-9a-f]{64})` \|$", readme, flags=re.MULTILINE)
    return dict(rows)


def test_every_vocabulary_copy_matches_its_pinned_sha256():
    sums = _pinned_sums()
    on_disk = sorted(p.name for p in REUSED_VOCABULARIES_DIR.iterdir() if p.suffix in (".ttl", ".owl"))
    assert sorted(sums) == on_disk
    changed = {name: hashlib.sha256((REUSED_VOCABULARIES_DIR / name).read_bytes()).hexdigest() for name in sums}
    assert {name: digest for name, digest in changed.items() if digest != sums[name]} == {}


def test_the_reasoner_reads_one_copy_per_reused_vocabulary():
    assert [p.stem for p in reused_vocabulary_files()] == sorted(REUSED_NAMESPACES)
    for path in reused_vocabulary_files():
        graph = parse_file(path)
        declared = [s for s in graph.subjects(RDF.type, None) if str(s).startswith(REUSED_NAMESPACES[path.stem])]
        assert len(declared) > 20, path


def test_the_bibo_turtle_holds_exactly_the_upstream_rdf_xml():
    upstream = Graph().parse(REUSED_VOCABULARIES_DIR / "bibo.owl", format="xml")
    assert isomorphic(upstream, parse_file(REUSED_VOCABULARIES_DIR / "bibo.ttl"))


def test_every_reused_term_the_tree_uses_is_declared_in_its_copy(parts):
    copies = {path.stem: parse_file(path) for path in reused_vocabulary_files()}
    undeclared = set()
    for graph in (parts.ontology, parts.data, parts.shapes):
        for term in {t for triple in graph for t in triple if isinstance(t, URIRef)}:
            for stem, namespace in REUSED_NAMESPACES.items():
                if str(term).startswith(namespace) and (term, None, None) not in copies[stem]:
                    undeclared.add(str(term))
    assert sorted(undeclared) == []


def test_the_reasoner_gets_every_axiom_and_no_documentation():
    axioms = reused_vocabularies()
    assert (PROV.Activity, OWL.disjointWith, PROV.Entity) in axioms
    assert (SKOS.Collection, OWL.disjointWith, SKOS.Concept) in axioms
    assert (OA.Motivation, RDFS.subClassOf, SKOS.Concept) in axioms
    assert not list(axioms.triples((None, RDFS.label, None)))
    assert not list(axioms.triples((None, SKOS.definition, None)))
    blank_axioms = 0
    for path in reused_vocabulary_files():
        for triple in parse_file(path):
            if any(isinstance(node, BNode) for node in triple):
                blank_axioms += is_axiom(triple[1])  # blank nodes differ from parse to parse
            else:
                assert (triple in axioms) == is_axiom(triple[1]), (path.name, triple)
    assert sum(1 for triple in axioms if any(isinstance(node, BNode) for node in triple)) == blank_axioms


def _contradicting_axioms(graph: Graph) -> list[tuple]:
    found = [(s, p, o) for p in CONTRADICTING_PREDICATES for s, o in graph.subject_objects(p)]
    found += [(s, RDF.type, t) for t in CONTRADICTING_TYPES for s in graph.subjects(RDF.type, t)]
    return found


#: One deliberate violation per reused vocabulary: a fixture in tests/fixtures/inconsistent/reused/
#: and the messages ``normgraph check`` must print for it. A vocabulary that nothing can violate
#: gives the reason instead, and the test proves that reason.
REUSED_VIOLATIONS = [
    pytest.param(
        "prov-o",
        ["Disjoint classes http://www.w3.org/ns/prov#Activity and http://www.w3.org/ns/prov#Entity have a common individual https://w3id.org/normgraph/id/event/fixture-summit"],
        id="prov-o: activity and entity are disjoint",
    ),
    pytest.param(
        "org",
        ["Disjoint classes http://www.w3.org/ns/org#Organization and http://www.w3.org/ns/org#Role have a common individual https://w3id.org/normgraph/id/org/fixture-union"],
        id="org: organization and role are disjoint",
    ),
    pytest.param(
        "skos",
        ["Disjoint classes http://www.w3.org/2004/02/skos/core#ConceptScheme and http://www.w3.org/2004/02/skos/core#Concept have a common individual https://w3id.org/normgraph/vocab/membership-role/member"],
        id="skos: concept and concept scheme are disjoint",
    ),
    pytest.param(
        "foaf",
        [
            "Disjoint classes http://xmlns.com/foaf/0.1/Organization and http://xmlns.com/foaf/0.1/Person have a common individual https://w3id.org/normgraph/id/person/fixture-envoy",
            "Disjoint classes http://xmlns.com/foaf/0.1/Person and http://xmlns.com/foaf/0.1/Organization have a common individual https://w3id.org/normgraph/id/person/fixture-envoy",
        ],
        id="foaf: person and organization are disjoint",
    ),
    pytest.param(
        "bibo",
        [
            "Disjoint classes https://w3id.org/normgraph/ontology#State and https://w3id.org/normgraph/ontology#Source have a common individual https://w3id.org/normgraph/id/state/XXB",
            "Disjoint classes https://w3id.org/normgraph/ontology#State and https://w3id.org/normgraph/ontology#Source have a common individual https://w3id.org/normgraph/id/work/fixture-book",
        ],
        id="bibo: no disjoint classes; a document part is part of at most one thing",
    ),
    pytest.param(
        "oa",
        ["Disjoint classes http://www.w3.org/2004/02/skos/core#ConceptScheme and http://www.w3.org/2004/02/skos/core#Concept have a common individual https://w3id.org/normgraph/vocab/claim-type"],
        id="oa: no disjoint classes; a purpose is an oa:Motivation, which is a skos:Concept",
    ),
    pytest.param(
        "dcterms",
        "dcterms declares no disjointness, functional property, cardinality or key, and no reused "
        "vocabulary declares any of its classes disjoint from another: no data can contradict it",
        id="dcterms: nothing to violate",
    ),
]


def test_every_reused_vocabulary_fixture_is_listed():
    listed = sorted(f"{p.values[0]}.ttl" for p in REUSED_VIOLATIONS if isinstance(p.values[1], list))
    assert sorted(p.name for p in REUSED_FIXTURES.glob("*.ttl")) == listed


@pytest.mark.parametrize(("vocabulary", "expected"), REUSED_VIOLATIONS)
def test_check_fails_on_a_violation_of_each_reused_vocabulary(vocabulary, expected, inconsistent_check):
    if isinstance(expected, str):
        copy = parse_file(REUSED_VOCABULARIES_DIR / f"{vocabulary}.ttl")
        assert _contradicting_axioms(copy) == []
        classes = {c for t in (RDFS.Class, OWL.Class) for c in copy.subjects(RDF.type, t)}
        disjoint = {c for pair in _disjoint_pairs(reused_vocabularies()) for c in pair}
        assert classes and classes.isdisjoint(disjoint)
        return
    assert inconsistent_check.returncode == 1, inconsistent_check.stdout + inconsistent_check.stderr
    assert set(expected) <= _reported(inconsistent_check)


def test_check_reports_exactly_the_injected_violations(inconsistent_check):
    expected = {OWN_VIOLATION} | {m for p in REUSED_VIOLATIONS if isinstance(p.values[1], list) for m in p.values[1]}
    assert _reported(inconsistent_check) >= expected
    assert f"OWL-RL:      inconsistent ({len(expected)} problems)" in inconsistent_check.stdout


@pytest.mark.slow
def test_the_closure_applies_the_reused_axioms_but_carries_none_of_them(graph, expanded):
    agreement = URIRef("https://w3id.org/normgraph/id/agreement/eu-russia-pca")
    assert (agreement, NG.participant, URIRef("https://w3id.org/normgraph/id/state/RUS")) in graph
    assert (agreement, RDF.type, PROV.Entity) in expanded
    assert (agreement, RDF.type, PROV.Activity) not in expanded
    vocabulary_blank_nodes = {n for triple in reused_vocabularies() for n in triple if isinstance(n, BNode)}
    built_in = (str(RDF), str(RDFS), str(OWL), "http://www.w3.org/2001/XMLSchema#")
    foreign = [
        triple
        for triple in expanded
        if triple not in graph
        and ((triple in reused_vocabularies() and not str(triple[0]).startswith(built_in)) or any(node in vocabulary_blank_nodes for node in triple))
    ]
    assert foreign == []
    for term in (PROV.Activity, FOAF.Agent, SKOS.Concept, OA.Motivation):
        assert set(expanded.triples((term, None, None))) <= set(graph.triples((term, None, None))), term
