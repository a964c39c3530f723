"""One gate: every rule, written once, is enforced the same way by validate, add, check and
publish, with the same message; and one loader holds every command's input to the same bounds.

Each rule file in rules/ and a representative set of shapes has a contribution in
tests/fixtures/gate/ that breaks it. The contribution is refused by validate and add, with data/
left byte for byte as it was; copied into data/ it makes check and publish fail. All four print
the rule's message."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from normgraph.layout import locate
from normgraph.rules import RULE, load_rules
from normgraph.texts import source_texts
from normgraph.display import NGSH
from normgraph.validate import validate_tree
from normgraph.validation_report import report_data

from .conftest import FIXTURES, ROOT, run_in_process, run_in_tree, scratch_tree, snapshot

RULE_FILES = sorted((ROOT / "rules").glob("*.rq"))
#: Each fixture of tests/fixtures/gate/ and the rule (a rule file or a shape) it breaks.
CASES = {
    **{path.stem: RULE[path.stem] for path in RULE_FILES},
    "claim-shape-without-evidence": NGSH["Claim-evidence-present"],
    "known-ontology-term-misspelt": NGSH.KnownOntologyTermsShape,
    "node-supported-by-no-claim": NGSH.SupportedByClaim,
    "referenced-entity-undescribed": NGSH.ReferencedEntityShape,
    "shortcut-founding-unbacked": NGSH.ShortcutBackedShape,
    "shortcut-role-unbacked": NGSH.ShortcutBackedShape,
    "shortcut-stance-unbacked": NGSH.ShortcutBackedShape,
}


def test_every_rule_file_has_a_fixture_and_a_header() -> None:
    assert RULE_FILES
    assert {path.stem for path in (FIXTURES / "gate").glob("*.ttl")} == set(CASES)
    for rule in load_rules(ROOT / "rules"):
        assert rule.summary and rule.message, rule.path


@pytest.fixture(scope="module")
def clean_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One scratch tree that every case is validated and added against; each test proves that it
    stays byte for byte as it was, so the cases can share it."""
    return scratch_tree(tmp_path_factory.mktemp("clean"))


@pytest.fixture(scope="module")
def broken_tree(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str], subprocess.CompletedProcess[str]]:
    """One scratch tree holding every case's file in data/ at once, with one ``check`` and one
    ``publish`` run over it: each case's message must appear in both, beside the others' (one run
    each instead of one per case; the closure and the release gate cost seconds apiece)."""
    root = scratch_tree(tmp_path_factory.mktemp("broken"))
    for name in CASES:
        shutil.copy(FIXTURES / "gate" / f"{name}.ttl", root / "data" / f"{name}.ttl")
    checked = run_in_tree(root, "check")
    published = run_in_tree(root, "publish", "--quiet", "--out", str(root.parent / "dist"))
    return root, checked, published


def _message_from_validate(root: Path, fixture: Path, rule: str) -> str:
    """The rule's message in the report validate builds for ``fixture`` (the library the command
    calls, in this process: the command's own output is tested beside it)."""
    layout = locate(root)
    report = report_data(validate_tree(layout, [fixture], texts=source_texts(layout, None)))
    assert not report["conforms"], report
    messages = [r["message"] for r in report["results"] if r["sourceShape"]["value"] == rule]
    assert messages, report["results"]
    return messages[0]


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_broken_rule_is_refused_by_every_gate_with_one_message(clean_tree: Path, broken_tree: tuple, name: str) -> None:
    fixture = FIXTURES / "gate" / f"{name}.ttl"
    message = _message_from_validate(clean_tree, fixture, str(CASES[name]))
    before = snapshot(clean_tree)

    validated = run_in_process(clean_tree, "validate", "--no-cache", str(fixture))
    assert validated.returncode == 1 and message in validated.stdout, validated.stdout
    added = run_in_process(clean_tree, "add", str(fixture))
    assert added.returncode == 1 and message in added.stdout, added.stdout + added.stderr
    assert snapshot(clean_tree) == before

    root, checked, published = broken_tree
    assert checked.returncode == 1 and message in checked.stdout, checked.stdout + checked.stderr
    assert published.returncode != 0 and message in published.stderr, published.stdout + published.stderr
    assert "Traceback" not in checked.stderr + published.stderr
    assert not (root.parent / "dist").exists() or not any((root.parent / "dist").iterdir())


def test_a_date_on_an_unclaimed_node_is_refused_at_the_door(tree: Path) -> None:
    """The case from the issue: add used to accept it, then check and publish failed."""
    fixture = FIXTURES / "gate" / "dated-fact-outside-claimed-node.ttl"
    done = run_in_tree(tree, "add", str(fixture))
    assert done.returncode == 1
    assert "ng:date \"2001\"^^xsd:gYear is a sourced fact, but no claim supports org-id:sco" in done.stdout


# --------------------------------------------------------------------------------------------
# One loader, one set of bounds, for every command
# --------------------------------------------------------------------------------------------

COMMANDS = [("validate", "{file}"), ("add", "{file}"), ("check", "--data", "{file}")]


def _one_line_error(done: subprocess.CompletedProcess[str]) -> str:
    """The error a command stopped with: exit 2, one line. Warnings printed before it (publish
    says when it cannot tell whether data/ is committed) are not part of the error."""
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines(keepends=True) if ": warning: " not in line]
    assert len(errors) == 1, done.stderr
    return errors[0].split(": error: ", 1)[1]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_an_iri_with_a_space_is_a_clean_error_in_every_command(tree: Path, command: tuple[str, ...]) -> None:
    path = tree.parent / "space.ttl"
    path.write_text("@prefix ng: <https://w3id.org/normgraph/ontology#> .\n\n<https://w3id.org/normgraph/id/org/a b> ng:date 1 .\n", encoding="utf-8")
    before = snapshot(tree)
    done = run_in_tree(tree, *(part.format(file=path) for part in command))
    assert _one_line_error(done) == f"{path}:3:1: Turtle syntax error: Invalid IRI code point ' '\n"
    assert snapshot(tree) == before


@pytest.mark.parametrize("command", ["validate", "check", "stats", "publish", "sparql"])
def test_a_bad_bound_setting_names_its_variable(tree: Path, command: str) -> None:
    args = {"publish": ("publish", "--quiet", "--out", str(tree.parent / "dist")), "sparql": ("sparql", "ASK {}")}.get(command, (command,))
    done = run_in_tree(tree, *args, NORMGRAPH_MAX_BYTES="abc")
    assert _one_line_error(done) == "$NORMGRAPH_MAX_BYTES must be a whole number (the largest input file, in bytes), not 'abc'\n"


def test_a_bad_file_in_data_is_a_clean_error_in_every_command(tree: Path) -> None:
    bad = tree / "data" / "broken.ttl"
    bad.write_text("@prefix ng: <https://w3id.org/normgraph/ontology#> .\nng:a ng:b .\n", encoding="utf-8")
    messages = set()
    for args in (("validate", "--no-cache"), ("check",), ("stats",), ("publish", "--quiet", "--out", str(tree.parent / "dist")), ("sparql", "ASK {}")):
        messages.add(_one_line_error(run_in_tree(tree, *args)))
    assert len(messages) == 1
    assert messages.pop().startswith(f"{bad}:2:")


def test_a_long_literal_is_refused_with_its_position(tree: Path) -> None:
    path = tree.parent / "long.ttl"
    path.write_text('<http://x/s> <http://x/p>\n  "' + "x" * 10_001 + '" .\n', encoding="utf-8")
    before = snapshot(tree)
    for command in ("validate", "add"):
        done = run_in_tree(tree, command, str(path))
        assert _one_line_error(done) == f"{path}:2:3: a literal of 10001 characters, over the limit of 10000 (set NORMGRAPH_MAX_LITERAL to raise it)\n"
    assert snapshot(tree) == before
    raised = run_in_tree(tree, "validate", str(path), NORMGRAPH_MAX_LITERAL="20000")
    assert raised.returncode == 1 and raised.stderr == "", raised.stderr  # loaded; only the shapes object


_PEAK = """
import resource, sys
from normgraph.cli import main
code = main(["--root", sys.argv[1], "validate", "--no-cache", sys.argv[2]])
print(code, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def test_a_fifty_megabyte_literal_is_refused_without_eating_memory(tree: Path) -> None:
    """Once accepted after a minute at 13 GB; now refused by the loader as soon as it is read."""
    path = tree.parent / "huge.ttl"
    with path.open("w", encoding="utf-8") as out:
        out.write('@prefix ng: <https://w3id.org/normgraph/ontology#> .\n<https://w3id.org/normgraph/id/org/sco> ng:note "')
        chunk = "quote " * 10_000
        for _ in range(50 * 1024 * 1024 // len(chunk)):
            out.write(chunk)
        out.write('" .\n')
    done = subprocess.run([sys.executable, "-c", _PEAK, str(tree), str(path)], capture_output=True, text=True, timeout=300)
    assert done.stderr == f"normgraph validate: error: {path}:2:49: a term of more than 10000 characters, over the limit of 10000 (set NORMGRAPH_MAX_LITERAL to raise it)\n"
    code, peak_kib = done.stdout.split()
    assert code == "2"
    assert int(peak_kib) < 1024 * 1024, f"peak memory {int(peak_kib) // 1024} MB"


def test_a_long_string_over_the_parser_buffer_is_placed_at_its_opening_quotes(tree: Path) -> None:
    """Regression: a 17 MB triple-quoted literal of short lines overflowed the parser's buffer and
    was reported without line, column or the setting that bounds it."""
    path = tree.parent / "long.ttl"
    with path.open("w", encoding="utf-8") as out:
        out.write('@prefix ng: <https://w3id.org/normgraph/ontology#> .\n\n<https://w3id.org/normgraph/id/org/sco> ng:note """')
        line = "quote " * 100 + "\n"
        for _ in range(17 * 1024 * 1024 // len(line)):
            out.write(line)
        out.write('""" .\n')
    done = run_in_tree(tree, "validate", str(path))
    assert done.returncode == 2
    assert _one_line_error(done) == f"{path}:3:49: a term of more than 10000 characters, over the limit of 10000 (set NORMGRAPH_MAX_LITERAL to raise it)\n"


def test_stats_counts_backing_with_the_gates_rule(tree: Path) -> None:
    """stats counts unbacked facts with the very shape validate and check report them by."""
    shutil.copy(FIXTURES / "gate" / "node-supported-by-no-claim.ttl", tree / "data")
    shutil.copy(FIXTURES / "gate" / "shortcut-stance-unbacked.ttl", tree / "data")
    done = run_in_tree(tree, "stats")
    assert done.returncode == 0, done.stderr
    assert "sourced facts backed by a claim: 0 of 1 (0.0%)\n" in done.stdout
    assert "shortcut triples with no supported node behind them: 1\n" in done.stdout


def test_a_rule_written_in_python_joins_the_gate_with_one_line(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A further rule kind is one more entry in gate.RULE_KINDS; every gate then runs it."""
    from rdflib import URIRef
    from rdflib.namespace import SH

    from normgraph import gate
    from normgraph.validation_report import Result

    example = RULE["python-example"]
    sco = URIRef("https://w3id.org/normgraph/id/org/sco")

    def flags_sco(given: gate.GateInput, focus: object) -> list[Result]:
        assert given.layout is not None and given.layout.root == tree
        return [Result(sco, SH.Violation, SH.SPARQLConstraintComponent, example, "flagged in Python")]

    monkeypatch.setattr(gate, "RULE_KINDS", (*gate.RULE_KINDS, flags_sco))
    report = validate_tree(locate(tree))
    assert [(r.focus, r.message) for r in report.results if r.shape == example] == [(sco, "flagged in Python")]
    assert not report.conforms


def test_a_cached_report_never_hides_a_bound(tree: Path) -> None:
    """The cache key holds the bounds in force: a report cached under one bound is not served
    under another, and a bad setting is an error even when a report is cached."""
    path = tree.parent / "names.ttl"
    path.write_text('<https://w3id.org/normgraph/id/org/sco> <http://www.w3.org/2004/02/skos/core#altLabel> "Shanghai Cooperation"@en .\n', encoding="utf-8")
    assert run_in_tree(tree, "validate", str(path)).returncode == 0
    assert _one_line_error(run_in_tree(tree, "validate", str(path), NORMGRAPH_MAX_LITERAL="5")).startswith(f"{path}:1:")
    assert _one_line_error(run_in_tree(tree, "validate", str(path), NORMGRAPH_MAX_LITERAL="x")).startswith("$NORMGRAPH_MAX_LITERAL must be")
