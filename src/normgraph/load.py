"""Parse RDF safely, and load the parts of the graph.

All parsing goes through :func:`parse_file` so that every input, trusted or contributed, gets the
same treatment: only Turtle and N-Triples (formats that never fetch anything: no remote contexts,
no entity expansion, no ``owl:imports`` following), a size bound, a triple bound, and syntax
errors reported with file, line and column instead of a traceback.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph
from rdflib.exceptions import ParserError
from rdflib.plugins.parsers.notation3 import BadSyntax

from .errors import InputError
from .layout import Layout
from .namespaces import bind_prefixes

#: Formats normgraph accepts, by file suffix. Others are refused with a clear message.
FORMATS = {".ttl": "turtle", ".nt": "nt"}
DEFAULT_MAX_BYTES = 100 * 1024 * 1024
DEFAULT_MAX_TRIPLES = 5_000_000
#: Turtle nesting ([ [ [ ...) is parsed recursively; this bounds how deep a file may go.
NESTING_RECURSION_LIMIT = 4000


def max_bytes() -> int:
    """The size bound: $NORMGRAPH_MAX_BYTES, else 100 MB."""
    return int(os.environ.get("NORMGRAPH_MAX_BYTES", DEFAULT_MAX_BYTES))


def _syntax_position(exc: BadSyntax) -> tuple[int, int]:
    text = exc._str.decode("utf-8", errors="replace")  # noqa: SLF001 - rdflib keeps no public copy
    index = min(exc._i, len(text))  # noqa: SLF001
    line_start = text.rfind("\n", 0, index) + 1
    return exc.lines + 1, index - line_start + 1


def _why(exc: BadSyntax) -> str:
    return str(exc._why)  # noqa: SLF001


def _ntriples_error_line(text: str) -> int | None:
    """N-Triples errors carry no position; find the first line that does not parse alone."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            Graph().parse(data=line, format="nt")
        except Exception:  # noqa: BLE001 - any failure marks the line
            return number
    return None


def parse_file(
    path: str | os.PathLike[str],
    graph: Graph | None = None,
    *,
    size_limit: int | None = None,
    triple_limit: int = DEFAULT_MAX_TRIPLES,
) -> Graph:
    """Parse one Turtle or N-Triples file into ``graph`` (a new one if omitted).

    Raises :class:`InputError` with the file, line and column for anything unusable.
    """
    path = Path(path)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        accepted = ", ".join(sorted(FORMATS))
        raise InputError(path, f"unsupported format {path.suffix or '(no suffix)'!r}: normgraph accepts {accepted} (Turtle, N-Triples)")
    limit = max_bytes() if size_limit is None else size_limit
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(path, f"cannot read file: {exc.strerror}") from None
    if size > limit:
        raise InputError(path, f"file is {size} bytes, over the limit of {limit} bytes (set NORMGRAPH_MAX_BYTES to raise it)")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read file: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(path, "file is not valid UTF-8", line, column) from None

    target = graph if graph is not None else bind_prefixes(Graph())
    scratch = Graph()
    old_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old_limit, NESTING_RECURSION_LIMIT))
    try:
        scratch.parse(data=text, format=fmt, publicID=path.resolve().as_uri())
    except BadSyntax as exc:
        line, column = _syntax_position(exc)
        raise InputError(path, f"Turtle syntax error: {_why(exc)}", line, column) from None
    except RecursionError:
        raise InputError(path, "input is nested too deeply to parse safely") from None
    except (ParserError, ValueError, TypeError, AttributeError, KeyError, IndexError) as exc:
        line = _ntriples_error_line(text) if fmt == "nt" else None
        raise InputError(path, f"cannot parse as {fmt}: {exc}", line) from None
    finally:
        sys.setrecursionlimit(old_limit)
    if len(scratch) > triple_limit:
        raise InputError(path, f"file holds {len(scratch)} triples, over the limit of {triple_limit}")
    for prefix, namespace in scratch.namespaces():
        if prefix and prefix not in dict(target.namespaces()):
            target.bind(prefix, namespace)
    target += scratch
    return target


def parse_files(paths: list[Path], graph: Graph | None = None) -> Graph:
    """Parse several files into one graph."""
    graph = graph if graph is not None else bind_prefixes(Graph())
    for path in paths:
        parse_file(path, graph)
    return graph


@dataclass
class Parts:
    """The graph, as its four parts. ``ontology`` includes the SKOS vocabularies."""

    layout: Layout
    ontology: Graph
    data: Graph
    shapes: Graph
    files: dict[str, list[Path]] = field(default_factory=dict)

    def union(self, *, with_shapes: bool = False) -> Graph:
        """Ontology, vocabularies and data (and shapes if asked) in one new graph."""
        merged = bind_prefixes(Graph())
        merged += self.ontology
        merged += self.data
        if with_shapes:
            merged += self.shapes
        return merged


def load_parts(layout: Layout) -> Parts:
    """Load ontology + vocabularies, data and shapes of a tree."""
    files = {
        "ontology": layout.ontology_files(),
        "data": layout.data_files(),
        "shapes": layout.shape_files(),
    }
    return Parts(
        layout=layout,
        ontology=parse_files(files["ontology"]),
        data=parse_files(files["data"]),
        shapes=parse_files(files["shapes"]),
        files=files,
    )
