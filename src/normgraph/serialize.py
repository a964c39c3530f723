"""Deterministic serialisation: the same graph always gives the same bytes.

Releases must diff cleanly and rebuild byte for byte, and files that ``normgraph add`` writes into
``data/`` must not churn. rdflib's own serialisers order output by hash and iteration order, so
this module writes Turtle, N-Triples and JSON-LD itself.

Public API
----------

``write_turtle(graph, destination, *, prefixes=PREFIXES, header=None) -> int``
    Turtle. Subjects sorted (IRIs, then labelled blank nodes, then ``[ ... ] .`` statements);
    per subject ``rdf:type`` first (as ``a``), then predicates sorted by IRI; objects sorted by
    their written form. ``@prefix`` lines only for the prefixes actually used, sorted by name,
    taken from ``prefixes`` (normgraph's :data:`~normgraph.namespaces.PREFIXES` by default; pass a
    larger mapping to add, say, ``sh:``).
    Text with line breaks is written as a long string (three quotes either side) that keeps them.
    Blank nodes used once as an object are written inline (``[ ... ]``), well-formed RDF lists as
    ``( ... )``, unreferenced blank subjects as ``[ ... ] .`` statements; only blank nodes that
    are shared or cyclic get a label, the RDFC-1.0 canonical one (``_:c14n0``). ``header`` is
    written first as ``#`` comment lines. Returns the number of triples written.

``write_ntriples(graph, destination) -> int``
    Canonical N-Triples (the RDF 1.2 canonical form: RDFC-1.0 blank-node labels, the escapes
    canonical N-Triples prescribes, one triple per line), lines sorted by code point, duplicates
    removed. Large graphs are sorted in chunks spilled to temporary files, so memory beyond the
    graph itself stays bounded. Returns the number of triples written.

``write_jsonld(graph, destination, *, prefixes=PREFIXES) -> int``
    Flattened JSON-LD 1.1 with an inline ``@context`` (prefixes only, so no processor ever fetches
    a remote context), one node object per subject in subject order, keys sorted, every literal
    as an explicit ``@value`` string so lexical forms survive. Returns the number of triples.

``to_turtle(graph, ...)``, ``to_ntriples(graph)``, ``to_jsonld(graph, ...)``
    The same, returned as ``str``.

``ntriples_digest(graph) -> (sha256_hex, triples)``
    The SHA-256 of the canonical N-Triples, without keeping them: equal digests, isomorphic graphs.

``normal_term(term)``, ``nt_term(term)``, ``sorted_unique(lines)``
    The building blocks: a term in its RDF 1.1 form, a term in canonical N-Triples, and the
    bounded-memory sort used for N-Triples.

``destination`` is a path or a binary file object. A path is written atomically: to a temporary
file in the same folder, then renamed over the target, so a reader never sees half a file and a
failed write leaves the old file in place.

Terms are written in their RDF 1.1 form: ``"x"^^xsd:string`` as the simple literal ``"x"`` and
language tags in lower case (RDF compares both that way; Oxigraph and other stores normalise them
on load), so every parser reads a dump back as the same graph. IRIs that no parser would accept
(spaces, ``<>"{}|^`\\``, control characters) are refused with :class:`SerializationError`.
"""

from __future__ import annotations

import hashlib
import heapq
import io
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, TextIO

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from .errors import NormgraphError
from .namespaces import PREFIXES, PrefixedNames
from .terms import IRI_FORBIDDEN, to_oxigraph

Destination = str | os.PathLike[str] | BinaryIO

#: N-Triples lines sorted in memory at once; more are sorted in chunks and merged from disk.
SORT_CHUNK_LINES = 250_000

_INDENT = "    "
_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?[0-9]*\.[0-9]+")
_ECHAR = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\"}
_ESCAPE = re.compile(r'[\x00-\x1f\x7f"\\]')
# In a long string line feeds stay as they are; quotes are still escaped, so none can close it.
_ESCAPE_LONG = re.compile(r'[\x00-\x09\x0b-\x1f\x7f"\\]')
_NOT_RDF = "cannot write a triple whose {what} is {term!r}: RDF subjects are IRIs or blank nodes, predicates IRIs"


class SerializationError(NormgraphError):
    """The graph holds something that cannot be written faithfully (an invalid IRI)."""

    exit_code = 2


# --------------------------------------------------------------------------------------------
# Terms
# --------------------------------------------------------------------------------------------


def normal_term(term: Node) -> Node:
    """``term`` in its RDF 1.1 form: no explicit ``xsd:string``, lower-case language tag."""
    if isinstance(term, Literal):
        if term.language is not None and term.language != term.language.lower():
            return Literal(str(term), lang=term.language.lower())
        if term.datatype == XSD.string:
            return Literal(str(term))
    return term


def _escape_char(match: re.Match[str]) -> str:
    char = match.group(0)
    return _ECHAR.get(char) or f"\\u{ord(char):04X}"


def quote_string(text: str) -> str:
    """``text`` as a canonical N-Triples string (also valid Turtle)."""
    return '"' + _ESCAPE.sub(_escape_char, text) + '"'


def _check_iri(iri: str) -> str:
    if IRI_FORBIDDEN.search(iri):
        raise SerializationError(f"cannot write the IRI {iri!r}: it contains a space or a character IRIs forbid")
    return iri


def nt_term(term: Node) -> str:
    """The canonical N-Triples form of ``term``; blank nodes keep their (canonical) label."""
    if isinstance(term, URIRef):
        return f"<{_check_iri(str(term))}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        term = normal_term(term)
        text = quote_string(str(term))
        if term.language is not None:
            return f"{text}@{term.language}"
        if term.datatype is not None:
            return f"{text}^^<{_check_iri(str(term.datatype))}>"
        return text
    raise SerializationError(f"cannot write {term!r}: only IRIs, blank nodes and literals belong in a dump")


def _turtle_iri(names: PrefixedNames, iri: str) -> str:
    return names.name(iri) or f"<{_check_iri(iri)}>"


def _turtle_string(text: str) -> str:
    """A Turtle string: text with line breaks as a long string (three quotes either side) that
    keeps them, so a SPARQL query in a shape stays readable; anything else as in N-Triples."""
    if "\n" not in text:
        return quote_string(text)
    return '"""' + _ESCAPE_LONG.sub(_escape_char, text) + '"""'


def _turtle_literal(term: Literal, names: PrefixedNames) -> str:
    term = normal_term(term)
    lexical = str(term)
    if term.language is not None:
        return f"{_turtle_string(lexical)}@{term.language}"
    datatype = term.datatype
    if datatype is None:
        return _turtle_string(lexical)
    if (
        (datatype == XSD.integer and _INTEGER.fullmatch(lexical))
        or (datatype == XSD.decimal and _DECIMAL.fullmatch(lexical))
        or (datatype == XSD.boolean and lexical in ("true", "false"))
    ):
        return lexical
    return f"{_turtle_string(lexical)}^^{_turtle_iri(names, str(datatype))}"


# --------------------------------------------------------------------------------------------
# Blank nodes
# --------------------------------------------------------------------------------------------


def _to_ox(term: Node, blanks: dict[BNode, ox.BlankNode]) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, BNode):
        if term not in blanks:
            blanks[term] = ox.BlankNode(f"b{len(blanks)}")
        return blanks[term]
    if isinstance(term, URIRef):
        return to_oxigraph(URIRef(_check_iri(str(term))))
    if isinstance(term, Literal):
        if term.datatype is not None:
            _check_iri(str(term.datatype))
        return to_oxigraph(normal_term(term))
    raise SerializationError(f"cannot write {term!r}: only IRIs, blank nodes and literals belong in a dump")


class Canonical:
    """A read-only view of a graph whose blank nodes carry their RDFC-1.0 canonical labels.

    Triples without blank nodes are read from the original graph (nothing is copied); the few
    that touch a blank node are canonicalised with Oxigraph's RDFC-1.0 and kept aside. RDFC-1.0 is
    the W3C standard, so the labels depend only on the graph's content, never on parse order.
    """

    def __init__(self, graph: Graph):
        self.graph = graph
        self.blank = Graph()
        touching = [t for t in graph if isinstance(t[0], BNode) or isinstance(t[2], BNode)]
        if touching:
            blanks: dict[BNode, ox.BlankNode] = {}
            back: dict[object, Node] = {}
            quads = []
            for s, p, o in touching:
                terms = []
                for term in (s, p, o):
                    converted = _to_ox(term, blanks)
                    if not isinstance(term, BNode):
                        back[converted] = normal_term(term)
                    terms.append(converted)
                quads.append(ox.Quad(*terms))
            dataset = ox.Dataset(quads)
            dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
            for quad in dataset:
                self.blank.add(
                    tuple(  # type: ignore[arg-type]
                        BNode(term.value) if isinstance(term, ox.BlankNode) else back[term]
                        for term in (quad.subject, quad.predicate, quad.object)
                    )
                )

    def subjects(self) -> list[Node]:
        """Every subject, sorted by its N-Triples form (IRIs before blank nodes)."""
        found = {s for s in self.graph.subjects(unique=True) if not isinstance(s, BNode)}
        found.update(self.blank.subjects(unique=True))
        for subject in found:
            if not isinstance(subject, (URIRef, BNode)):
                raise SerializationError(_NOT_RDF.format(what="subject", term=subject))
        for predicate in self.graph.predicates(unique=True):
            if not isinstance(predicate, URIRef):
                raise SerializationError(_NOT_RDF.format(what="predicate", term=predicate))
        return sorted(found, key=nt_term)

    def predicate_objects(self, subject: Node) -> list[tuple[Node, Node]]:
        """The (predicate, object) pairs of ``subject``, without duplicates, in no set order."""
        pairs: set[tuple[Node, Node]] = set()
        if not isinstance(subject, BNode):
            pairs.update((p, normal_term(o)) for p, o in self.graph.predicate_objects(subject) if not isinstance(o, BNode))
        pairs.update(self.blank.predicate_objects(subject))
        return list(pairs)

    def triples(self) -> Iterator[tuple[Node, Node, Node]]:
        """Every triple, blank nodes canonically labelled, in no set order."""
        for triple in self.graph:
            if not (isinstance(triple[0], BNode) or isinstance(triple[2], BNode)):
                yield triple
        yield from self.blank


def _object_key(pair: tuple[Node, Node]) -> tuple[int, str, str]:
    predicate, obj = pair
    return (0 if predicate == RDF.type else 1, str(predicate), nt_term(obj))


# --------------------------------------------------------------------------------------------
# Output plumbing
# --------------------------------------------------------------------------------------------


@contextmanager
def _open_text(destination: Destination) -> Iterator[TextIO]:
    """A text stream on ``destination``; a path is replaced atomically only if writing succeeds."""
    if isinstance(destination, (str, os.PathLike)):
        target = Path(destination)
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
                yield stream
            os.chmod(temporary, 0o644)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    else:
        stream = io.TextIOWrapper(destination, encoding="utf-8", newline="\n", write_through=True)
        try:
            yield stream
            stream.flush()
        finally:
            stream.detach()


def _as_text(writer, graph: Graph, **options) -> str:
    buffer = io.BytesIO()
    writer(graph, buffer, **options)
    return buffer.getvalue().decode("utf-8")


# --------------------------------------------------------------------------------------------
# N-Triples
# --------------------------------------------------------------------------------------------


def sorted_unique(lines: Iterable[str], chunk: int = SORT_CHUNK_LINES) -> Iterator[str]:
    """``lines`` (each ending in a newline) sorted by code point and deduplicated, holding at most
    ``chunk`` lines in memory at a time: longer inputs are sorted in runs spilled to temporary
    files and merged."""
    with tempfile.TemporaryDirectory(prefix="normgraph-sort-") as folder:
        runs: list[Path] = []
        batch: list[str] = []

        def spill() -> None:
            batch.sort()
            run = Path(folder) / f"run{len(runs)}"
            run.write_text("".join(batch), encoding="utf-8")
            runs.append(run)
            batch.clear()

        for line in lines:
            batch.append(line)
            if len(batch) >= chunk:
                spill()
        if runs and batch:
            spill()
        if runs:
            streams = [run.open(encoding="utf-8", newline="\n") for run in runs]
            try:
                merged: Iterable[str] = heapq.merge(*streams)
                previous = None
                for line in merged:
                    if line != previous:
                        yield line
                        previous = line
            finally:
                for stream in streams:
                    stream.close()
        else:
            batch.sort()
            previous = None
            for line in batch:
                if line != previous:
                    yield line
                    previous = line


def _nt_lines(view: Canonical) -> Iterator[str]:
    for s, p, o in view.triples():
        if not isinstance(s, (URIRef, BNode)):
            raise SerializationError(_NOT_RDF.format(what="subject", term=s))
        if not isinstance(p, URIRef):
            raise SerializationError(_NOT_RDF.format(what="predicate", term=p))
        yield f"{nt_term(s)} {nt_term(p)} {nt_term(o)} .\n"


def write_ntriples(graph: Graph, destination: Destination, *, chunk: int = SORT_CHUNK_LINES) -> int:
    """Write ``graph`` as sorted canonical N-Triples; return the number of triples written."""
    view = Canonical(graph)
    count = 0
    with _open_text(destination) as stream:
        for line in sorted_unique(_nt_lines(view), chunk):
            stream.write(line)
            count += 1
    return count


def to_ntriples(graph: Graph) -> str:
    """``graph`` as sorted canonical N-Triples text."""
    return _as_text(write_ntriples, graph)


class _Digest(io.RawIOBase):
    """A write-only stream that keeps only the SHA-256 of what passes through it."""

    def __init__(self) -> None:
        super().__init__()
        self.hash = hashlib.sha256()

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # type: ignore[override]
        self.hash.update(data)
        return len(data)


def ntriples_digest(graph: Graph) -> tuple[str, int]:
    """The SHA-256 (hex) of ``graph``'s sorted canonical N-Triples, and its number of triples,
    without keeping the text: two graphs are isomorphic exactly when their digests are equal."""
    sink = _Digest()
    with io.BufferedWriter(sink) as stream:
        count = write_ntriples(graph, stream)
        stream.flush()
        return sink.hash.hexdigest(), count


# --------------------------------------------------------------------------------------------
# Turtle
# --------------------------------------------------------------------------------------------


class _TurtleWriter:
    def __init__(self, view: Canonical, names: PrefixedNames):
        self.view = view
        self.names = names
        self.count = 0
        self.inline = self._inlineable()

    def _inlineable(self) -> set[BNode]:
        """Blank nodes used exactly once as an object and not on a cycle of such nodes: they can
        be written in place, without a label."""
        uses: dict[BNode, int] = {}
        parent: dict[BNode, Node] = {}
        for s, _, o in self.view.blank:
            if isinstance(o, BNode):
                uses[o] = uses.get(o, 0) + 1
                parent[o] = s
        once = {node for node, n in uses.items() if n == 1}
        inline: set[BNode] = set()
        for node in sorted(once):
            seen = {node}
            up = parent[node]
            while isinstance(up, BNode) and up in once and up not in seen:
                seen.add(up)
                up = parent[up]
            if up not in seen:  # the chain ends at a labelled or IRI subject: no cycle
                inline.add(node)
        return inline

    def _list_items(self, node: BNode) -> list[Node] | None:
        """The members of the well-formed RDF list starting at ``node``, else None."""
        items: list[Node] = []
        seen: set[Node] = set()
        current: Node = node
        while current != RDF.nil:
            if not isinstance(current, BNode) or current in seen or current not in self.inline:
                return None
            seen.add(current)
            pairs = self.view.predicate_objects(current)
            firsts = [o for p, o in pairs if p == RDF.first]
            rests = [o for p, o in pairs if p == RDF.rest]
            if len(pairs) != 2 or len(firsts) != 1 or len(rests) != 1:
                return None
            items.append(firsts[0])
            current = rests[0]
        return items

    def term(self, term: Node, depth: int) -> str:
        if isinstance(term, URIRef):
            return _turtle_iri(self.names, str(term))
        if isinstance(term, Literal):
            return _turtle_literal(term, self.names)
        if isinstance(term, BNode):
            if term not in self.inline:
                return f"_:{term}"
            items = self._list_items(term)
            if items is not None:
                self.count += 2 * len(items)
                return "( " + " ".join(self.term(item, depth) for item in items) + " )"
            pairs = self.view.predicate_objects(term)
            if not pairs:
                return "[]"
            if len(pairs) == 1:  # one short pair reads best on one line: [ sh:class ng:State ]
                predicate, obj = pairs[0]
                verb = "a" if predicate == RDF.type else _turtle_iri(self.names, str(predicate))
                inner = self.term(obj, depth + 1)
                if "\n" not in inner:
                    self.count += 1
                    return f"[ {verb} {inner} ]"
            return "[\n" + self.predicates(term, depth + 1) + "\n" + _INDENT * depth + "]"
        raise SerializationError(f"cannot write {term!r}")

    def predicates(self, subject: Node, depth: int) -> str:
        pairs = sorted(self.view.predicate_objects(subject), key=_object_key)
        self.count += len(pairs)
        lines: list[str] = []
        index = 0
        while index < len(pairs):
            predicate = pairs[index][0]
            objects = []
            while index < len(pairs) and pairs[index][0] == predicate:
                objects.append(self.term(pairs[index][1], depth))
                index += 1
            # Inline blank nodes carry no label to sort by; their text orders them for readers.
            objects.sort()
            verb = "a" if predicate == RDF.type else _turtle_iri(self.names, str(predicate))
            lines.append(f"{_INDENT * depth}{verb} {' , '.join(objects)}")
        return " ;\n".join(lines)

    def statement(self, subject: Node) -> str | None:
        """The Turtle statement for ``subject``, or None for a blank node written where it is used."""
        if isinstance(subject, BNode):
            if subject in self.inline:
                return None
            if not any(True for _ in self.view.blank.subjects(None, subject)):
                return "[\n" + self.predicates(subject, 1) + "\n] ."
        return self.term(subject, 0) + "\n" + self.predicates(subject, 1) + " ."


def _spool() -> tempfile.SpooledTemporaryFile:
    """Scratch space for a body whose prefixes are known only once it is written."""
    return tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024, mode="w+", encoding="utf-8", newline="\n")


def write_turtle(
    graph: Graph,
    destination: Destination,
    *,
    prefixes: Mapping[str, str] = PREFIXES,
    header: str | None = None,
) -> int:
    """Write ``graph`` as deterministic Turtle; return the number of triples written."""
    view = Canonical(graph)
    names = PrefixedNames(prefixes, turtle=True)
    writer = _TurtleWriter(view, names)
    with _spool() as body:
        separator = ""
        anonymous: list[str] = []
        for subject in view.subjects():
            text = writer.statement(subject)
            if text is None:
                continue
            if text.startswith("["):  # no label to sort by: ordered by text, after the rest
                anonymous.append(text)
                continue
            body.write(separator + text)
            separator = "\n\n"
        for text in sorted(anonymous):
            body.write(separator + text)
            separator = "\n\n"
        if separator:
            body.write("\n")
        with _open_text(destination) as stream:
            if header:
                for line in header.splitlines():
                    stream.write(f"# {line}".rstrip() + "\n")
                stream.write("\n")
            for prefix in sorted(names.used):
                stream.write(f"@prefix {prefix}: <{names.prefixes[prefix]}> .\n")
            if names.used and separator:
                stream.write("\n")
            body.seek(0)
            shutil.copyfileobj(body, stream)
    return writer.count


def to_turtle(graph: Graph, *, prefixes: Mapping[str, str] = PREFIXES, header: str | None = None) -> str:
    """``graph`` as deterministic Turtle text."""
    return _as_text(write_turtle, graph, prefixes=prefixes, header=header)


# --------------------------------------------------------------------------------------------
# JSON-LD
# --------------------------------------------------------------------------------------------


def _jsonld_iri(iri: str, names: PrefixedNames) -> str:
    name = names.name(iri)
    if name is not None:
        return name
    scheme = iri.split(":", 1)[0]
    if scheme in names.prefixes:
        raise SerializationError(f"cannot write the IRI {iri!r} in JSON-LD: its scheme is also a prefix name")
    return _check_iri(iri)


def _jsonld_value(term: Node, names: PrefixedNames) -> object:
    if isinstance(term, URIRef):
        return {"@id": _jsonld_iri(str(term), names)}
    if isinstance(term, BNode):
        return {"@id": f"_:{term}"}
    if isinstance(term, Literal):
        term = normal_term(term)
        if term.language is not None:
            return {"@value": str(term), "@language": term.language}
        if term.datatype is not None:
            return {"@value": str(term), "@type": _jsonld_iri(str(term.datatype), names)}
        return str(term)
    raise SerializationError(f"cannot write {term!r}")


def _jsonld_node(view: Canonical, subject: Node, names: PrefixedNames) -> tuple[dict[str, object], int]:
    node: dict[str, object] = {"@id": f"_:{subject}" if isinstance(subject, BNode) else _jsonld_iri(str(subject), names)}
    pairs = sorted(view.predicate_objects(subject), key=_object_key)
    for predicate, obj in pairs:
        if predicate == RDF.type and isinstance(obj, URIRef):
            node.setdefault("@type", []).append(_jsonld_iri(str(obj), names))  # type: ignore[union-attr]
        else:
            key = _jsonld_iri(str(predicate), names)
            node.setdefault(key, []).append(_jsonld_value(obj, names))  # type: ignore[union-attr]
    return node, len(pairs)


def _indented(value: object, depth: int) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + "  " * depth)


def write_jsonld(graph: Graph, destination: Destination, *, prefixes: Mapping[str, str] = PREFIXES) -> int:
    """Write ``graph`` as flattened JSON-LD with an inline context; return the number of triples."""
    view = Canonical(graph)
    names = PrefixedNames(prefixes, turtle=True)
    count = 0
    with _spool() as body:
        separator = ""
        for subject in view.subjects():
            node, written = _jsonld_node(view, subject, names)
            count += written
            body.write(separator + "    " + _indented(node, 2))
            separator = ",\n"
        context = {prefix: names.prefixes[prefix] for prefix in sorted(names.used)}
        with _open_text(destination) as stream:
            stream.write('{\n  "@context": ' + _indented(context, 1) + ',\n  "@graph": [\n')
            body.seek(0)
            shutil.copyfileobj(body, stream)
            stream.write("\n  ]\n}\n" if separator else "  ]\n}\n")
    return count


def to_jsonld(graph: Graph, *, prefixes: Mapping[str, str] = PREFIXES) -> str:
    """``graph`` as deterministic JSON-LD text."""
    return _as_text(write_jsonld, graph, prefixes=prefixes)
