"""Evidence anchors: `normgraph anchor` finds quotes exactly once, and every anchor in the data
resolves in its source text (`normgraph verify-evidence`)."""

from __future__ import annotations

import shutil

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from normgraph.evidence import MAX_QUOTE_WORDS, locate_quote, verify, whole_sentence
from normgraph.namespaces import NG, OA

from .conftest import run_cli

CHAPTER = "000_bda3b9d9c2b1379f.txt"
CLAIM = URIRef("https://w3id.org/normgraph/id/claim/test-claim")


def _anchor_graph(seeds_dir, quote: str, **kwargs) -> Graph:
    result = run_cli("anchor", str(seeds_dir / CHAPTER), quote, *sum((["--" + k, v] for k, v in kwargs.items()), []))
    assert result.returncode == 0, result.stderr
    return Graph().parse(data=result.stdout, format="turtle")


def test_anchor_records_the_exact_text_at_its_offsets(seeds_dir):
    graph = _anchor_graph(seeds_dir, "Yevgeny Primakov, Russia’s foreign minister from 1996- 1998")
    start = int(next(graph.objects(None, OA.start)))
    end = int(next(graph.objects(None, OA.end)))
    exact = str(next(graph.objects(None, OA.exact)))
    text = (seeds_dir / CHAPTER).read_text(encoding="utf-8")
    assert text[start:end] == exact
    assert exact == "Yevgeny Primakov, Russia’s foreign minister from 1996-\n1998"  # the line break is kept
    source = next(graph.objects(None, OA.hasSource))
    assert source == URIRef("https://w3id.org/normgraph/id/source/chatterje-doody-2015")
    assert str(next(graph.objects(None, OA.prefix))) == text[start - 32 : start]


def test_anchor_refuses_an_absent_quote(seeds_dir):
    result = run_cli("anchor", str(seeds_dir / CHAPTER), "Russia joined NATO in 1999")
    assert result.returncode == 2
    assert "does not occur in 000_bda3b9d9c2b1379f.txt" in result.stderr
    assert "Traceback" not in result.stderr


def test_anchor_refuses_an_ambiguous_quote_and_asks_for_a_prefix(seeds_dir):
    result = run_cli("anchor", str(seeds_dir / CHAPTER), "the Ukraine crisis")
    assert result.returncode == 2
    assert "occurs 4 times" in result.stderr and "(at offsets 13720, 23868, 27490, 31461)" in result.stderr
    assert "--prefix" in result.stderr


def test_a_prefix_picks_one_occurrence(seeds_dir):
    graph = _anchor_graph(seeds_dir, "the Ukraine crisis", prefix="pre-dating")
    text = (seeds_dir / CHAPTER).read_text(encoding="utf-8")
    start = int(next(graph.objects(None, OA.start)))
    assert start == 13720
    assert text[start - len("pre-dating ") : start] == "pre-dating "


def test_anchor_refuses_a_long_quote(seeds_dir):
    quote = " ".join(["word"] * (MAX_QUOTE_WORDS + 1))
    result = run_cli("anchor", str(seeds_dir / CHAPTER), quote)
    assert result.returncode == 2
    assert f"at most {MAX_QUOTE_WORDS} words" in result.stderr


def test_every_anchor_in_the_data_resolves(seeds_dir):
    result = run_cli("verify-evidence", "--sources", str(seeds_dir))
    assert result.returncode == 0, result.stdout
    assert "(100.0%)" in result.stdout
    assert "FAIL" not in result.stdout


def _tiny_graph(seeds_dir, start: int, end: int, exact: str) -> Graph:
    """One claim with one anchor on the chapter, with the given selector values."""
    graph = Graph()
    source = URIRef("https://w3id.org/normgraph/id/source/chatterje-doody-2015")
    evidence = URIRef("https://w3id.org/normgraph/id/evidence/test")
    quote, position = URIRef(f"{evidence}/quote"), URIRef(f"{evidence}/position")
    graph.add((source, NG.fileName, Literal(CHAPTER)))
    graph.add((CLAIM, NG.hasEvidence, evidence))
    graph.add((evidence, RDF.type, OA.SpecificResource))
    graph.add((evidence, OA.hasSource, source))
    graph.add((evidence, OA.hasSelector, quote))
    graph.add((evidence, OA.hasSelector, position))
    graph.add((quote, RDF.type, OA.TextQuoteSelector))
    graph.add((quote, OA.exact, Literal(exact)))
    graph.add((position, RDF.type, OA.TextPositionSelector))
    graph.add((position, OA.start, Literal(start)))
    graph.add((position, OA.end, Literal(end)))
    return graph


def test_verify_reports_a_shifted_anchor_with_its_claim(seeds_dir):
    anchor = locate_quote(seeds_dir / CHAPTER, "created in 1992")
    good = verify(_tiny_graph(seeds_dir, anchor.start, anchor.end, anchor.exact), seeds_dir)
    assert good.ok and good.checked == 1
    bad = verify(_tiny_graph(seeds_dir, anchor.start + 1, anchor.end + 1, anchor.exact), seeds_dir)
    assert [f.users for f in bad.failures] == [(str(CLAIM),)]
    assert "does not match the text" in bad.failures[0].problem


def test_verify_reports_a_changed_source_file(seeds_dir, tmp_path):
    shutil.copy(seeds_dir / CHAPTER, tmp_path / CHAPTER)
    with open(tmp_path / CHAPTER, "a", encoding="utf-8") as handle:
        handle.write("tampered")
    anchor = locate_quote(seeds_dir / CHAPTER, "created in 1992")
    graph = _tiny_graph(seeds_dir, anchor.start, anchor.end, anchor.exact)
    graph.add((URIRef("https://w3id.org/normgraph/id/source/chatterje-doody-2015"), NG.sha256, Literal("0" * 64)))
    report = verify(graph, tmp_path)
    assert not report.ok
    assert "SHA-256 mismatch" in report.failures[0].problem


def test_verify_reports_a_missing_source_file(tmp_path, seeds_dir):
    anchor = locate_quote(seeds_dir / CHAPTER, "created in 1992")
    report = verify(_tiny_graph(seeds_dir, anchor.start, anchor.end, anchor.exact), tmp_path)
    assert "missing file" in report.failures[0].problem


@pytest.mark.parametrize("quote", ["", "   "])
def test_empty_quotes_are_refused(seeds_dir, quote):
    result = run_cli("anchor", str(seeds_dir / CHAPTER), quote)
    assert result.returncode == 2 and "empty" in result.stderr


@pytest.mark.parametrize(
    ("text", "quote", "whole"),
    [
        ("It rained. The CSTO was created in 1992. Then", "The CSTO was created in 1992", True),
        ("It rained. The CSTO was created in 1992. Then", "The CSTO was created in 1992.", True),
        ("region.1 This attempt failed.2 Next", "This attempt failed", True),
        ("and Tajikistan.[1] As the latter states are allied. Next", "As the latter states are allied", True),
        ("the end.\n1\nAzerbaijan and Georgia later left the organization.", "Azerbaijan and Georgia later left the organization", True),
        ("It rained. The CSTO was created in 1992. Then", "The CSTO was created", False),
        ("It rained. The CSTO was created in 1992. Then", "CSTO was created in 1992", False),
    ],
)
def test_whole_sentences_are_recognised(text, quote, whole):
    start = text.index(quote)
    assert whole_sentence(text, start, start + len(quote)) is whole


def test_anchor_refuses_a_whole_sentence(seeds_dir):
    result = run_cli("anchor", str(seeds_dir / "001_affc9d3d0aae22e6.txt"), "The CIS was created in 1991 as a framework for dealing with the multitude of challenges")
    assert result.returncode == 0, result.stderr  # a phrase: accepted
    sentence = "The CSTO has been holding regular military exercises and maintains a Joint Rapid Reaction Force"
    result = run_cli("anchor", str(seeds_dir / "001_affc9d3d0aae22e6.txt"), sentence)
    assert result.returncode == 2
    assert "whole sentence" in result.stderr
