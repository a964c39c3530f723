"""Shared fixtures: the tree under test, its parsed parts, and the source texts."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph

from normgraph.layout import Layout, locate
from normgraph.load import Parts, load_parts

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
#: The line that introduces a shape fixture's expected report (a DASH test case after its data).
REPORT_MARKER = "# The expected validation report, as a DASH test case."
#: The data files that name entities; a scratch tree holds these and no claims.
ENTITY_FILES = ("states.ttl", "organisations.ttl", "people.ttl", "territories.ttl", "sources.ttl", "works.ttl")


@pytest.fixture(scope="session")
def layout() -> Layout:
    return locate(ROOT)


@pytest.fixture(scope="session")
def parts(layout: Layout) -> Parts:
    return load_parts(layout)


@pytest.fixture(scope="session")
def graph(parts: Parts) -> Graph:
    """Ontology + vocabularies + data, as one graph. Do not modify it."""
    return parts.union()


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A scratch tree to write into: the ontology, the shapes, the rules and the entity files of
    data/, with the source texts beside it (``../shared/seeds``) as beside a checkout."""
    return scratch_tree(tmp_path)


def scratch_tree(tmp_path: Path) -> Path:
    """Build the tree of the ``tree`` fixture under ``tmp_path``; module-scoped fixtures that run
    several commands on one tree build theirs with this."""
    root = tmp_path / "tree"
    for folder in ("ontology", "shapes", "rules"):
        shutil.copytree(ROOT / folder, root / folder)
    (root / "data").mkdir()
    for name in ENTITY_FILES:
        shutil.copy(ROOT / "data" / name, root / "data" / name)
    seeds = ROOT.parent / "shared" / "seeds"
    if seeds.is_dir():
        (tmp_path / "shared").mkdir()
        (tmp_path / "shared" / "seeds").symlink_to(seeds)
    return root


@pytest.fixture(scope="session")
def seeds_dir(layout: Layout) -> Path:
    """The source texts beside the checkout; tests that need them skip, saying why, without them."""
    found = layout.default_sources_dir()
    if found is None:
        pytest.skip(f"source texts not found at {ROOT.parent / 'shared' / 'seeds'}: evidence cannot be checked here")
    return found


def fixture_text(fixture: Path) -> str:
    """The data of a shape fixture: the text before its expected report, lines where they are."""
    return fixture.read_text(encoding="utf-8").split(REPORT_MARKER, 1)[0].rstrip("\n") + "\n"


def copy_fixture_data(fixture: Path, target: Path) -> Path:
    """Write the data of a shape fixture to ``target``: what a contributor's file would hold."""
    target.write_text(fixture_text(fixture), encoding="utf-8")
    return target


def run_cli(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed ``normgraph`` command line the way a user would, in a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "normgraph", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def run_in_tree(root: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``normgraph --root root ...`` on a scratch tree, with a report cache of its own."""
    environment = {**os.environ, "NORMGRAPH_CACHE_DIR": str(root.parent / "cache"), **env}
    return subprocess.run(
        [sys.executable, "-m", "normgraph", "--root", str(root), *args],
        cwd=root.parent,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def run_in_process(root: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """:func:`run_in_tree` in this process: the same command line (``normgraph.cli.main``), working
    folder, report cache and environment, without starting Python and importing the RDF libraries
    again. For tests that run a command once per case; the process itself is tested elsewhere."""
    from normgraph.cli import main

    argv = ["--root", str(root), *args]
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        patch.chdir(root.parent)
        patch.setenv("NORMGRAPH_CACHE_DIR", str(root.parent / "cache"))
        for name, value in env.items():
            patch.setenv(name, value)
        try:
            code = main(argv)
        except SystemExit as stopped:  # argparse stops on a usage error
            code = stopped.code if isinstance(stopped.code, int) else 2
    return subprocess.CompletedProcess([sys.executable, "-m", "normgraph", *argv], code, out.getvalue(), err.getvalue())


def snapshot(root: Path) -> dict[str, str]:
    """SHA-256 of every file under ``root``, by relative path: proof that nothing was written."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}
