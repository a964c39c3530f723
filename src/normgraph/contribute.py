"""Merge a validated contribution into ``data/``.

Where it goes: each contributed file ``NAME.ttl`` becomes (or extends) ``data/contributed/NAME.ttl``,
a file that normgraph writes and owns. The hand-written files in ``data/`` are never rewritten,
so a merge cannot lose or reformat anyone's statements, and the diff of a merge is exactly the
contribution.

What goes in: the contribution's statements that ``data/`` does not already hold. Adding the
same file twice therefore changes nothing the second time. The file is written with
:func:`normgraph.serialize.to_turtle` (subjects and predicates sorted, fixed prefixes), so the
same statements always give the same bytes.

How: all or nothing. Every target is written to a temporary file beside it, its text is read back
and compared with the statements meant for it, and only when every target is ready are they
renamed into place (a rename is atomic: a reader sees the old file or the new one, never half of
one). A target that changed on disk since the merge was planned stops the merge before anything
is renamed; a rename that fails puts back the targets renamed before it. The contribution is
refused, and nothing written, when validation reports a violation.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Graph

from .errors import NormgraphError, UsageError
from .layout import Layout
from .load import parse_file
from .serialize import to_turtle
from .validate import Report, check_contribution

CONTRIBUTED = "contributed"


class MergeError(NormgraphError):
    """The merge could not be completed; nothing in ``data/`` was changed."""

    exit_code = 2


@dataclass
class Target:
    """One file of ``data/contributed/`` and the statements to write into it."""

    path: Path
    sources: list[Path]
    statements: Graph
    new: int
    digest_before: str | None


@dataclass
class Outcome:
    """What ``add`` did: the validation report, and the files it wrote (none if refused)."""

    report: Report
    written: list[Target] = field(default_factory=list)
    refused: bool = False


def target_name(path: Path) -> str:
    """The ``data/contributed/`` file name for a contributed file: its name as a slug."""
    slug = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")
    return f"{slug or 'contribution'}.ttl"


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


def _header(sources: Sequence[Path]) -> str:
    names = ", ".join(sorted({p.name for p in sources}))
    return (
        f"Contributed data, merged with `normgraph add` from {names}.\n"
        "normgraph writes this file: statements sorted, prefixes fixed. Extend it with `normgraph add`;\n"
        "it is then rewritten whole, so hand edits keep their statements but not their layout or comments."
    )


def plan(layout: Layout, graphs: dict[Path, Graph], existing: Graph) -> list[Target]:
    """The targets a contribution fills: per contributed file, the statements ``existing``
    lacks (a statement two files share goes to the first). Targets with nothing new are left out."""
    folder = layout.data_dir / CONTRIBUTED
    taken = Graph()
    targets: dict[Path, Target] = {}
    for source, graph in graphs.items():
        fresh = [t for t in graph if t not in existing and t not in taken]
        if not fresh:
            continue
        path = folder / target_name(source)
        if path not in targets:
            statements = Graph()
            if path.exists():
                parse_file(path, statements)
            targets[path] = Target(path, [], statements, 0, _digest(path))
        target = targets[path]
        target.sources.append(source)
        for triple in fresh:
            taken.add(triple)
            target.statements.add(triple)
            target.new += 1
    return list(targets.values())


def _render(target: Target) -> bytes:
    """The target's Turtle, read back and checked to hold exactly its statements."""
    text = to_turtle(target.statements, header=_header(target.sources))
    if any(isinstance(term, BNode) for triple in target.statements for term in triple):
        raise MergeError(f"{target.path}: contributed data must not contain blank nodes")
    check = Graph().parse(data=text, format="turtle")
    if set(check) != set(target.statements):
        raise MergeError(f"{target.path}: the Turtle written does not read back as the statements meant; nothing was written")
    return text.encode("utf-8")


def write(targets: Sequence[Target]) -> None:
    """Write every target, all or nothing (see the module documentation). If renaming one into
    place fails, the targets already renamed are put back as they were."""
    staged: list[tuple[Path, Target]] = []
    try:
        for target in targets:
            body = _render(target)
            target.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=f".{target.path.name}.", suffix=".part", dir=target.path.parent)
            staged.append((Path(temporary), target))
            with os.fdopen(handle, "wb") as stream:
                stream.write(body)
                stream.flush()
                os.fsync(stream.fileno())
            os.chmod(temporary, 0o644)
        for target in targets:
            if _digest(target.path) != target.digest_before:
                raise MergeError(f"{target.path} changed while the contribution was being merged; nothing was written, run add again")
        previous = {target.path: target.path.read_bytes() if target.path.exists() else None for target in targets}
        renamed: list[Path] = []
        try:
            for temporary, target in staged:
                os.replace(temporary, target.path)
                renamed.append(target.path)
        except BaseException:
            for path in reversed(renamed):
                _restore(path, previous[path])
            raise
        staged.clear()
    finally:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)


def _restore(path: Path, content: bytes | None) -> None:
    """Put ``path`` back as it was before the merge: absent, or holding ``content``."""
    if content is None:
        path.unlink(missing_ok=True)
        return
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    with os.fdopen(handle, "wb") as stream:
        stream.write(content)
    os.replace(temporary, path)


def add(layout: Layout, files: Sequence[Path]) -> Outcome:
    """Validate ``files`` as a contribution and, if no violation is found, merge them into
    ``data/contributed/``. Raises :class:`~normgraph.errors.InputError` for unusable files."""
    if layout.bundled:
        raise UsageError("cannot add to the copy of the data bundled with the package: run inside a checkout, or pass --root")
    data_dir = layout.data_dir.resolve()
    for path in files:
        if path.resolve().is_relative_to(data_dir):
            raise UsageError(f"{path} is already in data/: add files from outside the tree (validate it in place with `normgraph validate {path}`)")
    report, contribution, existing = check_contribution(layout, files)
    if not report.conforms:
        return Outcome(report, refused=True)
    targets = plan(layout, contribution.graphs, existing)
    write(targets)
    return Outcome(report, targets)
