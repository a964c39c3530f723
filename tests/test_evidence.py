"""Evidence anchors: `normgraph anchor` finds quotes exactly once, and every anchor in the data
resolves in its source text (`normgraph verify-evidence`)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

from normgraph.layout import locate
from normgraph.evidence import ANCHOR_COMPONENT, MAX_QUOTE_WORDS, anchor_results, locate_quote, whole_sentence
from normgraph.namespaces import NG, OA
from normgraph.texts import SourceTexts
from normgraph.shacl_paths import show_path

from .conftest import FIXTURES, copy_fixture_data, fixture_text, run_cli, run_in_process, run_in_tree, snapshot

CHAPTER = "000_bda3b9d9c2b1379f.txt"
CHAPTER_SHA256 = "25adf284f99cab680b5a7e7ec05e995633bb143ecd9a2da4f56fb6e230366428"
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


def _tiny_graph(start: int, end: int, exact: str) -> Graph:
    """One claim with one anchor on the chapter, registered with its real digest."""
    graph = Graph()
    source = URIRef("https://w3id.org/normgraph/id/source/chatterje-doody-2015")
    evidence = URIRef("https://w3id.org/normgraph/id/evidence/test")
    quote, position = URIRef(f"{evidence}/quote"), URIRef(f"{evidence}/position")
    graph.add((source, RDF.type, NG.SourceText))
    graph.add((source, NG.fileName, Literal(CHAPTER)))
    graph.add((source, NG.sha256, Literal(CHAPTER_SHA256)))
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


def test_anchor_results_report_a_shifted_anchor_as_a_violation_on_it(seeds_dir):
    anchor = locate_quote(seeds_dir / CHAPTER, "created in 1992")
    texts = SourceTexts(folders=(seeds_dir,))
    assert anchor_results(_tiny_graph(anchor.start, anchor.end, anchor.exact), texts) == []
    (result,) = anchor_results(_tiny_graph(anchor.start + 1, anchor.end + 1, anchor.exact), texts)
    assert (result.focus, result.severity, result.component, result.value) == (
        URIRef("https://w3id.org/normgraph/id/evidence/test"), SH.Violation, ANCHOR_COMPONENT, Literal("created in 1992"),
    )
    assert show_path(result.path) == "(oa:hasSelector/oa:exact)"
    assert result.message.startswith(f"The quote is not what {CHAPTER} says at {anchor.start + 1}-{anchor.end + 1}: the text there is 'reated in 1992,'.")


def test_an_anchor_on_an_unregistered_source_is_refused(seeds_dir):
    anchor = locate_quote(seeds_dir / CHAPTER, "created in 1992")
    graph = _tiny_graph(anchor.start, anchor.end, anchor.exact)
    graph.remove((None, NG.sha256, None))
    (result,) = anchor_results(graph, SourceTexts(folders=(seeds_dir,)))
    assert result.message.startswith("The anchor's source source:chatterje-doody-2015 is not a registered text: an ng:SourceText needs")


def test_anchor_results_check_only_the_anchors_the_focus_touches(seeds_dir):
    graph = _tiny_graph(1, 2, "invented")
    texts = SourceTexts(folders=(seeds_dir,))
    assert anchor_results(graph, texts, focus={URIRef("https://w3id.org/normgraph/id/claim/other")}) == []
    assert len(anchor_results(graph, texts, focus={CLAIM})) == 1


def test_anchor_results_report_a_changed_source_file(seeds_dir, tmp_path):
    shutil.copy(seeds_dir / CHAPTER, tmp_path / CHAPTER)
    with open(tmp_path / CHAPTER, "a", encoding="utf-8") as handle:
        handle.write("tampered")
    anchor = locate_quote(seeds_dir / CHAPTER, "created in 1992")
    (result,) = anchor_results(_tiny_graph(anchor.start, anchor.end, anchor.exact), SourceTexts(folders=(tmp_path,)))
    assert f"not the {CHAPTER_SHA256} the source records" in result.message


def test_anchor_results_report_a_missing_source_file(tmp_path, seeds_dir):
    anchor = locate_quote(seeds_dir / CHAPTER, "created in 1992")
    (result,) = anchor_results(_tiny_graph(anchor.start, anchor.end, anchor.exact), SourceTexts(folders=(tmp_path,)))
    assert f"the text '{CHAPTER}' is not in {tmp_path}: pass --sources DIR" in result.message


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


# --------------------------------------------------------------------------------------------
# Evidence at the door: validate and add refuse an anchor that does not hold
# --------------------------------------------------------------------------------------------

GOOD = FIXTURES / "valid" / "membership-with-claim.ttl"
EVIDENCE = "chatterje-doody-2015/13404-13419"


def _variant(folder: Path, name: str, *replacements: tuple[str, str]) -> Path:
    """The valid fixture with ``replacements`` made, each of which must apply."""
    text = fixture_text(GOOD)
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    path = folder / f"{name}.ttl"
    path.write_text(text, encoding="utf-8")
    return path


BROKEN = {
    "invented-quote": (
        [('oa:exact "created in 1992"', 'oa:exact "created in 1993"')],
        "The quote is not what 000_bda3b9d9c2b1379f.txt says at 13404-13419: the text there is 'created in 1992'.",
    ),
    "shifted-offsets": (
        [(EVIDENCE, "chatterje-doody-2015/13405-13420"), ('"13404"^^', '"13405"^^'), ('"13419"^^', '"13420"^^')],
        "The quote is not what 000_bda3b9d9c2b1379f.txt says at 13405-13420: the text there is 'reated in 1992,'.",
    ),
    "wrong-prefix": (
        [('oa:prefix "ty Treaty Organisation \\n(CSTO), "', 'oa:prefix "the Shanghai Organisation, "')],
        "oa:prefix is not the text just before the quote in 000_bda3b9d9c2b1379f.txt, which is 'eaty Organisation \\n(CSTO), '",
    ),
    "wrong-suffix": (
        [('oa:suffix ", that has a legal basis for the"', 'oa:suffix " and dissolved in 1999"')],
        "oa:suffix is not the text just after the quote in 000_bda3b9d9c2b1379f.txt, which is ', that has a legal bas'",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
@pytest.mark.parametrize("command", ["validate", "add"])
def test_an_anchor_that_does_not_hold_is_refused(tree: Path, tmp_path: Path, seeds_dir: Path, case: str, command: str) -> None:
    replacements, message = BROKEN[case]
    path = _variant(tmp_path, case, *replacements)
    before = snapshot(tree)
    done = run_in_process(tree, command, str(path))
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"(ngsh:EvidenceAnchor)\n      {message}" in done.stdout
    assert done.stdout.count("(ngsh:EvidenceAnchor)") == 1
    assert snapshot(tree) == before


@pytest.mark.parametrize("command", ["validate", "add"])
def test_an_anchor_whose_text_is_not_found_is_refused_saying_what_to_do(tree: Path, tmp_path: Path, seeds_dir: Path, command: str) -> None:
    empty = tmp_path / "no-texts"
    empty.mkdir()
    before = snapshot(tree)
    done = run_in_process(tree, command, "--sources", str(empty), str(copy_fixture_data(GOOD, tmp_path / GOOD.name)))
    assert done.returncode == 1
    assert (
        f"This anchor cannot be checked against source:chatterje-doody-2015: the text '000_bda3b9d9c2b1379f.txt' is not in "
        f"{tree / 'texts'}, {empty}: pass --sources DIR with the folder that holds it, or, for a new source, --text FILE with its text."
    ) in done.stdout
    assert snapshot(tree) == before


@pytest.mark.parametrize("command", ["validate", "add"])
def test_an_anchor_on_another_version_of_the_text_is_refused(tree: Path, tmp_path: Path, seeds_dir: Path, command: str) -> None:
    changed = tmp_path / "changed"
    changed.mkdir()
    (changed / CHAPTER).write_bytes((seeds_dir / CHAPTER).read_bytes() + b"tampered")
    before = snapshot(tree)
    done = run_in_process(tree, command, str(copy_fixture_data(GOOD, tmp_path / GOOD.name)), NORMGRAPH_SOURCES=str(changed))
    assert done.returncode == 1
    assert f"{changed / CHAPTER} has SHA-256 " in done.stdout
    assert f"not the {CHAPTER_SHA256} the source records: it is another version of the text" in done.stdout
    assert snapshot(tree) == before


@pytest.mark.parametrize("fixture", sorted((FIXTURES / "valid").glob("*.ttl")), ids=lambda p: p.stem)
def test_every_valid_fixture_passes_the_door(tree: Path, tmp_path: Path, seeds_dir: Path, fixture: Path) -> None:
    done = run_in_process(tree, "validate", str(copy_fixture_data(fixture, tmp_path / fixture.name)))
    assert done.returncode == 0, done.stdout + done.stderr


NOTE = "The Fixture Council, founded by its members in 2020, meets twice a year.\n"
NEW_SOURCE = """
source:fixture-note
    a ng:SourceText , bibo:Note ;
    dcterms:title "A note on the Fixture Council"@en ;
    dcterms:creator person:p-n-chatterje-doody ;
    dcterms:language "en" ;
    ng:fileName "fixture-note.txt" ;
    ng:sha256 "{digest}" .
"""


def _new_source_contribution(folder: Path, note: Path) -> Path:
    """The valid fixture, its claim re-anchored in a new source whose text is ``note``."""
    out = run_cli("anchor", str(note), "founded by its members in 2020")
    assert out.returncode == 0, out.stderr
    anchor = Graph().parse(data=out.stdout, format="turtle")
    (evidence,) = anchor.subjects(RDF.type, OA.SpecificResource)
    text = fixture_text(GOOD)
    body = text[: text.index("\n<https://w3id.org/normgraph/id/evidence/") + 1]
    body = body.replace(f"<https://w3id.org/normgraph/id/evidence/{EVIDENCE}>", f"<{evidence}>")
    body = body.replace("dcterms:source source:chatterje-doody-2015", "dcterms:source source:fixture-note")
    membership = text[text.index("membership:fixture-sco-KAZ-member-2001\n    a org:Membership") :]
    digest = hashlib.sha256(note.read_bytes()).hexdigest()
    turtle = anchor.serialize(format="nt")
    path = folder / "new-source.ttl"
    path.write_text(body + membership + NEW_SOURCE.replace("{digest}", digest) + "\n" + turtle, encoding="utf-8")
    return path


def test_a_new_source_is_registered_with_its_text_in_the_same_step(tree: Path, tmp_path: Path, seeds_dir: Path) -> None:
    note = tmp_path / "fixture-note.txt"
    note.write_text(NOTE, encoding="utf-8")
    contribution = _new_source_contribution(tmp_path, note)
    before = snapshot(tree)
    refused = run_in_tree(tree, "add", str(contribution))
    assert refused.returncode == 1
    assert "the text 'fixture-note.txt' is not in" in refused.stdout and "--text FILE" in refused.stdout
    assert snapshot(tree) == before
    renamed = tmp_path / "the text as downloaded.txt"
    shutil.copy(note, renamed)
    assert run_in_tree(tree, "validate", "--text", str(renamed), str(contribution)).returncode == 0
    done = run_in_tree(tree, "add", "--text", str(renamed), str(contribution))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.endswith("registered the text texts/fixture-note.txt\n")
    assert (tree / "texts" / "fixture-note.txt").read_bytes() == note.read_bytes()
    checked = run_in_tree(tree, "verify-evidence")
    assert checked.returncode == 0 and "1 of 1 evidence anchors resolve (100.0%)" in checked.stdout


def test_a_text_that_matches_no_registered_source_is_refused(tree: Path, tmp_path: Path, seeds_dir: Path) -> None:
    stray = tmp_path / "stray.txt"
    stray.write_text("Nothing cites this.\n", encoding="utf-8")
    before = snapshot(tree)
    done = run_in_tree(tree, "add", "--text", str(stray), str(copy_fixture_data(GOOD, tmp_path / GOOD.name)))
    assert done.returncode == 2
    assert "which no ng:SourceText in the contribution or data/ records" in done.stderr
    assert snapshot(tree) == before


# --------------------------------------------------------------------------------------------
# The same check in check and publish, once a bad anchor sits in data/
# --------------------------------------------------------------------------------------------

INVENTED = (
    "The quote is not what 000_bda3b9d9c2b1379f.txt says at 13404-13419: the text there is 'created in 1992'. Quote only "
    'words the source contains, and re-anchor it: run `normgraph anchor SOURCE_FILE "exact words"` and paste the Turtle it prints.'
)


def test_check_validate_and_verify_fail_on_an_anchor_in_data_that_does_not_hold(tree: Path, tmp_path: Path, seeds_dir: Path) -> None:
    replacements, _ = BROKEN["invented-quote"]
    path = _variant(tree / "data", "invented-quote", *replacements)
    done = run_in_tree(tree, "check")
    assert done.returncode == 1
    line = next(n for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text.startswith(f"<https://w3id.org/normgraph/id/evidence/{EVIDENCE}>"))
    assert (
        f"data/invented-quote.ttl:{line}:1: <https://w3id.org/normgraph/id/evidence/{EVIDENCE}>\n"
        f'  violation: (oa:hasSelector/oa:exact) = "created in 1993"  (ngsh:EvidenceAnchor)\n      {INVENTED}\n'
    ) in done.stdout
    verified = run_in_tree(tree, "verify-evidence")
    assert verified.returncode == 1 and "0 of 1 evidence anchors resolve (0.0%)" in verified.stdout
    validated = run_in_tree(tree, "validate")
    assert validated.returncode == 1 and f"(ngsh:EvidenceAnchor)\n      {INVENTED}" in validated.stdout


def test_the_publish_gate_refuses_an_anchor_in_data_that_does_not_hold(tree: Path, seeds_dir: Path) -> None:
    from normgraph.publish import load_inputs, release_gate

    replacements, _ = BROKEN["invented-quote"]
    _variant(tree / "data", "invented-quote", *replacements)
    written = (tree / "data" / "invented-quote.ttl").read_text(encoding="utf-8").splitlines()
    line = written.index(f"<https://w3id.org/normgraph/id/evidence/{EVIDENCE}>") + 1
    problems = release_gate(load_inputs(locate(tree)))
    assert [p for p in problems if "EvidenceAnchor" in p or INVENTED in p] == [
        f"validation: {tree / 'data' / 'invented-quote.ttl'}:{line}:1: <https://w3id.org/normgraph/id/evidence/{EVIDENCE}> (oa:hasSelector/oa:exact): {INVENTED}"
    ]


def test_a_file_name_that_reaches_outside_the_texts_folders_is_refused(tree: Path, tmp_path: Path, seeds_dir: Path) -> None:
    note = tmp_path / "fixture-note.txt"
    note.write_text(NOTE, encoding="utf-8")
    contribution = _new_source_contribution(tmp_path, note)
    contribution.write_text(contribution.read_text(encoding="utf-8").replace('"fixture-note.txt"', '"../fixture-note.txt"'), encoding="utf-8")
    before = snapshot(tree)
    checked = run_in_tree(tree, "validate", str(contribution), NORMGRAPH_SOURCES=str(tmp_path / "tree"))
    assert checked.returncode == 1
    assert "ng:fileName '../fixture-note.txt' is not a bare file name (no folders, not hidden); name the file only" in checked.stdout
    added = run_in_tree(tree, "add", "--text", str(note), str(contribution))
    assert added.returncode == 1, "refused by validation before anything is copied"
    assert snapshot(tree) == before
