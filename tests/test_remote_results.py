"""Reading other servers' answers: SPARQL results JSON into normgraph's results, including the
spellings Virtuoso uses (``1`` for true, ASK as a one-row table)."""

from __future__ import annotations

from normgraph.terms import Term
from normgraph.remote import release_graph, result_from_json

XSD = "http://www.w3.org/2001/XMLSchema#"


def test_bindings_become_terms_with_unbound_variables_as_none():
    document = {
        "head": {"vars": ["s", "label", "n"]},
        "results": {"bindings": [
            {"s": {"type": "uri", "value": "https://w3id.org/normgraph/id/org/sco"},
             "label": {"type": "literal", "value": "SCO", "xml:lang": "en"}},
            {"s": {"type": "bnode", "value": "b0"}, "n": {"type": "literal", "value": "5", "datatype": XSD + "integer"}},
        ]},
    }
    result = result_from_json(document)
    assert result.variables == ("s", "label", "n")
    assert result.rows == (
        (Term("iri", "https://w3id.org/normgraph/id/org/sco"), Term("literal", "SCO", None, "en"), None),
        (Term("bnode", "b0"), None, Term("literal", "5", XSD + "integer")),
    )
    assert not result.truncated


def test_the_row_cap_applies_to_remote_answers():
    rows = [{"x": {"type": "literal", "value": str(i)}} for i in range(5)]
    result = result_from_json({"head": {"vars": ["x"]}, "results": {"bindings": rows}}, max_rows=3)
    assert [row[0].value for row in result.rows] == ["0", "1", "2"]
    assert result.truncated


def test_virtuoso_spellings_are_read_as_what_they_mean():
    booleans = {"head": {"vars": ["b"]}, "results": {"bindings": [{"b": {"type": "typed-literal", "value": "1", "datatype": XSD + "boolean"}}]}}
    assert result_from_json(booleans).rows[0][0] == Term("literal", "true", XSD + "boolean")
    ask = {"head": {"vars": ["__ASK_RETVAL"]}, "results": {"bindings": [{"__ASK_RETVAL": {"type": "literal", "value": "0"}}]}}
    assert result_from_json(ask, form="ASK").boolean is False
    assert result_from_json({"head": {}, "boolean": True}).boolean is True


def test_a_release_has_its_own_graph():
    assert release_graph("0.1.0") == "https://w3id.org/normgraph/release/0.1.0/"
