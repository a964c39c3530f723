"""``normgraph add``: a valid contribution is merged into data/contributed/, deterministically
and exactly once; an invalid or unusable one is refused and data/ is left byte for byte as it
was. Every test works on a copy of the tree; the real data/ is never written."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS

from normgraph import contribute
from normgraph.contribute import MergeError, Target, plan, write
from normgraph.layout import Layout, locate
from normgraph.load import parse_file

from .conftest import FIXTURES, copy_fixture_data, fixture_text, run_in_process, run_in_tree, snapshot


NEW_ORGANISATION = """\
# Contributed data, merged with `normgraph add` from new-organisation.ttl.
# normgraph writes this file: statements sorted, prefixes fixed. Extend it with `normgraph add`;
# it is then rewritten whole, so hand edits keep their statements but not their layout or comments.

@prefix ng: <https://w3id.org/normgraph/ontology#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix org-id: <https://w3id.org/normgraph/id/org/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix wd: <http://www.wikidata.org/entity/> .

org-id:fixture-council
    a ng:OrganisationBody ;
    skos:altLabel "FC"@en ;
    skos:exactMatch wd:Q99999999 ;
    skos:prefLabel "Fixture Council"@en ;
    org:unitOf org-id:sco .
"""


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    """Where contributors' files wait, outside the tree."""
    folder = tmp_path / "inbox"
    folder.mkdir()
    return folder


def contribute_file(inbox: Path, name: str, kind: str = "valid") -> Path:
    return copy_fixture_data(FIXTURES / kind / f"{name}.ttl", inbox / f"{name}.ttl")


# --------------------------------------------------------------------------------------------
# Merging
# --------------------------------------------------------------------------------------------


def test_add_writes_the_contribution_sorted_into_data_contributed(tree: Path, inbox: Path) -> None:
    done = run_in_tree(tree, "add", str(contribute_file(inbox, "new-organisation")))
    assert (done.returncode, done.stdout, done.stderr) == (
        0,
        "added 5 statements to data/contributed/new-organisation.ttl (from new-organisation.ttl)\n",
        "",
    )
    assert (tree / "data" / "contributed" / "new-organisation.ttl").read_text(encoding="utf-8") == NEW_ORGANISATION
    again = run_in_tree(tree, "validate", "--format", "json")
    assert '"org-id:fixture-council"' not in again.stdout


def test_adding_the_same_file_twice_changes_nothing(tree: Path, inbox: Path) -> None:
    path = contribute_file(inbox, "membership-with-claim")
    assert run_in_process(tree, "add", str(path)).returncode == 0
    before = snapshot(tree)
    done = run_in_tree(tree, "add", str(path))
    assert (done.returncode, done.stdout) == (0, f"nothing to add: data/ already holds every statement of {path}\n")
    assert snapshot(tree) == before


def test_statements_data_already_holds_are_not_written_again(tree: Path, inbox: Path) -> None:
    path = inbox / "sco-names.ttl"
    path.write_text(
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        "@prefix org-id: <https://w3id.org/normgraph/id/org/> .\n"
        'org-id:sco skos:altLabel "SCO"@en , "Shanghai Six"@en .\n',
        encoding="utf-8",
    )
    done = run_in_tree(tree, "add", str(path))
    assert done.stdout == "added 1 statement to data/contributed/sco-names.ttl (from sco-names.ttl)\n"
    written = parse_file(tree / "data" / "contributed" / "sco-names.ttl")
    assert set(written) == {(URIRef("https://w3id.org/normgraph/id/org/sco"), SKOS.altLabel, Literal("Shanghai Six", lang="en"))}


def test_a_later_contribution_of_the_same_name_extends_its_file(tree: Path, inbox: Path) -> None:
    first = inbox / "names.ttl"
    first.write_text('<https://w3id.org/normgraph/id/org/sco> <http://www.w3.org/2004/02/skos/core#altLabel> "One"@en .\n', encoding="utf-8")
    assert run_in_process(tree, "add", str(first)).returncode == 0
    later = inbox / "later" / "names.ttl"
    later.parent.mkdir()
    later.write_text('<https://w3id.org/normgraph/id/org/sco> <http://www.w3.org/2004/02/skos/core#altLabel> "Two"@en .\n', encoding="utf-8")
    done = run_in_tree(tree, "add", str(later))
    assert done.stdout == "added 1 statement to data/contributed/names.ttl (from names.ttl)\n"
    text = (tree / "data" / "contributed" / "names.ttl").read_text(encoding="utf-8")
    assert text.endswith('org-id:sco\n    skos:altLabel "One"@en , "Two"@en .\n')


def test_n_triples_are_added_as_turtle(tree: Path, inbox: Path) -> None:
    path = inbox / "Extra Names.nt"
    path.write_text('<https://w3id.org/normgraph/id/state/RUS> <http://www.w3.org/2004/02/skos/core#altLabel> "Rossiya"@en .\n', encoding="utf-8")
    done = run_in_tree(tree, "add", str(path))
    assert done.stdout == "added 1 statement to data/contributed/extra-names.ttl (from Extra Names.nt)\n"
    assert (tree / "data" / "contributed" / "extra-names.ttl").read_text(encoding="utf-8").endswith('state:RUS\n    skos:altLabel "Rossiya"@en .\n')


# --------------------------------------------------------------------------------------------
# Refusing
# --------------------------------------------------------------------------------------------


def test_an_invalid_contribution_is_refused_and_data_is_untouched(tree: Path, inbox: Path) -> None:
    before = snapshot(tree)
    done = run_in_tree(tree, "add", str(contribute_file(inbox, "claim-without-evidence", "invalid")))
    assert done.returncode == 1
    assert "claim:fixture-100-no-evidence" in done.stdout
    assert done.stderr == "normgraph add: refused: 1 violation(s); nothing was written to data/\n"
    assert snapshot(tree) == before


def test_one_invalid_file_stops_the_whole_contribution(tree: Path, inbox: Path) -> None:
    before = snapshot(tree)
    good = contribute_file(inbox, "new-organisation")
    bad = contribute_file(inbox, "membership-unsupported", "invalid")
    done = run_in_tree(tree, "add", str(good), str(bad))
    assert done.returncode == 1
    assert snapshot(tree) == before


def test_unusable_input_is_refused_with_its_position_and_data_is_untouched(tree: Path) -> None:
    before = snapshot(tree)
    path = FIXTURES / "invalid" / "syntax" / "missing-dot.ttl"
    done = run_in_tree(tree, "add", str(path))
    assert done.returncode == 2
    assert done.stderr.startswith(f"normgraph add: error: {path}:5:1: Turtle syntax error")
    assert snapshot(tree) == before


def test_a_file_already_in_data_is_refused(tree: Path) -> None:
    done = run_in_tree(tree, "add", str(tree / "data" / "states.ttl"))
    assert done.returncode == 2
    assert "is already in data/" in done.stderr


def test_warnings_do_not_stop_a_contribution(tree: Path, inbox: Path) -> None:
    done = run_in_tree(tree, "add", str(contribute_file(inbox, "claim-without-statement")))
    assert done.returncode == 0
    assert "warning: ng:statement  (sh:minCount)" in done.stdout
    assert done.stdout.endswith("added 21 statements to data/contributed/claim-without-statement.ttl (from claim-without-statement.ttl)\n")


# --------------------------------------------------------------------------------------------
# All or nothing, on disk
# --------------------------------------------------------------------------------------------


def _targets(layout: Layout, inbox: Path) -> list[Target]:
    graphs = {}
    for name in ("new-organisation", "distinct-label-marked"):
        path = contribute_file(inbox, name)
        graphs[path] = parse_file(path)
    existing = Graph()
    for path in layout.data_files():
        parse_file(path, existing)
    return plan(layout, graphs, existing)


def test_a_failed_rename_puts_back_what_was_renamed(tree: Path, inbox: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    layout = locate(tree)
    targets = _targets(layout, inbox)
    assert len(targets) == 2
    before = snapshot(tree)
    renamed: list[str] = []

    def failing_replace(source: str, destination: str) -> None:
        if renamed:
            raise OSError(28, "No space left on device")
        renamed.append(destination)
        os.rename(source, destination)

    monkeypatch.setattr(contribute.os, "replace", failing_replace)
    with pytest.raises(OSError):
        write(targets)
    assert len(renamed) == 1, "the first target was renamed into place before the failure"
    assert list((tree / "data" / "contributed").iterdir()) == [], "and taken out again; no temporary file is left"
    assert snapshot(tree) == before


def test_a_target_changed_by_someone_else_stops_the_merge(tree: Path, inbox: Path) -> None:
    layout = locate(tree)
    targets = _targets(layout, inbox)
    folder = tree / "data" / "contributed"
    folder.mkdir()
    (folder / "new-organisation.ttl").write_text("# written meanwhile\n", encoding="utf-8")
    with pytest.raises(MergeError, match="changed while the contribution was being merged"):
        write(targets)
    assert sorted(p.name for p in folder.iterdir()) == ["new-organisation.ttl"]
    assert (folder / "new-organisation.ttl").read_text(encoding="utf-8") == "# written meanwhile\n"


# --------------------------------------------------------------------------------------------
# Reviewing with git, and taking a contribution back
# --------------------------------------------------------------------------------------------


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True)
    return done.stdout


def committed(root: Path) -> Path:
    """``root`` made a git work tree with everything in it committed."""
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "-c", "user.name=Test", "-c", "user.email=test@example.org", "commit", "-q", "-m", "start")
    return root


def without_git(root: Path) -> dict[str, str]:
    return {name: digest for name, digest in snapshot(root).items() if not name.startswith(".git/")}


def test_an_added_file_shows_in_git_diff(tree: Path, inbox: Path) -> None:
    committed(tree)
    done = run_in_tree(tree, "add", str(contribute_file(inbox, "new-organisation")))
    assert done.stdout.endswith("review it with `git diff`: new files are recorded with `git add --intent-to-add`\n")
    diff = git(tree, "diff")
    assert "+++ b/data/contributed/new-organisation.ttl" in diff
    assert "+    skos:prefLabel \"Fixture Council\"@en ;" in diff
    assert git(tree, "diff", "--cached") == "", "nothing is staged on the contributor's behalf"


@pytest.mark.parametrize("how", ["contributed path", "added file"])
def test_remove_takes_a_contributed_file_back(tree: Path, inbox: Path, how: str) -> None:
    committed(tree)
    before = without_git(tree)
    path = contribute_file(inbox, "new-organisation")
    assert run_in_process(tree, "add", str(path)).returncode == 0
    which = "data/contributed/new-organisation.ttl" if how == "contributed path" else str(path)
    done = subprocess.run(
        [sys.executable, "-m", "normgraph", "remove", which], cwd=tree, capture_output=True, text=True, timeout=300
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "deleted data/contributed/new-organisation.ttl\nremoved 5 statements\n", "")
    assert without_git(tree) == {**before}
    assert git(tree, "status", "--porcelain") == "", "the intent-to-add record went with the file"


def test_remove_refuses_while_something_depends_on_the_contribution(tree: Path, inbox: Path) -> None:
    assert run_in_process(tree, "add", str(contribute_file(inbox, "new-organisation"))).returncode == 0
    child = inbox / "sub-council.ttl"
    child.write_text(
        fixture_text(FIXTURES / "valid" / "new-organisation.ttl")
        .replace("org-id:fixture-council", "org-id:fixture-sub-council")
        .replace('"Fixture Council"', '"Fixture Sub-Council"')
        .replace('"FC"', '"FSC"')
        .replace("wd:Q99999999", "wd:Q99999998")
        .replace("org:unitOf org-id:sco", "org:unitOf org-id:fixture-council"),
        encoding="utf-8",
    )
    added = run_in_tree(tree, "add", str(child))
    assert added.returncode == 0, added.stdout
    before = snapshot(tree)
    done = run_in_tree(tree, "remove", "new-organisation.ttl")
    assert done.returncode == 1
    line = next(n for n, text in enumerate((tree / "data/contributed/sub-council.ttl").read_text().splitlines(), 1) if "org:unitOf" in text)
    assert done.stderr == (
        "normgraph remove: error: refused: data/ still refers to what would be removed; nothing was changed:\n"
        f"  {tree / 'data/contributed/sub-council.ttl'}:{line}:5: org-id:fixture-sub-council org:unitOf org-id:fixture-council\n"
    )
    assert snapshot(tree) == before
    both = run_in_tree(tree, "remove", "new-organisation.ttl", "sub-council.ttl")
    assert both.returncode == 0 and both.stdout.endswith("removed 10 statements\n")
    assert not (tree / "data" / "contributed").exists() or list((tree / "data" / "contributed").iterdir()) == []


def test_remove_by_iri_takes_out_only_the_statements_about_it(tree: Path, inbox: Path) -> None:
    assert run_in_process(tree, "add", str(contribute_file(inbox, "membership-with-claim"))).returncode == 0
    target = tree / "data" / "contributed" / "membership-with-claim.ttl"
    header = target.read_text(encoding="utf-8").split("\n\n", 1)[0]
    refused = run_in_tree(tree, "remove", "--iri", "membership:fixture-sco-KAZ-member-2001")
    assert refused.returncode == 1
    assert "claim:fixture-100-kazakhstan-joined-sco ng:supports membership:fixture-sco-KAZ-member-2001" in refused.stderr
    done = run_in_tree(tree, "remove", "--iri", "claim:fixture-100-kazakhstan-joined-sco")
    assert (done.returncode, done.stdout) == (0, "rewrote data/contributed/membership-with-claim.ttl\nremoved 7 statements\n")
    left = parse_file(target)
    assert (URIRef("https://w3id.org/normgraph/id/claim/fixture-100-kazakhstan-joined-sco"), None, None) not in left
    assert (URIRef("https://w3id.org/normgraph/id/membership/fixture-sco-KAZ-member-2001"), None, None) in left
    assert target.read_text(encoding="utf-8").startswith(header + "\n\n"), "the file keeps its header"


def test_remove_refuses_what_no_contribution_introduced(tree: Path) -> None:
    before = snapshot(tree)
    done = run_in_tree(tree, "remove", "--iri", "org-id:sco")
    assert done.returncode == 2
    assert done.stderr == "normgraph remove: error: org-id:sco is described outside data/contributed/ (data/organisations.ttl): it was not introduced by a contribution\n"
    missing = run_in_tree(tree, "remove", "nothing-like-this.ttl")
    assert missing.returncode == 2 and "no contribution nothing-like-this.ttl" in missing.stderr
    assert snapshot(tree) == before


def test_a_failed_removal_puts_back_what_it_deleted(tree: Path, inbox: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("new-organisation", "distinct-label-marked"):
        assert run_in_process(tree, "add", str(contribute_file(inbox, name))).returncode == 0
    before = snapshot(tree)
    deleted: list[Path] = []
    real_unlink = Path.unlink

    def failing_unlink(self: Path, missing_ok: bool = False) -> None:
        if self.name.endswith(".ttl") and deleted:
            raise OSError(5, "Input/output error")
        if self.name.endswith(".ttl"):
            deleted.append(self)
        real_unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", failing_unlink)
    with pytest.raises(OSError):
        contribute.remove(locate(tree), files=["new-organisation.ttl", "distinct-label-marked.ttl"])
    monkeypatch.undo()
    assert len(deleted) == 1, "one file was deleted before the failure"
    assert snapshot(tree) == before, "and put back"
