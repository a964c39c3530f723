"""The one loader: every RDF file a command reads is parsed here, once, into one store.

Every input, trusted or contributed, gets the same treatment from every command:

* only Turtle and N-Triples, formats that never fetch anything (no remote contexts, no entity
  expansion, no ``owl:imports`` following);
* the bounds of :mod:`normgraph.bounds`: file size (checked before the file is read), triples per
  file and literal length (checked while parsing, so a 50 MB quote is refused as soon as it is
  read), and nesting depth of ``[ ]`` and ``( )``;
* IRI syntax and UTF-8, which the parser checks;
* anything unusable reported as an :class:`~normgraph.errors.InputError` with file, line and
  column, never a traceback.

The parser is Oxigraph's (Rust, via pyoxigraph): on the whole tree it is several times faster
than rdflib's, needs a fraction of the memory, and reports every syntax error with its
position. The parts of a tree go into one :class:`pyoxigraph.Store`, each in its named graph
(:data:`GRAPHS`), for SPARQL. pySHACL and owlrl work on rdflib graphs; those are built by
:func:`to_rdflib`, the only conversion in that direction, from the quads as parsed: the store
keeps typed literals in canonical form (``"7"^^xsd:nonNegativeInteger`` reads back as
``"7"^^xsd:integer``), which would hide exactly the datatype errors the shapes look for.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from . import bounds
from .errors import InputError
from .layout import Layout
from .namespaces import bind_prefixes
from .positions import scan_text
from .terms import to_rdflib_term

#: Formats normgraph accepts, by file suffix. Others are refused with a clear message.
INPUT_FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES}
_FORMAT_NAMES = {".ttl": "Turtle", ".nt": "N-Triples"}

#: The named graph each part of a tree is loaded into.
GRAPHS = {
    "ontology": ox.NamedNode("urn:normgraph:graph:ontology"),
    "data": ox.NamedNode("urn:normgraph:graph:data"),
    "shapes": ox.NamedNode("urn:normgraph:graph:shapes"),
    "contribution": ox.NamedNode("urn:normgraph:graph:contribution"),
}

_POSITION = re.compile(r"^Parser error (?:at|between) line (\d+) (?:column (\d+)|between columns (\d+) and \d+)(?: and line \d+ column \d+)?: ")
_TRAILING_LINE = re.compile(r" \(line \d+\)$")


def _syntax_error(path: Path, kind: str, exc: SyntaxError) -> InputError:
    """Oxigraph's error as normgraph's: the position moved into file:line:column."""
    message = str(exc.msg)
    line, column = exc.lineno, exc.offset
    found = _POSITION.match(message)
    if found:
        line, column = int(found.group(1)), int(found.group(2) or found.group(3))
        message = message[found.end() :]
    message = _TRAILING_LINE.sub("", message)
    if message.startswith("Invalid UTF-8"):
        return InputError(path, "file is not valid UTF-8", line, column)
    return InputError(path, f"{kind} syntax error: {message}", line, column)


def _literal_position(path: Path, value: str) -> tuple[int | None, int | None]:
    """Where a (too long) literal is written: the line and column of its opening quote, found by
    its first characters; nothing if it is written with escapes that hide them."""
    needle = value[:200].encode("utf-8")
    with path.open("rb") as handle:
        raw = handle.read()
    index = raw.find(needle)
    if index <= 0:
        return None, None
    start = index - 1
    line_start = raw.rfind(b"\n", 0, start) + 1
    return raw.count(b"\n", 0, start) + 1, len(raw[line_start:start].decode("utf-8", errors="replace")) + 1


def _oversized_term(path: Path, literal_limit: int) -> InputError:
    """The parser's buffer (16 MiB per term) overflowed: report where such a term begins, as a
    literal over the bound: the first line long enough to hold one, at its first quote, else the
    first long string (triple quotes) that spans more than the bound."""
    message = f"a term of more than {literal_limit} characters, over the limit of {literal_limit} (set {bounds.MAX_LITERAL.variable} to raise it)"
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if len(raw) > literal_limit:
                quote = min((i for i in (raw.find(b'"'), raw.find(b"'")) if i >= 0), default=0)
                return InputError(path, message, number, len(raw[:quote].decode("utf-8", errors="replace")) + 1)
    raw = path.read_bytes()  # within the file-size bound, checked before parsing
    for opening in sorted(_long_strings(raw)):
        closing = raw.find(raw[opening : opening + 3], opening + 3)
        if closing < 0 or closing - opening > literal_limit:
            line_start = raw.rfind(b"\n", 0, opening) + 1
            return InputError(path, message, raw.count(b"\n", 0, opening) + 1, len(raw[line_start:opening].decode("utf-8", errors="replace")) + 1)
    return InputError(path, message)


def _long_strings(raw: bytes) -> list[int]:
    """Where Turtle long strings (three double or single quotes) open, by quote kind."""
    openings = []
    for quotes in (b'"""', b"'''"):
        at = raw.find(quotes)
        while at >= 0:
            openings.append(at)
            closing = raw.find(quotes, at + 3)
            at = -1 if closing < 0 else raw.find(quotes, closing + 3)
    return openings


def read_quads(path: str | os.PathLike[str], graph: ox.NamedNode | None = None) -> list[ox.Quad]:
    """Parse one Turtle or N-Triples file within the bounds; its triples as quads in ``graph``
    (the default graph if omitted). Raises :class:`InputError` for anything unusable."""
    path = Path(path)
    suffix = path.suffix.lower()
    fmt = INPUT_FORMATS.get(suffix)
    if fmt is None:
        accepted = ", ".join(sorted(INPUT_FORMATS))
        raise InputError(path, f"unsupported format {path.suffix or '(no suffix)'!r}: normgraph accepts {accepted} (Turtle, N-Triples)")
    size_limit = int(bounds.MAX_BYTES.value())
    triple_limit = int(bounds.MAX_TRIPLES.value())
    literal_limit = int(bounds.MAX_LITERAL.value())
    try:
        size = path.stat().st_size
        if size > size_limit:
            raise InputError(path, f"file is {size} bytes, over the limit of {size_limit} bytes (set {bounds.MAX_BYTES.variable} to raise it)")
        with path.open("rb") as handle:
            handle.read(0)
    except OSError as exc:
        raise InputError(path, f"cannot read file: {exc.strerror}") from None
    target = graph if graph is not None else ox.DefaultGraph()
    quads: list[ox.Quad] = []
    count = 0
    try:
        for quad in ox.parse(path=path, format=fmt, base_iri=path.resolve().as_uri()):
            literal = quad.object
            if isinstance(literal, ox.Literal) and len(literal.value) > literal_limit:
                line, column = _literal_position(path, literal.value)
                raise InputError(
                    path,
                    f"a literal of {len(literal.value)} characters, over the limit of {literal_limit} (set {bounds.MAX_LITERAL.variable} to raise it)",
                    line,
                    column,
                )
            count += 1
            if count <= triple_limit:
                quads.append(ox.Quad(quad.subject, quad.predicate, literal, target))
    except SyntaxError as exc:
        raise _syntax_error(path, _FORMAT_NAMES[suffix], exc) from None
    except MemoryError:
        raise _oversized_term(path, literal_limit) from None
    except OSError as exc:
        raise InputError(path, f"cannot read file: {exc.strerror}") from None
    if count > triple_limit:
        raise InputError(path, f"file holds {count} triples, over the limit of {triple_limit}")
    if suffix == ".ttl":
        _bound_nesting(path)
    return quads


def _bound_nesting(path: Path) -> None:
    """Refuse a Turtle file whose blank nodes and lists nest deeper than the bound, at the line
    and column where they pass it (:func:`normgraph.positions.scan_text`). Nesting can go no
    deeper than the number of brackets that open it, so a file with no more ``[`` and ``(`` in
    all than the bound (every curated file) is not scanned: the scan is a Python tokenizer."""
    raw = path.read_bytes()
    if raw.count(b"[") + raw.count(b"(") > int(bounds.MAX_DEPTH.value()):
        scan_text(path, raw.decode("utf-8"))


# --------------------------------------------------------------------------------------------
# The conversion to rdflib, for pySHACL, owlrl and rdflib's serializers
# --------------------------------------------------------------------------------------------


def to_rdflib(quads: Iterable[ox.Quad | ox.Triple], graph: Graph | None = None) -> Graph:
    """The triples of ``quads`` (their graph names dropped) added to ``graph``, a new graph with
    normgraph's prefixes if omitted."""
    target = graph if graph is not None else bind_prefixes(Graph())
    convert = to_rdflib_term
    target.addN((convert(q.subject), convert(q.predicate), convert(q.object), target) for q in quads)  # type: ignore[arg-type]
    return target


def parse_file(path: str | os.PathLike[str], graph: Graph | None = None) -> Graph:
    """One file, within the bounds, as an rdflib graph (added to ``graph`` if given)."""
    return to_rdflib(read_quads(path), graph)


def parse_files(paths: Sequence[Path], graph: Graph | None = None) -> Graph:
    """Several files, within the bounds, as one rdflib graph."""
    graph = graph if graph is not None else bind_prefixes(Graph())
    for path in paths:
        parse_file(path, graph)
    return graph


# --------------------------------------------------------------------------------------------
# A tree in one store
# --------------------------------------------------------------------------------------------


@dataclass
class Parts:
    """A tree loaded into one Oxigraph store, each part in its named graph of :data:`GRAPHS`;
    ``ontology`` includes the vocabularies, ``contribution`` holds the files being checked.
    The validator works on this store itself (:class:`normgraph.validate.GraphUnderTest`), and
    there the contribution graph holds only what a contribution adds to the data.
    ``parsed`` keeps each part's quads as written, for the rdflib views (:attr:`ontology`,
    :attr:`data`, :attr:`shapes`, :attr:`contribution`), each converted on first use, once.
    """

    layout: Layout
    store: ox.Store
    parsed: dict[str, dict[Path, list[ox.Quad]]]
    files: dict[str, list[Path]] = field(default_factory=dict)

    def quads(self, *parts: str) -> list[ox.Quad]:
        """The quads of the named parts, as parsed."""
        return [quad for part in parts for quads in self.parsed[part].values() for quad in quads]

    def file_graphs(self, part: str) -> dict[Path, Graph]:
        """Each file of ``part`` as an rdflib graph of its own."""
        return {path: to_rdflib(quads) for path, quads in self.parsed[part].items()}

    def count(self, part: str) -> int:
        """How many triples ``part`` holds."""
        return sum(1 for _ in self.store.quads_for_pattern(None, None, None, GRAPHS[part]))

    def graph(self, *parts: str) -> Graph:
        """A new rdflib graph holding the named parts."""
        return to_rdflib(self.quads(*parts))

    @cached_property
    def ontology(self) -> Graph:
        return self.graph("ontology")

    @cached_property
    def data(self) -> Graph:
        return self.graph("data")

    @cached_property
    def shapes(self) -> Graph:
        return self.graph("shapes")

    @cached_property
    def contribution(self) -> Graph:
        return self.graph("contribution")

    def written_literals(self, predicates: set[URIRef]) -> Iterator[tuple[Node, URIRef, Literal]]:
        """The statements of ontology and data with one of ``predicates`` and a literal object,
        as written (the store may hold the literal in canonical form), in rdflib terms."""
        wanted = {ox.NamedNode(str(p)): URIRef(str(p)) for p in predicates}
        convert = to_rdflib_term
        for part in ("ontology", "data"):
            for quads in self.parsed[part].values():
                for quad in quads:
                    predicate = wanted.get(quad.predicate)
                    if predicate is not None and isinstance(quad.object, ox.Literal):
                        yield convert(quad.subject), predicate, convert(quad.object)  # type: ignore[misc]

    def union(self, *, with_shapes: bool = False) -> Graph:
        """Ontology, vocabularies and data (and shapes if asked) in one new rdflib graph."""
        return self.graph("ontology", "data", *(("shapes",) if with_shapes else ()))


def load_parts(layout: Layout, *, data_files: Sequence[Path] | None = None, contribution: Sequence[Path] = ()) -> Parts:
    """Load ontology + vocabularies, data and shapes of a tree into one store, each file once.

    ``data_files`` replaces the tree's data files (``check --data``); ``contribution`` files
    go into their own graph, and a contribution file that sits in ``data/`` is left out of the
    data so it is not counted twice.
    """
    contributed = [Path(p) for p in contribution]
    skip = {p.resolve() for p in contributed}
    data = layout.data_files() if data_files is None else [Path(p) for p in data_files]
    files = {
        "ontology": layout.ontology_files(),
        "data": [p for p in data if p.resolve() not in skip],
        "shapes": layout.shape_files(),
        "contribution": contributed,
    }
    # The contribution first: a contributor whose file breaks a bound hears about their file.
    order = ("contribution", "ontology", "data", "shapes")
    parsed = {part: {path: read_quads(path, GRAPHS[part]) for path in files[part]} for part in order}
    store = ox.Store()
    for by_file in parsed.values():
        for quads in by_file.values():
            store.bulk_extend(quads)
    return Parts(layout=layout, store=store, parsed=parsed, files=files)
