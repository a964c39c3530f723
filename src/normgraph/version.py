"""The release version, and the files that must agree on it.

One version number is stated in several places: the ontology's ``owl:versionInfo`` and
``owl:versionIRI`` (``<https://w3id.org/normgraph/ontology/X.Y.Z>``), its ``owl:priorVersion``
(the version before), its ``dcterms:issued`` and ``dcterms:modified`` dates, each vocabulary's
``owl:versionInfo``, the ``owl:versionInfo`` of the shapes graph's header, ``pyproject.toml`` and
a ``## [X.Y.Z]`` section of ``CHANGELOG.md``.
:func:`version_problems` says where they disagree; ``normgraph publish`` refuses to build a
release until they agree. :func:`bump_version` moves them all together, editing only the lines
concerned so that comments and layout of the hand-written Turtle stay as they are.
"""

from __future__ import annotations

import os
import re
import tempfile
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, SKOS

from .errors import UsageError
from .layout import Layout
from .load import parse_file
from .namespaces import ONTOLOGY_IRI
from .serialize import ntriples_digest

_SEMVER = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)")
_UNRELEASED = re.compile(r"^## \[Unreleased\][ \t]*$", re.MULTILINE)


def parse_version(text: str) -> tuple[int, int, int]:
    """``"1.2.3"`` as ``(1, 2, 3)``; anything else is refused."""
    match = _SEMVER.fullmatch(text)
    if match is None:
        raise UsageError(f"{text!r} is not a version of the form MAJOR.MINOR.PATCH (for example 0.2.0)")
    return (int(match[1]), int(match[2]), int(match[3]))


def version_iri(version: str) -> URIRef:
    return URIRef(f"{ONTOLOGY_IRI}/{version}")


@dataclass
class Versions:
    """Every statement of the version in a tree, as found."""

    version: str | None = None
    version_iri: URIRef | None = None
    prior_version: URIRef | None = None
    issued: date | None = None
    modified: date | None = None
    #: ``owl:versionInfo`` of each vocabulary's concept scheme and of the shapes graph's header,
    #: by file (relative to the tree).
    others: dict[str, str | None] = field(default_factory=dict)
    package: str | None = None
    changelog_versions: list[str] | None = None


def _one(graph: Graph, subject: URIRef, predicate: URIRef):
    values = sorted(graph.objects(subject, predicate))
    return values[0] if len(values) == 1 else None


def _date(value) -> date | None:
    if isinstance(value, Literal) and isinstance(value.toPython(), date):
        return value.toPython()
    return None


def _name(layout: Layout, path: Path) -> str:
    return path.relative_to(layout.root).as_posix()


def read_versions(layout: Layout, graphs: dict[Path, Graph] | None = None) -> Versions:
    """Collect the version statements of ``layout`` (``graphs`` may supply parsed files)."""
    graphs = graphs or {}
    files = layout.ontology_files()
    found = Versions()
    ontology = graphs.get(files[0]) or parse_file(files[0])
    subject = URIRef(ONTOLOGY_IRI)
    info = _one(ontology, subject, OWL.versionInfo)
    found.version = str(info) if info is not None else None
    found.version_iri = _one(ontology, subject, OWL.versionIRI)
    found.prior_version = _one(ontology, subject, OWL.priorVersion)
    found.issued = _date(_one(ontology, subject, DCTERMS.issued))
    found.modified = _date(_one(ontology, subject, DCTERMS.modified))
    for path in files[1:]:
        graph = graphs.get(path) or parse_file(path)
        for scheme in sorted(graph.subjects(RDF.type, SKOS.ConceptScheme)):
            value = _one(graph, scheme, OWL.versionInfo)
            found.others[_name(layout, path)] = str(value) if value is not None else None
    for path in layout.shape_files():
        graph = graphs.get(path) or parse_file(path)
        for header in sorted(graph.subjects(RDF.type, OWL.Ontology)):
            if (header, OWL.versionInfo, None) in graph:
                value = _one(graph, header, OWL.versionInfo)
                found.others[_name(layout, path)] = str(value) if value is not None else None
    pyproject = layout.root / "pyproject.toml"
    if pyproject.is_file():
        found.package = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {}).get("version")
    changelog = layout.root / "CHANGELOG.md"
    if changelog.is_file():
        found.changelog_versions = re.findall(r"^## \[([^\]]+)\]", changelog.read_text(encoding="utf-8"), re.MULTILINE)
    return found


def version_problems(found: Versions) -> list[str]:
    """Where the version statements disagree or are missing; empty when they all agree."""
    problems: list[str] = []
    version = found.version
    if version is None:
        return ["ontology/normgraph.ttl: the ontology has no single owl:versionInfo"]
    if _SEMVER.fullmatch(version) is None:
        problems.append(f"ontology/normgraph.ttl: owl:versionInfo {version!r} is not MAJOR.MINOR.PATCH")
    if found.version_iri != version_iri(version):
        problems.append(f"ontology/normgraph.ttl: owl:versionIRI is {found.version_iri}, expected {version_iri(version)}")
    if found.prior_version is not None:
        prior = str(found.prior_version)
        number = prior.rsplit("/", 1)[-1]
        if not prior.startswith(ONTOLOGY_IRI + "/") or _SEMVER.fullmatch(number) is None:
            problems.append(f"ontology/normgraph.ttl: owl:priorVersion {prior} is not {ONTOLOGY_IRI}/MAJOR.MINOR.PATCH")
        elif _SEMVER.fullmatch(version) and parse_version(number) >= parse_version(version):
            problems.append(f"ontology/normgraph.ttl: owl:priorVersion {number} is not older than {version}")
    if found.issued is None:
        problems.append("ontology/normgraph.ttl: the ontology has no single dcterms:issued xsd:date")
    if found.modified is None:
        problems.append("ontology/normgraph.ttl: the ontology has no single dcterms:modified xsd:date")
    for name, value in sorted(found.others.items()):
        if value != version:
            problems.append(f"{name}: owl:versionInfo is {value!r}, expected {version!r}")
    if found.package is not None and found.package != version:
        problems.append(f"pyproject.toml: version is {found.package!r}, expected {version!r}")
    if found.changelog_versions is not None and version not in found.changelog_versions:
        problems.append(f"CHANGELOG.md: no '## [{version}]' section")
    return problems


# --------------------------------------------------------------------------------------------
# Bumping
# --------------------------------------------------------------------------------------------


def _replace_once(text: str, pattern: str, replacement: str, where: str) -> str:
    new, count = re.subn(pattern, replacement, text, count=0, flags=re.MULTILINE)
    if count != 1:
        raise UsageError(f"{where}: expected exactly one line matching {pattern!r}, found {count}; edit it by hand")
    return new


def _header_block(text: str, where: str) -> tuple[int, int]:
    """The character span of the ontology header: from its subject to the statement's end."""
    start = text.find(f"<{ONTOLOGY_IRI}>\n")
    if start < 0:
        raise UsageError(f"{where}: cannot find the ontology header <{ONTOLOGY_IRI}> at the start of a line")
    end = re.compile(r"\s\.[ \t]*$", re.MULTILINE).search(text, start)
    if end is None:
        raise UsageError(f"{where}: the ontology header does not end with ' .'")
    return start, end.end()


def _bump_ontology(text: str, old: str, new: str, on: date, where: str) -> str:
    start, end = _header_block(text, where)
    header = text[start:end]
    header = _replace_once(header, rf"^(\s*owl:versionIRI\s+)<{re.escape(ONTOLOGY_IRI)}/{re.escape(old)}>", rf"\g<1><{ONTOLOGY_IRI}/{new}>", where)
    header = _replace_once(header, rf'^(\s*owl:versionInfo\s+)"{re.escape(old)}"', rf'\g<1>"{new}"', where)
    for term in ("issued", "modified"):
        header = _replace_once(header, rf'^(\s*dcterms:{term}\s+)"[0-9-]+"\^\^xsd:date', rf'\g<1>"{on.isoformat()}"^^xsd:date', where)
    prior = f"<{ONTOLOGY_IRI}/{old}>"
    if re.search(r"^\s*owl:priorVersion\s", header, re.MULTILINE):
        header = _replace_once(header, r"^(\s*owl:priorVersion\s+)<[^>]*>", rf"\g<1>{prior}", where)
    else:
        header = _replace_once(header, r"^(\s*)(owl:versionIRI\s+<[^>]*>\s*;)$", rf"\g<1>\g<2>\n\g<1>owl:priorVersion {prior} ;", where)
    return text[:start] + header + text[end:]


def _bump_changelog(text: str, new: str, on: date, where: str) -> str:
    if f"## [{new}]" in text:
        raise UsageError(f"{where}: already has a section for {new}")
    match = _UNRELEASED.search(text)
    if match is None:
        raise UsageError(f"{where}: no '## [Unreleased]' heading to turn into the {new} section")
    return text[: match.end()] + f"\n\n## [{new}] - {on.isoformat()}" + text[match.end() :]


def _write_all(contents: dict[Path, str]) -> None:
    """Replace every file in ``contents``; all new texts are on disk before the first rename."""
    staged: list[tuple[Path, str]] = []
    try:
        for path, text in contents.items():
            handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
            with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
                stream.write(text)
            os.chmod(temporary, path.stat().st_mode & 0o777)
            staged.append((path, temporary))
        for path, temporary in staged:
            os.replace(temporary, path)
    finally:
        for _, temporary in staged:
            Path(temporary).unlink(missing_ok=True)


def bump_version(layout: Layout, new: str, on: date) -> dict[Path, str]:
    """Move every statement of the version in ``layout`` from the current version to ``new``,
    dated ``on``; return the files changed with a one-line note each.

    The ontology's ``owl:versionIRI`` and ``owl:versionInfo`` become ``new``, its
    ``owl:priorVersion`` the current version, ``dcterms:issued`` and ``dcterms:modified`` the date;
    the ``owl:versionInfo`` of each vocabulary and of the shapes header, and ``pyproject.toml``'s
    version become ``new``; the ``## [Unreleased]`` notes of ``CHANGELOG.md`` become the
    ``## [new]`` section under a fresh, empty ``## [Unreleased]``. Refuses to start from a tree
    whose statements disagree, and checks the result before writing anything.
    """
    if layout.bundled:
        raise UsageError("the bundled copy is read-only: run bump-version in a checkout (--root DIR)")
    current = read_versions(layout)
    problems = [p for p in version_problems(current) if not p.startswith("CHANGELOG.md")]
    if problems:
        raise UsageError("the version statements disagree already; fix them first:\n  " + "\n  ".join(problems))
    old = current.version
    assert old is not None
    if parse_version(new) <= parse_version(old):
        raise UsageError(f"the new version {new} must be greater than the current version {old}")

    files = layout.ontology_files()
    contents: dict[Path, str] = {}
    notes: dict[Path, str] = {}
    main = files[0]
    contents[main] = _bump_ontology(main.read_text(encoding="utf-8"), old, new, on, str(main))
    notes[main] = f"owl:versionIRI and owl:versionInfo {new}, owl:priorVersion {old}, issued and modified {on.isoformat()}"
    for path in [*files[1:], *layout.shape_files()]:
        if _name(layout, path) in current.others:
            contents[path] = _replace_once(path.read_text(encoding="utf-8"), rf'^(\s*owl:versionInfo\s+)"{re.escape(old)}"', rf'\g<1>"{new}"', str(path))
            notes[path] = f"owl:versionInfo {new}"
    pyproject = layout.root / "pyproject.toml"
    if pyproject.is_file():
        contents[pyproject] = _replace_once(pyproject.read_text(encoding="utf-8"), rf'^(version\s*=\s*)"{re.escape(old)}"', rf'\g<1>"{new}"', str(pyproject))
        notes[pyproject] = f"version {new}"
    changelog = layout.root / "CHANGELOG.md"
    if changelog.is_file():
        contents[changelog] = _bump_changelog(changelog.read_text(encoding="utf-8"), new, on, str(changelog))
        notes[changelog] = f"## [{new}] - {on.isoformat()}"

    _check_bumped(layout, contents, new, old, on)
    _write_all(contents)
    return notes


#: What a bump may change, on the ontology, each concept scheme and the shapes header.
_VERSION_PREDICATES = (OWL.versionIRI, OWL.versionInfo, OWL.priorVersion, DCTERMS.issued, DCTERMS.modified)


def _unversioned(graph: Graph) -> str:
    """The canonical digest of ``graph`` without its version statements: equal digests mean the
    graphs differ at most in those (blank nodes compared by structure, not label)."""
    kept = Graph()
    for s, p, o in graph:
        if p not in _VERSION_PREDICATES:
            kept.add((s, p, o))
    return ntriples_digest(kept)[0]


def _check_bumped(layout: Layout, contents: dict[Path, str], new: str, old: str, on: date) -> None:
    """Read the new texts back, as a scratch copy of the tree, and make sure they say exactly what
    a bump should: every statement at ``new``, and no other triple of the edited Turtle changed."""
    with tempfile.TemporaryDirectory(prefix="normgraph-bump-") as scratch:
        root = Path(scratch)
        originals = [*layout.ontology_files(), *layout.shape_files()]
        for path in originals:
            copy = root / path.relative_to(layout.root)
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_text(contents.get(path) or path.read_text(encoding="utf-8"), encoding="utf-8")
        for name in ("pyproject.toml", "CHANGELOG.md"):
            if (layout.root / name).is_file():
                (root / name).write_text(contents.get(layout.root / name) or (layout.root / name).read_text(encoding="utf-8"), encoding="utf-8")
        bumped = Layout(root, bundled=False)
        for before_path in originals:
            if before_path in contents and _unversioned(parse_file(before_path)) != _unversioned(parse_file(root / before_path.relative_to(layout.root))):
                raise UsageError(f"{before_path}: the edit would change more than the version statements; edit it by hand")
        found = read_versions(bumped)
    problems = version_problems(found)
    if found.version != new or found.prior_version != version_iri(old) or found.issued != on or found.modified != on:
        problems.append("ontology/normgraph.ttl: the header was not updated as expected")
    if problems:
        raise UsageError("the bump would leave the version statements in disagreement:\n  " + "\n  ".join(problems))
