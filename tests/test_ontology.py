"""The ontology and vocabularies: parse, complete headers, every term labelled and defined, only
our own namespaces extended, disjoint backbone, and a consistent OWL-RL closure."""

from __future__ import annotations

import itertools
import tomllib

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from normgraph.load import parse_file
from normgraph.namespaces import NG, ONTOLOGY_IRI, OWN_NAMESPACES, VANN, VOCAB
from normgraph.reason import closure, error_messages

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


def test_owl_rl_closure_of_ontology_and_data_is_consistent(expanded):
    assert error_messages(expanded) == []


def test_backbone_classes_share_no_instance(expanded):
    shared = []
    for a, b in itertools.combinations(BACKBONE, 2):
        common = set(expanded.subjects(RDF.type, a)) & set(expanded.subjects(RDF.type, b))
        shared += [(str(x), str(a), str(b)) for x in common]
    assert shared == []


def test_check_reports_an_inconsistent_fixture():
    fixture = FIXTURES / "inconsistent" / "state-is-organisation.ttl"
    result = run_cli("check", "--data", str(fixture))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "OWL-RL:      inconsistent" in result.stdout
    assert "https://w3id.org/normgraph/id/state/XXA" in result.stdout
    assert "Traceback" not in result.stderr


def test_check_on_the_project_is_consistent_and_passes_its_checks():
    result = run_cli("check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OWL-RL:      consistent" in result.stdout
    assert "checks:      " in result.stdout and " zero-row checks pass" in result.stdout
    assert "FAIL" not in result.stdout
