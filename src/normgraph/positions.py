"""Where things are written: map subjects and statements to file, line and column.

rdflib's parsers keep no positions, so a validation result would otherwise say *what* is wrong
but not *where*. This module reads Turtle (and N-Triples, which is a subset) with a small
tokenizer that tracks the statement structure: which term is a subject, which a predicate, how
deeply blank-node property lists and collections nest. It never builds a graph (parsing is
:mod:`normgraph.load`'s job) and tolerates what it does not understand by stopping early, so
the worst outcome of an odd file is a result without a line number.

The same scan bounds nesting depth (the loader runs it on every Turtle file), so a file nested
like ``[[[[...`` is refused with the line and column where it passes the bound.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

from . import bounds
from .errors import InputError
from .terms import IRI_FORBIDDEN_CHARS

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

_TOKEN = re.compile(
    r"""
      (?P<space>[ \t\r\n]+)
    | (?P<comment>\#[^\n]*)
    | (?P<iri><(?:[^"""
    + IRI_FORBIDDEN_CHARS
    + r"""]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
    | (?P<long>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*''')
    | (?P<string>"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
    | (?P<directive>@prefix\b|@base\b)
    | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
    | (?P<datatype>\^\^)
    | (?P<punct>[\[\]();,])
    | (?P<bnode>_:[^\s;,()\[\]<>"'#]+?(?=[\s;,()\[\]<>"'#]|\.(?:[\s#]|$)|$))
    | (?P<number>[+-]?(?:[0-9]+\.[0-9]*(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?|[0-9]+(?:[eE][+-]?[0-9]+)?))
    | (?P<pname>(?:[A-Za-z\u00C0-\uFFFF][\w.\-\u00B7\u00C0-\uFFFF]*)?:(?:(?:[\w:%\-\u00B7\u00C0-\uFFFF]|\\[^\s])(?:[\w:%.\-\u00B7\u00C0-\uFFFF]|\\[^\s])*(?<!\.))?)
    | (?P<word>[A-Za-z]+)
    | (?P<dot>\.)
    """,
    re.VERBOSE,
)
_LOCAL_ESCAPE = re.compile(r"\\(.)")


@dataclass(frozen=True)
class Position:
    """A place in a file; ``line`` and ``column`` count from 1."""

    path: Path
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


@dataclass
class FileIndex:
    """Where one file writes each subject, and each (subject, predicate) pair, first."""

    path: Path
    subjects: dict[str, tuple[int, int]] = field(default_factory=dict)
    statements: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    depth: int = 0
    complete: bool = True


@dataclass
class _Frame:
    """One level of nesting: the subject being described and what the next term is."""

    subject: str | None
    expect: str  # "subject", "predicate", "object", "after-object", "item"
    predicate: str | None = None


class _Scanner:
    def __init__(self, path: Path, text: str, depth_limit: int | None):
        self.index = FileIndex(path)
        self.text = text
        self.depth_limit = depth_limit
        self.prefixes: dict[str, str] = {}
        self.base = path.resolve().as_uri()
        self.line = 1
        self.line_start = 0

    def _expand(self, kind: str, token: str) -> str | None:
        if kind == "iri":
            body = token[1:-1]
            return urljoin(self.base, body) if body else self.base
        if kind == "pname":
            prefix, _, local = token.partition(":")
            namespace = self.prefixes.get(prefix)
            return None if namespace is None else namespace + _LOCAL_ESCAPE.sub(r"\1", local)
        if kind == "word" and token == "a":
            return RDF_TYPE
        return None

    def _tokens(self) -> Iterator[tuple[str, str, int, int]]:
        position = 0
        text = self.text
        while position < len(text):
            match = _TOKEN.match(text, position)
            if match is None:
                self.index.complete = False
                return
            kind = match.lastgroup or ""
            token = match.group()
            column = position - self.line_start + 1
            if kind not in ("space", "comment"):
                yield kind, token, self.line, column
            newlines = token.count("\n")
            if newlines:
                self.line += newlines
                self.line_start = position + token.rindex("\n") + 1
            position = match.end()

    def scan(self) -> FileIndex:
        stack = [_Frame(None, "subject")]
        tokens = self._tokens()
        for kind, token, line, column in tokens:
            frame = stack[-1]
            if kind == "directive" or (kind == "word" and token.upper() in ("PREFIX", "BASE")):
                self._directive(token, tokens)
                continue
            if kind == "punct" and token in "[(":
                if len(stack) > self._limit():
                    raise InputError(
                        self.index.path,
                        f"blank nodes and lists are nested more than {self._limit()} deep (set NORMGRAPH_MAX_DEPTH to raise the limit)",
                        line,
                        column,
                    )
                self._consume_term(frame, None, line, column)
                stack.append(_Frame(None, "predicate" if token == "[" else "item"))
                self.index.depth = max(self.index.depth, len(stack) - 1)
                continue
            if kind == "punct" and token in "])":
                if len(stack) > 1:
                    stack.pop()
                continue
            if kind == "punct" and token == ";":
                frame.expect = "predicate"
                continue
            if kind == "punct" and token == ",":
                frame.expect = "object"
                continue
            if kind == "dot":
                if len(stack) == 1:
                    stack[0] = _Frame(None, "subject")
                continue
            if kind in ("lang", "datatype"):
                continue
            self._consume_term(frame, self._expand(kind, token), line, column)
        return self.index

    def _limit(self) -> int:
        return self.depth_limit if self.depth_limit is not None else int(bounds.MAX_DEPTH.value())

    def _consume_term(self, frame: _Frame, iri: str | None, line: int, column: int) -> None:
        """Record a term in the role the structure gives it, and move the frame on."""
        if frame.expect == "subject":
            frame.subject = iri
            if iri is not None and iri not in self.index.subjects:
                self.index.subjects[iri] = (line, column)
            frame.expect = "predicate"
        elif frame.expect == "predicate":
            frame.predicate = iri
            if frame.subject is not None and iri is not None:
                self.index.statements.setdefault((frame.subject, iri), (line, column))
            frame.expect = "object"
        elif frame.expect == "object":
            frame.expect = "after-object"
        # "item" (inside a collection) and "after-object" (a datatype IRI after ^^) stay put.

    def _directive(self, token: str, tokens: Iterator[tuple[str, str, int, int]]) -> None:
        keyword = token.lower().lstrip("@")
        try:
            if keyword == "prefix":
                _, name, _, _ = next(tokens)
                _, iri, _, _ = next(tokens)
                self.prefixes[name[:-1] if name.endswith(":") else name] = urljoin(self.base, iri[1:-1])
            else:
                _, iri, _, _ = next(tokens)
                self.base = urljoin(self.base, iri[1:-1])
        except StopIteration:
            self.index.complete = False
        if token.startswith("@"):
            next(tokens, None)  # the closing '.'


def scan_text(path: Path, text: str, *, depth_limit: int | None = None) -> FileIndex:
    """Index ``text`` (the content of ``path``). Raises :class:`InputError` with the line and
    column where blank nodes or lists nest deeper than the limit."""
    return _Scanner(path, text, depth_limit).scan()


class SourceIndex:
    """Positions across several files, scanned lazily and searched in the order given
    (a contribution's files first, so results point at the contributor's own lines)."""

    def __init__(self, files: Iterable[Path]):
        self.files = list(files)
        self._indexes: dict[Path, FileIndex | None] = {}
        self._texts: dict[Path, str | None] = {}

    def _text(self, path: Path) -> str | None:
        if path not in self._texts:
            try:
                self._texts[path] = path.read_bytes().decode("utf-8")
            except (OSError, UnicodeDecodeError):
                self._texts[path] = None
        return self._texts[path]

    def _index(self, path: Path) -> FileIndex | None:
        if path not in self._indexes:
            text = self._text(path)
            try:
                self._indexes[path] = None if text is None else scan_text(path, text, depth_limit=1 << 30)
            except InputError:
                self._indexes[path] = None
        return self._indexes[path]

    def _candidates(self, iri: str) -> Iterator[FileIndex]:
        """Indexes of the files that might mention ``iri``: its last path segment appears in
        the text (a subject is written either in full or as prefix:local)."""
        tail = re.split(r"[/#:]", iri.rstrip("/#"))[-1]
        for path in self.files:
            text = self._text(path)
            if text is None or (tail and tail not in text):
                continue
            index = self._index(path)
            if index is not None:
                yield index

    def subject(self, iri: str) -> Position | None:
        """Where ``iri`` is first written as a subject."""
        for index in self._candidates(iri):
            found = index.subjects.get(iri)
            if found:
                return Position(index.path, *found)
        return None

    def statement(self, iri: str, predicate: str) -> Position | None:
        """Where ``predicate`` is first written for subject ``iri``."""
        for index in self._candidates(iri):
            found = index.statements.get((iri, predicate))
            if found:
                return Position(index.path, *found)
        return None
