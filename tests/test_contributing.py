"""The worked example of docs/contributing.md, run as written: every ```turtle file=NAME``` block
is written to NAME, and every command of every ```console``` block is run in a fresh git checkout
and must print exactly what the document shows. The document cannot go stale without this test
failing."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT

DOC = ROOT / "docs" / "contributing.md"
_FENCE = re.compile(r"^```(\w+)([^\n]*)\n(.*?)^```$", re.M | re.S)


def steps(text: str) -> list[tuple[str, str, str]]:
    """The document's example in order: ("file", NAME, content) and ("run", COMMAND, output)."""
    found = []
    for kind, info, body in _FENCE.findall(text):
        if kind == "turtle" and info.strip().startswith("file="):
            found.append(("file", info.strip().removeprefix("file="), body))
        elif kind == "console":
            for command in re.split(r"^\$ ", body, flags=re.M)[1:]:
                line, _, output = command.partition("\n")
                found.append(("run", line, output))
    return found


def test_the_document_holds_a_whole_example() -> None:
    kinds = [(kind, what.split()[0] if kind == "run" else what) for kind, what, _ in steps(DOC.read_text(encoding="utf-8"))]
    assert kinds.count(("file", "uzbekistan-sco.ttl")) == 2
    assert {what for kind, what in kinds if kind == "run"} == {"normgraph", "git"}
    assert sum(1 for kind, _, _ in steps(DOC.read_text(encoding="utf-8")) if kind == "run") >= 8


def test_the_worked_example_runs_as_documented(tree: Path, seeds_dir: Path) -> None:
    git = ["git", "-C", str(tree)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "-c", "user.name=Test", "-c", "user.email=test@example.org", "commit", "-q", "-m", "start"], check=True)
    env = {**os.environ, "NORMGRAPH_CACHE_DIR": str(tree.parent / "cache")}
    env.pop("NORMGRAPH_ROOT", None)
    env.pop("NORMGRAPH_SOURCES", None)
    for kind, what, content in steps(DOC.read_text(encoding="utf-8")):
        if kind == "file":
            (tree / what).write_text(content, encoding="utf-8")
            continue
        words = shlex.split(what)
        if words[0] == "normgraph":
            words = [sys.executable, "-m", "normgraph", *words[1:]]
        done = subprocess.run(words, cwd=tree, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300)
        assert done.stdout == content, f"$ {what}"
