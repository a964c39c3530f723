"""Progress: shown on a terminal while a long command runs, gone when it ends, never in pipes."""

from __future__ import annotations

import os
import pty
import sys

from .conftest import ROOT, run_cli


def _on_a_terminal(*args: str) -> str:
    """Everything ``normgraph ARGS`` writes to a pseudo-terminal, escape sequences included."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: normgraph with its standard streams on the terminal
        os.chdir(ROOT)
        os.execv(sys.executable, [sys.executable, "-m", "normgraph", *args])
    written = b""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the child has ended and closed the terminal
            break
        if not chunk:
            break
        written += chunk
    os.waitpid(pid, 0)
    return written.decode("utf-8", errors="replace")


def test_validate_shows_its_step_on_a_terminal_and_nothing_with_quiet():
    shown = _on_a_terminal("validate", "--no-cache")
    assert "validating data/" in shown and "data/: conforms" in shown
    quiet = _on_a_terminal("validate", "--no-cache", "--quiet")
    assert "validating data/" not in quiet and "data/: conforms" in quiet


def test_nothing_but_the_result_when_standard_error_is_a_pipe():
    done = run_cli("validate", "--no-cache")
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout.startswith("data/: conforms")
