"""The OWL 2 RL inconsistency rules as SPARQL (normgraph.consistency) against owlrl, the reference.

Each injected case is a few triples beside the ontology and the reused vocabularies that make
the graph inconsistent, with the individual at fault; the rules must name it. The slow tier
proves that owlrl names it too, and that both find the curated tree consistent.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Graph

from normgraph.consistency import add_reused_vocabularies, check, consistency_rules
from normgraph.load import GRAPHS, Parts, load_parts
from normgraph.reason import inconsistencies

from .conftest import FIXTURES

PREFIXES = """
@prefix ng: <https://w3id.org/normgraph/ontology#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <http://example.org/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
"""
EX = "http://example.org/"



def case(data: str, individual: str, rule: str, *, id: str, owlrl_names: str | None = None):  # noqa: A002 - pytest's name
    """Data, the individual at fault, the rule file that must report it, and what owlrl's message
    names: the individual, except where owlrl's message names another term (its cls-com message
    gives the second class, not the element)."""
    return pytest.param(data, individual, rule, owlrl_names or individual, id=id)


INJECTED = [
    case("ex:x a ng:State , ng:Organisation .", "x", "disjoint-classes", id="cax-adc: all-disjoint backbone classes"),
    case("ex:x a ng:Agreement , ng:Claim .", "x", "disjoint-classes", id="cax-dw: disjointWith"),
    case("ex:x a ng:State . ex:c ng:supports ex:x . ex:x ng:supports ex:y .", "x", "disjoint-classes", id="cax-dw: a type from a domain"),
    case("ex:C owl:complementOf ex:D . ex:x a ex:C , ex:D .", "x", "disjoint-classes", id="cls-com", owlrl_names="D"),
    case("ex:x a owl:Nothing .", "x", "cls-nothing2", id="cls-nothing2"),
    case("ex:a owl:sameAs ex:b . ex:a owl:differentFrom ex:b .", "a", "eq-diff1", id="eq-diff1"),
    case("[] a owl:AllDifferent ; owl:members ( ex:a ex:b ex:c ) . ex:a owl:sameAs ex:b .", "a", "eq-diff2", id="eq-diff2"),
    case("ex:a owl:sameAs ex:b . ex:a a ng:State . ex:b a ng:Claim .", "a", "disjoint-classes", id="eq-rep: types of an equal individual"),
    case("ex:m org:member ex:a , ex:b . ex:a a ng:State . ex:b a ng:Organisation .", "a", "disjoint-classes", id="prp-fp: two members made equal"),
    case("ex:a foaf:homepage ex:h . ex:b foaf:homepage ex:h . ex:a a ng:State . ex:b a ng:Claim .", "b", "disjoint-classes", id="prp-ifp: two holders made equal"),
    case("ex:p a owl:IrreflexiveProperty . ex:q rdfs:subPropertyOf ex:p . ex:x ex:q ex:x .", "x", "prp-irp", id="prp-irp through a sub-property"),
    case("ex:p a owl:AsymmetricProperty . ex:x ex:p ex:y . ex:y ex:p ex:x .", "x", "prp-asyp", id="prp-asyp"),
    case("ex:p owl:propertyDisjointWith ex:q . ex:x ex:p ex:y ; ex:q ex:y .", "x", "prp-pdw", id="prp-pdw"),
    case("[] a owl:AllDisjointProperties ; owl:members ( ex:p ex:q ex:r ) . ex:x ex:p ex:y ; ex:q ex:y .", "x", "prp-pdw", id="prp-adp"),
    case("[] owl:sourceIndividual ex:x ; owl:assertionProperty ex:p ; owl:targetIndividual ex:y . ex:x ex:p ex:y .", "x", "prp-npa", id="prp-npa1"),
    case("[] owl:sourceIndividual ex:x ; owl:assertionProperty ex:p ; owl:targetValue 5 . ex:x ex:p 5 .", "x", "prp-npa", id="prp-npa2"),
    case("ex:x a prov:Communication ; prov:hadActivity ex:y .", "y", "cls-maxc1", id="cls-maxc1: PROV-O's activity influence"),
    case("ex:R owl:maxQualifiedCardinality 0 ; owl:onProperty ex:p ; owl:onClass ex:D . ex:x a ex:R ; ex:p ex:y . ex:y a ex:D .", "y", "cls-maxqc1", id="cls-maxqc1"),
]


def _graph(data: str) -> Graph:
    return Graph().parse(data=PREFIXES + data, format="turtle")


def _found(parts: Parts, data: str) -> list:
    """The rules' findings on the ontology, the reused vocabularies and ``data``, in a new store."""
    store = ox.Store()
    store.bulk_extend(parts.quads("ontology"))
    store.load(PREFIXES + data, format=ox.RdfFormat.TURTLE, to_graph=GRAPHS["data"])
    return check(store, [GRAPHS["ontology"], GRAPHS["data"], add_reused_vocabularies(store)])


def _named(found: list) -> set[str]:
    """Every IRI a finding names (its individual and the other terms of its row)."""
    return {term.value for one in found for term in one.row.values() if isinstance(term, ox.NamedNode)}


@pytest.mark.parametrize(("data", "individual", "rule", "owlrl_names"), INJECTED)
def test_the_rules_find_each_injected_inconsistency(parts, data, individual, rule, owlrl_names):
    found = _found(parts, data)
    assert EX + individual in _named([one for one in found if one.rule == rule]), found


@pytest.mark.slow
@pytest.mark.parametrize(("data", "individual", "rule", "owlrl_names"), INJECTED)
def test_owlrl_finds_each_injected_inconsistency_at_the_same_individual(parts, data, individual, rule, owlrl_names):
    messages = inconsistencies(parts.ontology + _graph(data))
    assert any(EX + owlrl_names in message for message in messages), messages
    assert EX + individual in _named(_found(parts, data))


def test_two_literal_values_of_a_functional_property_are_consistent_as_for_owlrl(parts):
    assert _found(parts, "ex:x foaf:age 30 , 31 .") == []


def test_each_rule_names_its_owl_rl_rules_and_fills_every_slot(parts):
    rules = consistency_rules()
    assert {rule_id for rule in rules for rule_id in rule.rule_ids} >= {
        "cax-dw", "cax-adc", "cls-com", "cls-nothing2", "cls-maxc1", "cls-maxqc1", "cls-maxqc2", "eq-diff1",
        "eq-diff2", "eq-diff3", "prp-irp", "prp-asyp", "prp-pdw", "prp-adp", "prp-npa1", "prp-npa2",
    }
    assert _found(parts, "") == []  # every query renders and runs


def test_the_rules_find_every_inconsistent_fixture_at_the_individuals_owlrl_names(layout):
    """tests/test_ontology.py holds owlrl's messages for these fixtures, run through ``check``."""
    fixtures = sorted((FIXTURES / "inconsistent").rglob("*.ttl"))
    parts = load_parts(layout, data_files=fixtures)
    found = check(parts.store, [GRAPHS["ontology"], GRAPHS["data"], add_reused_vocabularies(parts.store)])
    assert {one.focus.value for one in found} == {
        "https://w3id.org/normgraph/id/state/XXA",
        "https://w3id.org/normgraph/id/state/XXB",
        "https://w3id.org/normgraph/id/work/fixture-book",
        "https://w3id.org/normgraph/id/event/fixture-summit",
        "https://w3id.org/normgraph/id/org/fixture-union",
        "https://w3id.org/normgraph/id/person/fixture-envoy",
        "https://w3id.org/normgraph/vocab/claim-type",
        "https://w3id.org/normgraph/vocab/membership-role/member",
    }


def test_the_curated_tree_is_consistent_for_the_rules(parts):
    store = ox.Store()
    store.bulk_extend(parts.quads("ontology", "data"))
    assert check(store, [GRAPHS["ontology"], GRAPHS["data"], add_reused_vocabularies(store)]) == []


@pytest.mark.slow
def test_owlrl_finds_the_curated_tree_consistent_too(parts):
    assert inconsistencies(parts.union()) == []


@pytest.mark.slow
def test_owlrl_skips_the_last_member_of_an_all_different_list_which_the_rules_do_not(parts):
    """A known departure of owlrl from OWL 2 RL eq-diff2 (its loop stops one member short)."""
    data = "[] a owl:AllDifferent ; owl:members ( ex:a ex:b ex:c ) . ex:b owl:sameAs ex:c ."
    assert inconsistencies(_graph(data)) == []
    assert {EX + "b", EX + "c"} <= _named(_found(parts, data))
