"""What git knows about the tree: so that contributions show in ``git diff``, and a release is
built only from committed data.

``normgraph add`` writes new files (``data/contributed/NAME.ttl``, ``texts/NAME``). A new file
is untracked, and ``git diff`` never shows untracked files, so a contributor would see nothing to
review. Each new file is therefore recorded with ``git add --intent-to-add``: git then knows the
path but stages none of its content, so ``git diff`` shows the whole file as added and
``git commit -a`` or ``git add`` takes it in, exactly like an edit to a tracked file. Nothing is
ever staged or committed on the contributor's behalf. ``normgraph remove`` undoes that record
for a file it deletes that was never committed, so the path does not linger in the index.

Outside a git work tree (an unpacked release, a scratch copy) every function here says so by
returning None or doing nothing; git is a convenience for review, not a requirement.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str] | None:
    """Run git in ``root``; None when git is not installed."""
    if shutil.which("git") is None:
        return None
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=False)


def work_tree(root: Path) -> Path | None:
    """The top of the git work tree holding ``root``, or None when there is none."""
    done = _git(root, "rev-parse", "--show-toplevel")
    if done is None or done.returncode != 0:
        return None
    return Path(done.stdout.strip())


def intend_to_add(root: Path, paths: Sequence[Path]) -> bool:
    """Record new ``paths`` with ``git add --intent-to-add`` so ``git diff`` shows them.
    Returns whether the tree is a git work tree (and so whether they were recorded)."""
    if work_tree(root) is None:
        return False
    untracked = [str(p) for p in paths if not _tracked(root, p)]
    if untracked:
        _git(root, "add", "--intent-to-add", "--", *untracked)
    return True


def forget_uncommitted(root: Path, paths: Sequence[Path]) -> None:
    """Drop the index entries of deleted ``paths`` that were never committed (an
    intent-to-add record). A deleted file that is committed keeps its entry, so ``git diff``
    shows the deletion for review."""
    if not paths or work_tree(root) is None:
        return
    fresh = [str(p) for p in paths if _tracked(root, p) and not _committed(root, p)]
    if fresh:
        _git(root, "rm", "--cached", "--quiet", "--ignore-unmatch", "--", *fresh)


def _tracked(root: Path, path: Path) -> bool:
    done = _git(root, "ls-files", "--error-unmatch", "--", str(path))
    return done is not None and done.returncode == 0


def _committed(root: Path, path: Path) -> bool:
    top = work_tree(root)
    if top is None:
        return False
    relative = path.resolve().relative_to(top.resolve()).as_posix()
    done = _git(root, "cat-file", "-e", f"HEAD:{relative}")
    return done is not None and done.returncode == 0


def uncommitted(root: Path, folder: Path) -> list[str] | None:
    """The changes to ``folder`` that are not committed, as ``git status --porcelain`` lines
    (new, changed, deleted, untracked files); None outside a git work tree."""
    if work_tree(root) is None:
        return None
    done = _git(root, "status", "--porcelain", "--untracked-files=all", "--", str(folder))
    if done is None or done.returncode != 0:
        return None
    return [line for line in done.stdout.splitlines() if line.strip()]
