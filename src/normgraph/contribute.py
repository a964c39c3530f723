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

New texts: a contribution that cites a source text not yet registered brings the text along
(``--text FILE``). The file must have the SHA-256 that an ``ng:SourceText`` of the contribution
(or of ``data/``) records; it is copied to ``texts/`` under that source's ``ng:fileName``, in the
same all-or-nothing write as the data.

Review: in a git work tree each new file is recorded with ``git add --intent-to-add``
(:mod:`normgraph.worktree`), so ``git diff`` shows the contribution like any other edit.

Taking back: :func:`remove` deletes a contributed file, or the statements about given IRIs from
the contributed files, refusing while anything left in ``data/`` refers to what would go.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef

from .display import NAMES
from .errors import NormgraphError, UsageError
from .layout import Layout
from .load import parse_file
from .namespaces import NG, PREFIXES
from .positions import SourceIndex
from .serialize import to_turtle
from .sparql_text import iri_value  # the one reading of a user's IRI or prefixed name
from .texts import TEXTS, SourceTexts, bare_name, sha256_file, source_texts
from .validate import check_contribution
from .validation_report import Report
from .worktree import forget_uncommitted, intend_to_add

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
    """What ``add`` did: the validation report, the files it wrote (none if refused), and
    whether they were recorded for ``git diff`` (:func:`normgraph.worktree.intend_to_add`)."""

    report: Report
    written: list[Target] = field(default_factory=list)
    texts: list[Change] = field(default_factory=list)
    refused: bool = False
    tracked: bool = False


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


def _render(target: Target, header: str | None = None) -> bytes:
    """The target's Turtle, read back and checked to hold exactly its statements."""
    text = to_turtle(target.statements, header=header if header is not None else _header(target.sources))
    if any(isinstance(term, BNode) for triple in target.statements for term in triple):
        raise MergeError(f"{target.path}: contributed data must not contain blank nodes")
    check = Graph().parse(data=text, format="turtle")
    if set(check) != set(target.statements):
        raise MergeError(f"{target.path}: the Turtle written does not read back as the statements meant; nothing was written")
    return text.encode("utf-8")


@dataclass(frozen=True)
class Change:
    """One file to write (``body``) or delete (``body`` None), and its digest when the change
    was planned (None: it did not exist)."""

    path: Path
    body: bytes | None
    digest_before: str | None


def write(targets: Sequence[Target], extra: Sequence[Change] = ()) -> None:
    """Write every target, and the ``extra`` changes, all or nothing (see :func:`apply`)."""
    apply([*(Change(t.path, _render(t), t.digest_before) for t in targets), *extra])


def apply(changes: Sequence[Change]) -> None:
    """Make every change, all or nothing (see the module documentation). Bodies are staged
    beside their targets first; a target that changed since it was planned stops everything;
    if renaming or deleting one fails, the files already changed are put back as they were."""
    staged: list[tuple[Path | None, Change]] = []
    try:
        for change in changes:
            temporary = None
            if change.body is not None:
                change.path.parent.mkdir(parents=True, exist_ok=True)
                handle, name = tempfile.mkstemp(prefix=f".{change.path.name}.", suffix=".part", dir=change.path.parent)
                temporary = Path(name)
                staged.append((temporary, change))
                with os.fdopen(handle, "wb") as stream:
                    stream.write(change.body)
                    stream.flush()
                    os.fsync(stream.fileno())
                os.chmod(temporary, 0o644)
            else:
                staged.append((None, change))
        for change in changes:
            if _digest(change.path) != change.digest_before:
                raise MergeError(f"{change.path} changed while the contribution was being merged; nothing was written, run the command again")
        previous = {change.path: change.path.read_bytes() if change.path.exists() else None for change in changes}
        done: list[Path] = []
        try:
            for temporary, change in staged:
                if temporary is None:
                    change.path.unlink()
                else:
                    os.replace(temporary, change.path)
                done.append(change.path)
        except BaseException:
            for path in reversed(done):
                _restore(path, previous[path])
            raise
        staged.clear()
    finally:
        for temporary, _ in staged:
            if temporary is not None:
                temporary.unlink(missing_ok=True)


def _restore(path: Path, content: bytes | None) -> None:
    """Put ``path`` back as it was before the merge: absent, or holding ``content``."""
    if content is None:
        path.unlink(missing_ok=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    with os.fdopen(handle, "wb") as stream:
        stream.write(content)
    os.replace(temporary, path)


def plan_texts(layout: Layout, texts: Sequence[Path], graph: Graph) -> list[Change]:
    """The copies into ``texts/`` that register ``texts``: each goes under the ``ng:fileName``
    of the source whose ``ng:sha256`` in ``graph`` is the file's digest. A text already there,
    byte for byte, needs no copy."""
    changes = []
    for path in texts:
        digest = sha256_file(path)
        sources = sorted(s for s in graph.subjects(NG.sha256, Literal(digest)) if graph.value(s, NG.fileName) is not None)
        if not sources:
            raise UsageError(
                f"{path} has SHA-256 {digest}, which no ng:SourceText in the contribution or data/ records: "
                "register the source with ng:fileName and this ng:sha256"
            )
        name = str(graph.value(sources[0], NG.fileName))
        if not bare_name(name):
            raise UsageError(f"ng:fileName {name!r} is not a bare file name (no folders, not hidden); name the file only")
        target = layout.root / TEXTS / name
        before = _digest(target)
        if before == digest:
            continue
        if before is not None:
            raise UsageError(f"{target} already holds another text (SHA-256 {before}); a registered text never changes")
        changes.append(Change(target, path.read_bytes(), None))
    return changes


def add(layout: Layout, files: Sequence[Path], *, texts: SourceTexts | None = None) -> Outcome:
    """Validate ``files`` as a contribution and, if no violation is found, merge them into
    ``data/contributed/`` and register the new texts ``texts`` brings (``texts.given``) in
    ``texts/``. Raises :class:`~normgraph.errors.InputError` for unusable files."""
    _writable(layout)
    data_dir = layout.data_dir.resolve()
    for path in files:
        if path.resolve().is_relative_to(data_dir):
            raise UsageError(f"{path} is already in data/: add files from outside the tree (validate it in place with `normgraph validate {path}`)")
    texts = texts if texts is not None else source_texts(layout)
    report, contribution, parts = check_contribution(layout, files, texts=texts)
    if not report.conforms:
        return Outcome(report, refused=True)
    existing = parts.data
    targets = plan(layout, contribution.graphs, existing)
    copies = plan_texts(layout, texts.given, existing + contribution.graph)
    write(targets, copies)
    new = [t.path for t in targets if t.digest_before is None] + [c.path for c in copies]
    return Outcome(report, targets, copies, tracked=intend_to_add(layout.root, new))


def _writable(layout: Layout) -> None:
    if layout.bundled:
        raise UsageError("cannot change the copy of the data bundled with the package: run inside a checkout, or pass --root")


# --------------------------------------------------------------------------------------------
# Taking a contribution back
# --------------------------------------------------------------------------------------------


@dataclass
class Removal:
    """What ``remove`` did: the files it rewrote or deleted, and how many statements it took out."""

    changes: list[Change]
    removed: int


class DependentsError(NormgraphError):
    """Something left in ``data/`` refers to what a removal would take away."""

    exit_code = 1


def contributed_file(layout: Layout, name: str) -> Path:
    """The ``data/contributed/`` file meant by ``name``: its path, or the name of the file that
    was added (``uzbekistan-sco.ttl`` and ``data/contributed/uzbekistan-sco.ttl`` are the same)."""
    folder = (layout.data_dir / CONTRIBUTED).resolve()
    given = Path(name).resolve()
    candidate = given if given.parent == folder else folder / target_name(given)
    if not candidate.is_file():
        raise UsageError(f"no contribution {name}: `normgraph remove` takes back the files of data/contributed/, by their path or by the name of the file added")
    return candidate


def remove(layout: Layout, *, files: Sequence[str] = (), iris: Sequence[str] = ()) -> Removal:
    """Take back contributed files (``files``), or the statements about ``iris`` from the
    contributed files, all or nothing. Refuses (:class:`DependentsError`, listing each referring
    statement with file and line) while anything left in ``data/`` refers to an IRI that would
    no longer be described."""
    _writable(layout)
    if not files and not iris:
        raise UsageError("say what to remove: a contributed file, or --iri IRI ...")
    folder = layout.data_dir / CONTRIBUTED
    graphs = {path.resolve(): parse_file(path) for path in layout.data_files()}
    contributed = {path: graph for path, graph in graphs.items() if path.parent == folder.resolve()}
    keep = dict(graphs)
    gone: set[URIRef] = set()
    for name in files:
        path = contributed_file(layout, name)
        keep[path] = Graph()
        gone |= {s for s in graphs[path].subjects() if isinstance(s, URIRef)}
    for text in iris:
        iri = iri_value(text, PREFIXES, "--iri")
        holders = [path for path, graph in graphs.items() if (iri, None, None) in graph]
        if not holders:
            raise UsageError(f"{text}: no file of data/ describes it")
        hand_written = [path for path in holders if path not in contributed]
        if hand_written:
            where = ", ".join(str(p.relative_to(layout.root.resolve())) for p in hand_written)
            raise UsageError(f"{text} is described outside data/contributed/ ({where}): it was not introduced by a contribution")
        for path in holders:
            remaining = Graph()
            for triple in keep[path]:
                if triple[0] != iri:
                    remaining.add(triple)
            keep[path] = remaining
        gone.add(iri)
    left = Graph()
    for graph in keep.values():
        left += graph
    gone = {iri for iri in gone if (iri, None, None) not in left}
    _refuse_dependents(layout, keep, gone)
    changes = []
    removed = 0
    for path in contributed:
        if len(keep[path]) == len(graphs[path]):
            continue
        removed += len(graphs[path]) - len(keep[path])
        if len(keep[path]) == 0:
            changes.append(Change(path, None, _digest(path)))
        else:
            target = Target(path, [], keep[path], 0, _digest(path))
            changes.append(Change(path, _render(target, _existing_header(path)), target.digest_before))
    apply(changes)
    forget_uncommitted(layout.root, [c.path for c in changes if c.body is None])
    return Removal(changes, removed)


def _existing_header(path: Path) -> str:
    """The comment a contributed file starts with, kept when the file is rewritten."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        lines.append(line[1:].removeprefix(" "))
    return "\n".join(lines)


def _refuse_dependents(layout: Layout, keep: dict[Path, Graph], gone: set[URIRef]) -> None:
    """Raise :class:`DependentsError` if a statement left in ``keep`` refers to an IRI in ``gone``."""
    found = []
    for path, graph in keep.items():
        dependents = sorted((s, p, o) for s, p, o in graph if o in gone)
        if not dependents:
            continue
        index = SourceIndex([path])
        for s, p, o in dependents:
            where = index.statement(str(s), str(p)) or index.subject(str(s))
            found.append(f"{where or path}: {NAMES.term(s)} {NAMES.term(p)} {NAMES.term(o)}")
    if found:
        listed = "\n  ".join(found)
        raise DependentsError(f"refused: data/ still refers to what would be removed; nothing was changed:\n  {listed}")
