"""Show validation reports, and remember them between runs.

This module imports neither rdflib nor pySHACL: a report arrives as the plain data
:func:`normgraph.validation_report.report_data` produces, so text and JSON output, and a report served
from the cache, cost no more than Python's start-up. Only Turtle output loads rdflib.

The cache makes repeated validation of unchanged inputs instant. Its key is the SHA-256 of
everything the report depends on: the bytes and paths of every ontology, vocabulary, shapes,
rule, data and contributed file, the input bounds in force, the engine, the source of normgraph
itself and the versions of pySHACL, rdflib and pyoxigraph. A report is cached only when validation finished; input errors
never are. ``NORMGRAPH_CACHE_DIR`` moves the cache, ``--no-cache`` bypasses it.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from . import bounds
from .layout import Layout

#: Cached reports kept; older ones are removed when a new one is written.
CACHE_ENTRIES = 32
#: Inputs larger than this in total are validated without the cache: hashing them would cost
#: time, and an oversized contribution must reach the size bound before anything reads it.
CACHE_MAX_INPUT_BYTES = 64 * 1024 * 1024
_PACKAGE = Path(__file__).resolve().parent
_LIBRARIES = ("pyshacl", "rdflib", "pyoxigraph")

ReportData = dict[str, object]

#: The validation engines (see :mod:`normgraph.validate`); the engine is part of a report's cache key.
VALIDATION_ENGINES = ("normgraph", "pyshacl")


# --------------------------------------------------------------------------------------------
# Text
# --------------------------------------------------------------------------------------------


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def render_text(data: ReportData, *, checked: str) -> str:
    """Results grouped by focus node, each group headed by where the node is written
    (``file:line:column``, as compilers print it, so editors can jump there)."""
    results: list[dict] = data["results"]  # type: ignore[assignment]
    groups: dict[tuple[object, ...], list[dict]] = {}
    for result in results:
        key = (result["file"] or "", result["focusNode"]["value"], result["focusNode"]["type"])
        groups.setdefault(key, []).append(result)
    lines: list[str] = []
    for members in groups.values():
        first = members[0]
        where = _where(first)
        lines.append(f"{where}: {first['display']['focus']}" if where else first["display"]["focus"])
        head_line = first["subject"]["line"] if first["subject"] else first["line"]
        for result in members:
            shown = result["display"]
            subject = shown["path"] or ""
            if shown["value"] is not None and shown["value"] not in (shown["focus"], shown["path"]):
                subject += f" = {shown['value']}" if subject else shown["value"]
            at = f"line {result['line']}: " if result["line"] is not None and result["line"] != head_line else ""
            what = f"{shown['severity'].lower()}: {subject}  " if subject else f"{shown['severity'].lower()} "
            lines.append(f"  {at}{what}({shown['constraint']})")
            lines.append(f"      {result['message']}")
            if result["hint"]:
                lines.append(f"      {result['hint']}")
        lines.append("")
    violations: int = data["violations"]  # type: ignore[assignment]
    warnings: int = data["warnings"]  # type: ignore[assignment]
    nodes = _plural(len(groups), "node")
    if violations:
        lines.append(f"{checked}: {_plural(violations, 'violation')} and {_plural(warnings, 'warning')} on {nodes}: does not conform")
    elif warnings:
        lines.append(f"{checked}: conforms, with {_plural(warnings, 'warning')} on {nodes}")
    else:
        lines.append(f"{checked}: conforms")
    return "\n".join(lines) + "\n"


def _where(result: dict) -> str:
    """Where the result's node is written (else where the result is), as file:line:column."""
    place = result["subject"] or (result if result["file"] is not None else None)
    if place is None:
        return ""
    return f"{_relative(place['file'])}:{place['line']}:{place['column']}"


def _relative(path: str) -> str:
    """``path`` relative to the current folder when it lies below it, as people type paths."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return path


def render_json(data: ReportData) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


# --------------------------------------------------------------------------------------------
# Turtle: the SHACL validation report graph
# --------------------------------------------------------------------------------------------


def render_turtle(data: ReportData) -> str:
    """The SHACL validation report (``sh:ValidationReport``) as deterministic Turtle.
    ``sh:conforms`` is false when a violation remains; warnings alone do not make it false."""
    from rdflib import BNode, Graph, Literal, URIRef  # noqa: PLC0415 - rdflib only for this format
    from rdflib.namespace import RDF, SH

    from .serialize import to_turtle  # noqa: PLC0415
    from .display import DISPLAY_PREFIXES  # noqa: PLC0415

    def term(value: dict | None):
        if value is None:
            return None
        if value["type"] == "uri":
            return URIRef(value["value"])
        if value["type"] == "bnode":
            return BNode(value["value"])
        if "xml:lang" in value:
            return Literal(value["value"], lang=value["xml:lang"])
        return Literal(value["value"], datatype=URIRef(value["datatype"]) if "datatype" in value else None)

    graph = Graph()

    def path(value: object):
        if isinstance(value, str):
            return URIRef(value)
        node = BNode()
        if isinstance(value, list):
            items = [path(step) for step in value]
            current = node
            for index, item in enumerate(items):
                graph.add((current, RDF.first, item))
                following = BNode() if index < len(items) - 1 else RDF.nil
                graph.add((current, RDF.rest, following))
                current = following
            return node
        (name, inner), = value.items()  # type: ignore[union-attr]
        graph.add((node, SH[name], path(inner)))
        return node

    report = URIRef("urn:normgraph:validation-report")
    graph.add((report, RDF.type, SH.ValidationReport))
    graph.add((report, SH.conforms, Literal(bool(data["conforms"]))))
    for result in data["results"]:  # type: ignore[union-attr]
        node = BNode()
        graph.add((report, SH.result, node))
        graph.add((node, RDF.type, SH.ValidationResult))
        graph.add((node, SH.focusNode, term(result["focusNode"])))
        graph.add((node, SH.resultSeverity, URIRef(result["resultSeverity"])))
        graph.add((node, SH.sourceConstraintComponent, URIRef(result["sourceConstraintComponent"])))
        graph.add((node, SH.sourceShape, term(result["sourceShape"])))
        graph.add((node, SH.resultMessage, Literal(result["message"])))
        if result["resultPath"] is not None:
            graph.add((node, SH.resultPath, path(result["resultPath"])))
        if result["value"] is not None:
            graph.add((node, SH.value, term(result["value"])))
    return to_turtle(graph, prefixes=DISPLAY_PREFIXES)


# --------------------------------------------------------------------------------------------
# Cache
# --------------------------------------------------------------------------------------------


def cache_dir() -> Path:
    """$NORMGRAPH_CACHE_DIR, else $XDG_CACHE_HOME/normgraph, else ~/.cache/normgraph."""
    explicit = os.environ.get("NORMGRAPH_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "normgraph"


def _library_versions() -> str:
    found = []
    for name in _LIBRARIES:
        try:
            found.append(f"{name}={version(name)}")
        except PackageNotFoundError:
            found.append(f"{name}=absent")
    return ";".join(found)


def cache_key(layout: Layout, files: Sequence[Path], engine: str) -> str | None:
    """The SHA-256 of every input a report depends on (see the module documentation), or None
    when an input cannot be read (validation then reports it) or the inputs are too large."""
    digest = hashlib.sha256()
    budget = [CACHE_MAX_INPUT_BYTES]

    def add(label: str, path: Path) -> None:
        budget[0] -= path.stat().st_size
        if budget[0] < 0:
            raise OSError("inputs too large to cache")
        digest.update(f"{label}\0{path.resolve()}\0".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())

    digest.update(f"engine={engine};{_library_versions()}\0".encode())
    digest.update(";".join(f"{bound.variable}={bound.value()}" for bound in bounds.ALL).encode() + b"\0")
    try:
        for source in sorted(_PACKAGE.rglob("*.py")):
            add("code", source)
        for label, paths in (
            ("ontology", layout.ontology_files()),
            ("shapes", layout.shape_files()),
            ("rules", sorted(layout.rules_dir.glob("*.rq"))),
            ("data", layout.data_files()),
            ("input", list(files)),
        ):
            for path in paths:
                add(label, path)
    except OSError:
        return None
    return digest.hexdigest()


def cached_report(key: str) -> ReportData | None:
    """The report cached under ``key``, or None (also when the entry is unreadable)."""
    try:
        return json.loads((cache_dir() / f"{key}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def store_report(key: str, data: ReportData) -> None:
    """Cache ``data`` under ``key`` (atomically), dropping the oldest entries beyond
    :data:`CACHE_ENTRIES`. A cache that cannot be written is skipped, silently: it only
    saves time."""
    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".report-", suffix=".part", dir=folder)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(data, stream)
        os.replace(temporary, folder / f"{key}.json")
        entries = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[CACHE_ENTRIES:]:
            old.unlink(missing_ok=True)
    except OSError:
        return
