"""Stored and ad-hoc SPARQL queries: load, check, bind, and run on rdflib or Oxigraph.

One path for every query, trusted or not:

1. **Read.** A stored query is a ``queries/*.rq`` file whose leading ``#+`` comment lines are
   grlc-style decorators (``summary``, ``description``, ``tags``, ``defaults``); its parameters are
   BASIL-style variables (``?_norm_iri``, ``?__date``). :func:`load_query` reads one,
   :func:`stored_queries` all of a tree.
2. **Check.** :func:`prepare` refuses what a read-only, offline query service must never run:
   SPARQL Update (``LOAD``, ``INSERT`` ...), ``SERVICE`` (both rdflib and Oxigraph would fetch the
   remote endpoint) and ``FROM`` / ``FROM NAMED`` (rdflib loads such graphs from the web or the
   file system when it queries a dataset). The decision is taken on rdflib's parse tree of the
   query, and a token scan that ignores strings, IRIs and comments double-checks ``SERVICE``.
3. **Bind.** Parameter values never enter the query as text a user controls: each value is
   checked and turned into an RDF term, and the terms are written, in N-Triples syntax, into one
   ``VALUES`` block at the start of the query's ``WHERE`` group. Both engines therefore run the
   very same query text, which is what the portability test compares.
4. **Run.** :class:`RdflibEngine` and :class:`OxigraphEngine` answer behind one interface and
   return the same :class:`QueryResult` (of light :class:`Term` tuples). :func:`execute` runs the
   query in a worker process with a wall-clock limit: pyoxigraph has no query timeout in its
   Python API and a Python thread cannot be stopped, but a process can. Results stop at a row cap.

Writing results out (tables for people, the W3C result formats for tools) is the job of
:mod:`normgraph.results`.

Engines differ in details the SPARQL standard leaves open. An Oxigraph ``Store`` keeps numbers
in canonical form: ``"5"^^xsd:nonNegativeInteger`` comes back as ``"5"^^xsd:integer`` and
``"15.0"^^xsd:decimal`` as ``"15"``. :func:`comparable` maps a result to a form in which such
differences vanish, so two engines' answers can be compared as sets.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import socket
import sys
import weakref
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox
from pyparsing import ParseBaseException, ParseResults
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.evaluate import evalQuery
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Node

from . import bounds
from .errors import InputError, NormgraphError, UsageError
from .layout import Layout
from .namespaces import PREFIXES, bind_prefixes, compact
from .query_options import DEFAULT_ENGINE, ENGINES
from .terms import IRI_FORBIDDEN, Row, Term, from_oxigraph, to_oxigraph

# ---------------------------------------------------------------------------------------------
# Limits and errors
# ---------------------------------------------------------------------------------------------

#: Longest query text accepted, in characters.
MAX_QUERY_CHARS = 1_000_000
#: The parser works recursively; this bounds how deeply a query may nest.
PARSE_RECURSION_LIMIT = 4000



def default_timeout() -> float:
    """The wall-clock limit in seconds (0 for none): :data:`normgraph.bounds.QUERY_TIMEOUT`."""
    return float(bounds.QUERY_TIMEOUT.value())


def default_max_rows() -> int:
    """The row cap: :data:`normgraph.bounds.MAX_ROWS`."""
    return int(bounds.MAX_ROWS.value())


class QueryRefused(NormgraphError):
    """The query asks for something normgraph never does: an update, a remote call, a fetch."""

    exit_code = 2


class QueryTimeout(NormgraphError):
    """The query ran into the wall-clock limit and was stopped."""

    exit_code = 3


class QueryFailed(NormgraphError):
    """The engine could not evaluate a syntactically valid query."""

    exit_code = 1


# ---------------------------------------------------------------------------------------------
# A SPARQL lexer: enough of the grammar's terminals to tell keywords from strings, IRIs, names
# and comments. It locates the WHERE group and double-checks the parse tree; it parses nothing.
# ---------------------------------------------------------------------------------------------

_PN_CHARS_BASE = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd"
_PN_CHARS = _PN_CHARS_BASE + "_0-9\\-\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_LOCAL_START = rf"[{_PN_CHARS_BASE}_:0-9]|{_PLX}"
_LOCAL_MID = rf"[{_PN_CHARS}.:]|{_PLX}"
_LOCAL_END = rf"[{_PN_CHARS}:]|{_PLX}"
_PREFIX = rf"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"

_TOKEN_RE = re.compile(
    "|".join(
        [
            r"(?P<ws>\s+)",
            r"(?P<comment>#[^\r\n]*)",
            r"(?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''"
            r'|"""(?:[^"\\]|\\.|"(?!""))*"""'
            r"|'(?:[^'\\\r\n]|\\.)*'"
            r'|"(?:[^"\\\r\n]|\\.)*")',
            r"(?P<iri><[^<>\"{}|^`\\\x00-\x20]*>)",
            rf"(?P<var>[?$][{_PN_CHARS_BASE}_0-9][{_PN_CHARS_BASE}_0-9\u00b7\u0300-\u036f\u203f-\u2040]*)",
            rf"(?P<bnode>_:[{_PN_CHARS_BASE}_0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?)",
            rf"(?P<pname>(?:{_PREFIX})?:(?:(?:{_LOCAL_START})(?:(?:{_LOCAL_MID})*(?:{_LOCAL_END}))?)?)",
            r"(?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)",
            r"(?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)",
            r"(?P<word>[A-Za-z_][A-Za-z0-9_]*)",
            r"(?P<punct>\^\^|&&|\|\||!=|<=|>=|[{}()\[\];,.=<>!+\-*/|^?$@&])",
            r"(?P<other>.)",
        ]
    ),
    re.S,
)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int

    @property
    def keyword(self) -> str:
        """The upper-cased word, for case-insensitive keyword tests ('' for other tokens)."""
        return self.text.upper() if self.kind == "word" else ""


def tokenize(text: str) -> list[Token]:
    """The significant tokens of ``text`` (whitespace and comments dropped)."""
    return [
        Token(match.lastgroup or "other", match.group(), match.start())
        for match in _TOKEN_RE.finditer(text)
        if match.lastgroup not in ("ws", "comment")
    ]


_UPDATE_KEYWORDS = {"LOAD", "INSERT", "DELETE", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
_QUERY_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


# ---------------------------------------------------------------------------------------------
# Header decorators (grlc) and parameters (BASIL)
# ---------------------------------------------------------------------------------------------

#: grlc's decorators. normgraph acts on the first four; the others (about web APIs and remote
#: endpoints) are accepted, so grlc query collections run unchanged, and otherwise ignored.
KNOWN_DECORATORS = ("summary", "description", "severity", "message", "tags", "defaults", "enumerate", "endpoint", "endpoint_in_url", "method", "pagination", "transform")


@dataclass(frozen=True)
class Header:
    summary: str = ""
    description: str = ""
    severity: str = ""
    message: str = ""
    tags: tuple[str, ...] = ()
    defaults: Mapping[str, str] = field(default_factory=dict)


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _split_items(value: str) -> list[str]:
    value = value.strip()
    if value.startswith("[") and value.endswith("]"):
        value = value[1:-1]
    return [_unquote(item) for item in value.split(",") if item.strip()]


def parse_header(text: str, path: Path | str = "query") -> Header:
    """Read the ``#+`` decorators from the comment block that opens a query.

    The decorators are the YAML subset grlc writes: ``key: value`` (a value may continue on
    further ``#+`` lines indented by two or more spaces), and lists as ``#+   - item`` lines or
    as ``[a, b]`` / ``a, b`` on one line. ``defaults`` holds ``- name: value`` items.
    """
    entries: list[tuple[int, str, list[str]]] = []  # (line number, key, raw lines)
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        if not stripped.startswith("#+"):
            continue
        body = stripped[2:]
        if body.startswith(" "):
            body = body[1:]
        if body[:1].isspace() or body.startswith("- "):
            if not entries:
                raise InputError(path, "a continuation line comes before any '#+ key:' decorator", number)
            entries[-1][2].append(body.strip())
            continue
        key, colon, value = body.partition(":")
        key = key.strip()
        if not colon or not re.fullmatch(r"[A-Za-z_]+", key):
            raise InputError(path, f"cannot read the decorator {stripped!r}: write '#+ key: value'", number)
        if key not in KNOWN_DECORATORS:
            known = ", ".join(KNOWN_DECORATORS)
            raise InputError(path, f"unknown decorator {key!r} (known: {known})", number)
        entries.append((number, key, [value.strip()] if value.strip() else []))

    values: dict[str, object] = {}
    for number, key, lines in entries:
        if key in values:
            raise InputError(path, f"decorator {key!r} is given twice", number)
        if key in ("summary", "description", "severity", "message"):
            values[key] = " ".join(_unquote(line) if i == 0 else line for i, line in enumerate(lines))
        elif key == "tags":
            tags: list[str] = []
            for line in lines:
                tags.extend(_split_items(line[2:] if line.startswith("- ") else line))
            values[key] = tuple(tags)
        elif key == "defaults":
            defaults: dict[str, str] = {}
            for line in lines:
                item = line[2:] if line.startswith("- ") else line
                name, colon, value = item.partition(":")
                if not colon or not name.strip():
                    raise InputError(path, f"cannot read the default {line!r}: write '#+   - name: value'", number)
                defaults[name.strip()] = _unquote(value)
            values[key] = defaults
    return Header(
        summary=str(values.get("summary", "")),
        description=str(values.get("description", "")),
        severity=str(values.get("severity", "")),
        message=str(values.get("message", "")),
        tags=tuple(values.get("tags", ())),  # type: ignore[arg-type]
        defaults=dict(values.get("defaults", {})),  # type: ignore[arg-type]
    )


_PARAM_RE = re.compile(r"[?$](?P<under>__?)(?P<name>[A-Za-z][A-Za-z0-9]*)(?P<suffix>(?:_[A-Za-z0-9]+)*)")


@dataclass(frozen=True)
class Parameter:
    """A BASIL parameter: ``?_name`` (string), ``?_name_iri``, ``?_name_integer``,
    ``?_name_xsd_TYPE`` (typed literal), ``?_name_LANG`` (language-tagged); ``?__name`` is optional."""

    name: str
    variable: str
    kind: str  # "iri" | "literal"
    optional: bool
    datatype: str | None = None
    language: str | None = None
    default: str | None = None

    @property
    def expects(self) -> str:
        if self.kind == "iri":
            return "IRI"
        if self.language:
            return f"text@{self.language}"
        if self.datatype:
            return compact(self.datatype)
        return "text"

    def describe(self) -> str:
        """How ``normgraph queries`` shows the parameter."""
        text = f"{self.name}={self.expects}"
        if self.default is not None:
            shown = compact(self.default) if self.kind == "iri" else self.default
            return f"{text} (default {shown})"
        return f"{text} (optional)" if self.optional else f"{text} (required)"


def _parameter(variable: str, path: Path | str) -> Parameter | None:
    match = _PARAM_RE.fullmatch(variable)
    if not variable[1:].startswith("_"):
        return None
    if match is None:
        raise InputError(path, f"cannot read the parameter variable {variable}: write ?_name, ?_name_iri, ?_name_integer, ?_name_xsd_TYPE or ?_name_LANG")
    name, suffix, optional = match["name"], match["suffix"], match["under"] == "__"
    parts = [part for part in suffix.split("_") if part]
    if not parts:
        return Parameter(name, variable[1:], "literal", optional)
    if parts == ["iri"]:
        return Parameter(name, variable[1:], "iri", optional)
    if parts == ["integer"]:
        return Parameter(name, variable[1:], "literal", optional, datatype=str(XSD.integer))
    if len(parts) == 2 and parts[0] == "xsd":
        return Parameter(name, variable[1:], "literal", optional, datatype=str(XSD) + parts[1])
    if len(parts) == 1 and re.fullmatch(r"[a-z]{2,3}", parts[0]):
        return Parameter(name, variable[1:], "literal", optional, language=parts[0])
    raise InputError(path, f"parameter {variable} has an unknown type suffix {suffix!r} (use _iri, _integer, _xsd_TYPE or a language such as _en)")


def _parameters(tokens: Sequence[Token], header: Header, path: Path | str) -> tuple[Parameter, ...]:
    found: dict[str, Parameter] = {}
    for token in tokens:
        if token.kind != "var":
            continue
        parameter = _parameter(token.text, path)
        if parameter is None:
            continue
        known = found.get(parameter.name)
        if known is not None and known.variable != parameter.variable:
            raise InputError(path, f"parameter {parameter.name!r} is written two ways: ?{known.variable} and ?{parameter.variable}")
        found[parameter.name] = parameter
    for name in header.defaults:
        if name not in found:
            raise InputError(path, f"'#+ defaults' names {name!r}, which is not a parameter of the query")
    return tuple(
        Parameter(p.name, p.variable, p.kind, p.optional, p.datatype, p.language, header.defaults.get(p.name))
        for p in sorted(found.values(), key=lambda p: p.name)
    )


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")


def _iri_value(raw: str, prefixes: Mapping[str, str], name: str) -> URIRef:
    value = raw.strip()
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    else:
        prefix, colon, local = value.partition(":")
        if colon and prefix in prefixes:
            value = prefixes[prefix] + local
    if not _SCHEME.match(value):
        raise UsageError(f"parameter {name}: {raw!r} is not an IRI; give a full IRI (https://...) or a known prefixed name such as norm:sovereignty")
    if IRI_FORBIDDEN.search(value):
        raise UsageError(f"parameter {name}: {raw!r} contains characters an IRI may not contain (spaces, <, >, \", {{, }}, |, ^, `, \\)")
    return URIRef(value)


def bind_value(parameter: Parameter, raw: str, prefixes: Mapping[str, str] = PREFIXES) -> URIRef | Literal:
    """Turn a user's value for ``parameter`` into the RDF term it stands for, or refuse it."""
    if parameter.kind == "iri":
        return _iri_value(raw, prefixes, parameter.name)
    if parameter.language:
        return Literal(raw, lang=parameter.language)
    if parameter.datatype:
        literal = Literal(raw.strip(), datatype=URIRef(parameter.datatype))
        if getattr(literal, "ill_typed", False):
            raise UsageError(f"parameter {parameter.name}: {raw!r} is not a valid {compact(parameter.datatype)}")
        return literal
    return Literal(raw)


# ---------------------------------------------------------------------------------------------
# Checking and preparing a query
# ---------------------------------------------------------------------------------------------


@dataclass
class PreparedQuery:
    """A checked query with its parameters bound, ready for any engine."""

    text: str
    form: str  # SELECT | ASK | CONSTRUCT | DESCRIBE
    prefixes: Mapping[str, str]
    bindings: Mapping[str, Node]
    origin: str
    _algebra: Query | None = field(default=None, repr=False, compare=False)

    def algebra(self) -> Query:
        """rdflib's translation of the query, made once (and again in a spawned process)."""
        if self._algebra is None:
            self._algebra = _translate(_parse(self.text, self.origin), self.prefixes, self.origin)
        return self._algebra

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_algebra"] = None
        return state


def _walk(node: object) -> Iterator[CompValue]:
    if isinstance(node, CompValue):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, (list, tuple, ParseResults)):
        for value in node:
            yield from _walk(value)


def _parse(text: str, origin: str):
    old_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old_limit, PARSE_RECURSION_LIMIT))
    try:
        return parseQuery(text)
    except ParseBaseException as exc:
        near = exc.line[exc.col - 1 :].strip()
        hint = f" at {near[:40]!r}" if near else " at the end of the query"
        expected = exc.msg[0].lower() + exc.msg[1:] if exc.msg else "a different token"
        raise InputError(origin, f"SPARQL syntax error{hint} ({expected})", exc.lineno, exc.col) from None
    except RecursionError:
        raise InputError(origin, "the query is nested too deeply to parse safely") from None
    finally:
        sys.setrecursionlimit(old_limit)


def _translate(parsed, prefixes: Mapping[str, str], origin: str) -> Query:
    try:
        return translateQuery(parsed, base=None, initNs=dict(prefixes))
    except RecursionError:
        raise InputError(origin, "the query is nested too deeply to translate safely") from None
    except Exception as exc:  # noqa: BLE001 - rdflib reports unknown prefixes and the like as bare Exceptions
        message = str(exc)
        unknown = re.search(r"Unknown namespace prefix : (\S*)", message)
        if unknown:
            message = f"unknown prefix '{unknown.group(1)}:' (declare it with PREFIX)"
        raise InputError(origin, f"cannot translate the query: {message}") from None


def _update_operations(text: str) -> list[str] | None:
    """The operations of ``text`` if it parses as SPARQL Update, else None."""
    old_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old_limit, PARSE_RECURSION_LIMIT))
    try:
        update = parseUpdate(text)
    except (ParseBaseException, RecursionError):
        return None
    finally:
        sys.setrecursionlimit(old_limit)
    return sorted({getattr(operation, "name", "update") for operation in update.request})


def _refuse_updates(tokens: Sequence[Token], text: str, origin: str) -> None:
    for token in tokens:
        keyword = token.keyword
        if keyword in ("PREFIX", "BASE") or token.kind in ("pname", "iri"):
            continue
        if keyword in _UPDATE_KEYWORDS:
            line, column = _position(text, token.start)
            raise QueryRefused(
                f"{origin}:{line}:{column}: {keyword} is SPARQL Update; normgraph runs read-only queries "
                "(SELECT, ASK, CONSTRUCT, DESCRIBE) and never changes or loads data"
            )
        return


def _find_keyword(tokens: Sequence[Token], keyword: str) -> Token | None:
    return next((token for token in tokens if token.keyword == keyword), None)


def _at(origin: str, text: str, tokens: Sequence[Token], keyword: str) -> str:
    """``origin:line:column`` of the first ``keyword`` token, or just ``origin``."""
    token = _find_keyword(tokens, keyword)
    if token is None:
        return origin
    line, column = _position(text, token.start)
    return f"{origin}:{line}:{column}"


def _check_prefixes(tokens: Sequence[Token], predeclared: Mapping[str, str], text: str, origin: str) -> None:
    """Every prefixed name must use a prefix the query declares (or ``predeclared`` supplies).

    rdflib silently knows dozens of prefixes (``schema:``, ``foaf:`` ...) that other engines do
    not, so a query relying on them would run on one engine and fail on the next.
    """
    declared = set(predeclared)
    for index, token in enumerate(tokens):
        if token.keyword == "PREFIX" and index + 1 < len(tokens) and tokens[index + 1].kind == "pname":
            declared.add(tokens[index + 1].text.split(":", 1)[0])
    for index, token in enumerate(tokens):
        if token.kind != "pname" or (index and tokens[index - 1].keyword == "PREFIX"):
            continue
        prefix = token.text.split(":", 1)[0]
        if prefix not in declared:
            line, column = _position(text, token.start)
            raise InputError(origin, f"prefix '{prefix}:' is not declared: add PREFIX {prefix}: <...>", line, column)


@dataclass(frozen=True)
class CheckedQuery:
    """A query that passed :func:`check_query`: its form, tokens and rdflib parse tree."""

    form: str
    tokens: tuple[Token, ...]
    parsed: object


def check_query(text: str, origin: str = "query", prefixes: Mapping[str, str] = PREFIXES) -> CheckedQuery:
    """Refuse anything but a read-only, offline SPARQL 1.1 query.

    Raises :class:`QueryRefused` for updates, ``SERVICE`` and ``FROM``/``FROM NAMED``, and
    :class:`InputError` (with line and column) for syntax errors and undeclared prefixes.
    ``prefixes`` are the ones the query may use without declaring them.
    """
    if len(text) > MAX_QUERY_CHARS:
        raise InputError(origin, f"the query is {len(text)} characters long, over the limit of {MAX_QUERY_CHARS}")
    tokens = tokenize(text)
    _refuse_updates(tokens, text, origin)
    try:
        parsed = _parse(text, origin)
    except InputError:
        operations = _update_operations(text)
        if operations:
            raise QueryRefused(f"{origin}: this is SPARQL Update ({', '.join(operations)}); normgraph runs read-only queries only") from None
        raise
    for node in _walk(parsed):
        if node.name == "ServiceGraphPattern":
            raise QueryRefused(
                f"{_at(origin, text, tokens, 'SERVICE')}: SERVICE is not allowed: normgraph never calls "
                "remote SPARQL endpoints; query the local graph only"
            )
        if node.name == "DatasetClause":
            clause = "FROM NAMED" if "named" in node else "FROM"
            raise QueryRefused(
                f"{_at(origin, text, tokens, 'FROM')}: {clause} is not allowed: queries run over the local "
                "graph and never fetch graphs from the web or from files; remove the clause"
            )
    service = _find_keyword(tokens, "SERVICE")
    if service is not None:  # the parse tree missed it: refuse all the same
        raise QueryRefused(f"{_at(origin, text, tokens, 'SERVICE')}: SERVICE is not allowed: normgraph never calls remote SPARQL endpoints")
    _check_prefixes(tokens, prefixes, text, origin)
    return CheckedQuery(parsed[1].name.replace("Query", "").upper(), tuple(tokens), parsed)


def _where_brace(tokens: Sequence[Token], form: str) -> Token | None:
    """The ``{`` that opens the query's WHERE group (outside any parentheses)."""
    index = next((i for i, t in enumerate(tokens) if t.keyword in _QUERY_FORMS), None)
    if index is None:
        return None
    index += 1
    if form == "CONSTRUCT" and index < len(tokens) and tokens[index].text == "{":  # skip the template
        depth = 0
        for index in range(index, len(tokens)):
            depth += {"{": 1, "}": -1}.get(tokens[index].text, 0)
            if depth == 0:
                break
        index += 1
    parens = 0
    for token in tokens[index:]:
        if token.kind != "punct":
            continue
        if token.text == "(":
            parens += 1
        elif token.text == ")":
            parens -= 1
        elif token.text == "{" and parens == 0:
            return token
    return None


def _values_block(bindings: Mapping[str, Node]) -> str:
    names = " ".join(f"?{variable}" for variable in bindings)
    values = " ".join(Term.from_rdflib(term).n3() for term in bindings.values())
    return f" VALUES ({names}) {{ ({values}) }} "


def prepare(
    text: str,
    params: Mapping[str, str] | None = None,
    *,
    origin: str = "query",
    header: Header | None = None,
    prefixes: Mapping[str, str] = PREFIXES,
) -> PreparedQuery:
    """Check ``text`` and bind ``params`` (name -> value as the user wrote it) to its parameters.

    Defaults come from ``header`` (parsed from the text when not given). A required parameter
    without a value, a value for a parameter the query does not have, or a value that is not a
    valid IRI or literal of the parameter's type is refused with :class:`UsageError`.
    """
    checked = check_query(text, origin, prefixes)
    header = header if header is not None else parse_header(text, origin)
    declared = {p.name: p for p in _parameters(checked.tokens, header, origin)}
    params = dict(params or {})
    unknown = sorted(set(params) - set(declared))
    if unknown:
        accepted = ", ".join(declared) if declared else "none"
        raise UsageError(f"{origin} has no parameter {', '.join(map(repr, unknown))} (its parameters: {accepted})")
    bindings: dict[str, Node] = {}
    for name, parameter in declared.items():
        raw = params.get(name, parameter.default)
        if raw is None:
            if not parameter.optional:
                raise UsageError(f"{origin} needs a value for parameter {name!r}: add --param {name}={parameter.expects}")
            continue
        bindings[parameter.variable] = bind_value(parameter, raw, prefixes if prefixes else PREFIXES)
    if not bindings:
        algebra = _translate(checked.parsed, prefixes, origin)
        return PreparedQuery(text, checked.form, dict(prefixes), {}, origin, algebra)
    brace = _where_brace(checked.tokens, checked.form)
    if brace is None:
        raise UsageError(f"{origin}: cannot bind parameters: the query has no WHERE group")
    cut = brace.start + 1
    bound = text[:cut] + _values_block(bindings) + text[cut:]
    algebra = _translate(_parse(bound, origin), prefixes, origin)
    return PreparedQuery(bound, checked.form, dict(prefixes), bindings, origin, algebra)


# ---------------------------------------------------------------------------------------------
# Stored queries
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredQuery:
    """One ``queries/*.rq`` file: its name (the file stem), header, parameters and text."""

    name: str
    path: Path
    text: str
    header: Header
    parameters: tuple[Parameter, ...]
    form: str

    @property
    def summary(self) -> str:
        return self.header.summary

    def prepare(self, params: Mapping[str, str] | None = None) -> PreparedQuery:
        """Bind ``params`` (and the defaults) with the query's own prefixes only."""
        return prepare(self.text, params, origin=str(self.path), header=self.header, prefixes={})


def read_query_file(path: Path) -> str:
    """The text of a query file, refused if unreadable, not UTF-8 or over the size limit."""
    try:
        size = path.stat().st_size
        if size > MAX_QUERY_CHARS * 4:
            raise InputError(path, f"query file is {size} bytes, over the limit")
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise InputError(path, f"cannot read query: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise InputError(path, "query file is not valid UTF-8") from None
    return text


def load_query(path: str | os.PathLike[str]) -> StoredQuery:
    """Read and check one query file. It must be standalone SPARQL: every prefix declared."""
    path = Path(path)
    text = read_query_file(path)
    header = parse_header(text, path)
    checked = check_query(text, str(path), prefixes={})
    _translate(checked.parsed, {}, str(path))
    return StoredQuery(path.stem, path, text, header, _parameters(checked.tokens, header, path), checked.form)


def stored_queries(layout: Layout) -> list[StoredQuery]:
    """Every stored query of the tree (``queries/*.rq``, not the checks), by name."""
    return [load_query(path) for path in sorted(layout.queries_dir.glob("*.rq"))]


def find_query(layout: Layout, name: str) -> StoredQuery:
    """The stored query called ``name`` (with or without ``.rq``)."""
    stem = name[:-3] if name.endswith(".rq") else name
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", stem):
        raise UsageError(f"{name!r} is not a stored query name")
    path = layout.queries_dir / f"{stem}.rq"
    if not path.is_file():
        names = sorted(p.stem for p in layout.queries_dir.glob("*.rq"))
        close = [n for n in names if stem in n or n in stem][:5]
        hint = f"; did you mean {', '.join(close)}?" if close else "; 'normgraph queries' lists them"
        raise UsageError(f"no stored query {stem!r}{hint}")
    return load_query(path)


# ---------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class QueryResult:
    """The answer to a query, whichever engine computed it.

    SELECT: ``variables`` and ``rows`` (``None`` where a variable is unbound); ASK: ``boolean``;
    CONSTRUCT and DESCRIBE: ``triples``. ``truncated`` says the row cap cut the answer short.
    """

    form: str
    variables: tuple[str, ...] = ()
    rows: tuple[Row, ...] = ()
    boolean: bool | None = None
    triples: tuple[tuple[Term, Term, Term], ...] = ()
    truncated: bool = False

    def graph(self) -> Graph:
        """CONSTRUCT and DESCRIBE results as an rdflib graph."""
        graph = bind_prefixes(Graph())
        for subject, predicate, obj in self.triples:
            graph.add((subject.to_rdflib(), predicate.to_rdflib(), obj.to_rdflib()))
        return graph

    def dicts(self) -> list[dict[str, Term]]:
        """The rows as ``{variable: term}`` with unbound variables left out."""
        return [{v: t for v, t in zip(self.variables, row) if t is not None} for row in self.rows]


_INTEGER_TYPES = {
    str(XSD) + name
    for name in (
        "integer", "nonNegativeInteger", "nonPositiveInteger", "negativeInteger", "positiveInteger", "long", "int",
        "short", "byte", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte",
    )
}
_FLOAT_TYPES = {str(XSD.double), str(XSD.float)}


def comparable(term: Term | None) -> object:
    """A key under which engine-specific spellings of the same term are equal.

    Numbers compare by value within their family (any xsd integer type, xsd:decimal, and
    xsd:double/float), because an Oxigraph store keeps them in canonical form
    (``"5"^^xsd:nonNegativeInteger`` becomes ``"5"^^xsd:integer``, ``"15.0"`` becomes ``"15"``);
    blank nodes compare equal to each other, as their labels are arbitrary.
    """
    if term is None:
        return None
    if term.kind == "bnode":
        return ("bnode",)
    if term.kind == "literal":
        try:
            if term.datatype in _INTEGER_TYPES:
                return ("integer", int(term.value.strip()))
            if term.datatype == str(XSD.decimal):
                return ("decimal", Decimal(term.value.strip()).normalize())
            if term.datatype in _FLOAT_TYPES:
                return ("double", float(term.value.strip()))
        except (ValueError, InvalidOperation):
            pass
        return ("literal", term.value, term.datatype, term.language)
    return ("iri", term.value)


def comparable_result(result: QueryResult) -> object:
    """The whole result under :func:`comparable`: rows and triples as multisets."""
    if result.form == "ASK":
        return ("ASK", result.boolean)
    if result.form == "SELECT":
        rows = Counter(tuple(sorted((v, comparable(t)) for v, t in row.items())) for row in result.dicts())
        return ("SELECT", tuple(result.variables), rows)
    return (result.form, Counter(tuple(comparable(t) for t in triple) for triple in result.triples))


# ---------------------------------------------------------------------------------------------
# Engines
# ---------------------------------------------------------------------------------------------


class Engine(Protocol):
    """What the query runner needs from an engine: answer a prepared query, and look up the
    objects of one subject and predicate (for labels)."""

    name: str

    def run(self, query: PreparedQuery, max_rows: int) -> QueryResult: ...

    def objects(self, subject: str, predicate: str) -> list[Term]: ...


def _cap(items: Iterable, max_rows: int) -> tuple[list, bool]:
    taken = []
    for item in items:
        if len(taken) == max_rows:
            return taken, True
        taken.append(item)
    return taken, False


class RdflibEngine:
    """rdflib's own SPARQL evaluator over an in-memory graph: the reference engine.

    The graph is a plain :class:`rdflib.Graph`, not a dataset, so rdflib has no dataset to load
    ``FROM`` graphs into even if one reached it.
    """

    name = "rdflib"

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    def __getstate__(self) -> dict:
        return {"nt": self.graph.serialize(format="nt", encoding="utf-8")}

    def __setstate__(self, state: dict) -> None:
        self.graph = Graph()
        self.graph.parse(data=state["nt"], format="nt")

    def run(self, query: PreparedQuery, max_rows: int) -> QueryResult:
        answer = evalQuery(self.graph, query.algebra(), {})
        kind = answer["type_"]
        if kind == "ASK":
            return QueryResult("ASK", boolean=bool(answer["askAnswer"]))
        convert = Term.from_rdflib
        if kind in ("CONSTRUCT", "DESCRIBE"):
            triples, truncated = _cap(answer["graph"], max_rows)
            return QueryResult(kind, triples=tuple(tuple(map(convert, t)) for t in triples), truncated=truncated)
        solutions, truncated = _cap(answer["bindings"], max_rows)
        names = answer["vars_"]
        rows = tuple(tuple(None if (value := s.get(v)) is None else convert(value) for v in names) for s in solutions)
        return QueryResult("SELECT", tuple(str(v) for v in names), rows, truncated=truncated)

    def objects(self, subject: str, predicate: str) -> list[Term]:
        return [Term.from_rdflib(o) for o in self.graph.objects(URIRef(subject), URIRef(predicate))]


class OxigraphEngine:
    """Oxigraph's SPARQL engine (Rust, via pyoxigraph) over an in-memory store: the fast engine.

    The store keeps numbers in canonical form (see :func:`comparable`).
    """

    name = "oxigraph"

    def __init__(self, store: ox.Store) -> None:
        self.store = store

    @classmethod
    def from_graph(cls, graph: Graph) -> OxigraphEngine:
        store = ox.Store()
        store.bulk_extend(ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in graph)
        return cls(store)

    def __getstate__(self) -> dict:
        return {"nq": self.store.dump(format=ox.RdfFormat.N_QUADS)}

    def __setstate__(self, state: dict) -> None:
        self.store = ox.Store()
        self.store.load(state["nq"], format=ox.RdfFormat.N_QUADS)

    def run(self, query: PreparedQuery, max_rows: int) -> QueryResult:
        try:
            answer = self.store.query(query.text, prefixes=dict(query.prefixes) or None)
        except SyntaxError as exc:
            raise InputError(query.origin, f"SPARQL syntax error (Oxigraph): {exc}") from None
        if isinstance(answer, ox.QueryBoolean):
            return QueryResult("ASK", boolean=bool(answer))
        if isinstance(answer, ox.QueryTriples):
            triples, truncated = _cap(answer, max_rows)
            converted = tuple((from_oxigraph(t.subject), from_oxigraph(t.predicate), from_oxigraph(t.object)) for t in triples)
            return QueryResult(query.form, triples=converted, truncated=truncated)
        variables = [v.value for v in answer.variables]
        solutions, truncated = _cap(answer, max_rows)
        width = range(len(variables))
        rows = tuple(tuple(None if (value := solution[i]) is None else from_oxigraph(value) for i in width) for solution in solutions)
        return QueryResult("SELECT", tuple(variables), rows, truncated=truncated)

    def objects(self, subject: str, predicate: str) -> list[Term]:
        quads = self.store.quads_for_pattern(ox.NamedNode(subject), ox.NamedNode(predicate), None, ox.DefaultGraph())
        return [from_oxigraph(quad.object) for quad in quads]


def make_engine(graph: Graph, name: str = DEFAULT_ENGINE) -> Engine:
    """An engine called ``name`` (``oxigraph`` or ``rdflib``) over ``graph``."""
    if name == "rdflib":
        return RdflibEngine(graph)
    if name == "oxigraph":
        return OxigraphEngine.from_graph(graph)
    raise UsageError(f"unknown engine {name!r} (choose from {', '.join(ENGINES)})")


# ---------------------------------------------------------------------------------------------
# Running a query under a wall-clock limit
# ---------------------------------------------------------------------------------------------


def _no_network(*_args, **_kwargs):
    raise OSError("network access is disabled while a query runs")


def _forbid_network() -> None:
    """In the worker process only: make any Python-level connection attempt fail."""
    socket.socket.connect = _no_network  # type: ignore[method-assign]
    socket.socket.connect_ex = _no_network  # type: ignore[method-assign]
    socket.create_connection = _no_network  # type: ignore[assignment]
    socket.getaddrinfo = _no_network  # type: ignore[assignment]


def _evaluate(engine: Engine, query: PreparedQuery, max_rows: int) -> QueryResult:
    """Run the query here; any failure of the engine becomes a :class:`QueryFailed`."""
    try:
        return engine.run(query, max_rows)
    except NormgraphError:
        raise
    except RecursionError:
        raise QueryFailed(f"{query.origin}: the query is nested too deeply to evaluate") from None
    except MemoryError:
        raise QueryFailed(f"{query.origin}: the query needs more memory than is available") from None
    except Exception as exc:  # noqa: BLE001 - any engine failure becomes a message, not a traceback
        raise QueryFailed(f"{query.origin}: the query could not be evaluated: {type(exc).__name__}: {exc}") from None


def _to_wire(result: QueryResult) -> tuple:
    """The result as plain tuples, which pickle many times faster than named tuples; a term that
    recurs is one object, so the pickle holds it once."""
    seen: dict[Term, tuple] = {}

    def plain(term: Term | None) -> tuple | None:
        if term is None:
            return None
        found = seen.get(term)
        if found is None:
            found = seen[term] = tuple(term)
        return found

    rows = tuple(tuple(map(plain, row)) for row in result.rows)
    triples = tuple(tuple(map(plain, triple)) for triple in result.triples)
    return (result.form, result.variables, rows, result.boolean, triples, result.truncated)


def _from_wire(wire: tuple) -> QueryResult:
    form, variables, rows, boolean, triples, truncated = wire
    made: dict[int, Term] = {}

    def term(plain: tuple | None) -> Term | None:
        if plain is None:
            return None
        found = made.get(id(plain))
        if found is None:
            found = made[id(plain)] = Term._make(plain)
        return found

    return QueryResult(
        form,
        variables,
        tuple(tuple(map(term, row)) for row in rows),
        boolean,
        tuple(tuple(map(term, triple)) for triple in triples),
        truncated,
    )


def _serve(engine: Engine, connection) -> None:
    """The worker's loop: answer each (query, row cap) sent to it until the pipe closes."""
    _forbid_network()
    while True:
        try:
            query, max_rows = connection.recv()
        except (EOFError, OSError):
            return
        try:
            outcome: tuple = ("ok", _to_wire(_evaluate(engine, query, max_rows)))
        except NormgraphError as exc:  # sent as text: not every error class survives pickling
            outcome = ("error", str(exc), exc.exit_code)
        connection.send(outcome)


def _context():
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


class _Worker:
    """A child process that holds one engine's graph and answers its queries one at a time.

    Forking a large graph and touching its pages in a fresh child costs far more than most queries
    (about 0.1 s per GB of memory, and a slower first pass), so the child is started once per
    engine and reused; it is killed when a query overruns, when the engine is garbage-collected,
    and when the interpreter exits.
    """

    def __init__(self, engine: Engine) -> None:
        context = _context()
        self.connection, child_end = context.Pipe()
        self.process = context.Process(target=_serve, args=(engine, child_end), daemon=True)
        self.process.start()
        child_end.close()

    def ask(self, query: PreparedQuery, max_rows: int, timeout: float) -> tuple | None:
        """The worker's outcome; None when it did not answer within ``timeout`` seconds, and
        an empty tuple when it died without answering."""
        try:
            self.connection.send((query, max_rows))
        except OSError:  # the worker has died since it was last asked
            return ()
        if not self.connection.poll(timeout):
            return None
        try:
            return self.connection.recv()
        except (EOFError, OSError):
            return ()

    def close(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.connection.close()


_WORKERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _worker_for(engine: Engine) -> _Worker:
    worker = _WORKERS.get(engine)
    if worker is None or not worker.process.is_alive():
        worker = _WORKERS[engine] = _Worker(engine)
        weakref.finalize(engine, worker.close)
    return worker


def _retire(engine: Engine) -> None:
    worker = _WORKERS.pop(engine, None)
    if worker is not None:
        worker.close()


def execute(
    engine: Engine,
    query: PreparedQuery,
    *,
    timeout: float | None = None,
    max_rows: int | None = None,
) -> QueryResult:
    """Run ``query`` on ``engine`` and return at most ``max_rows`` rows.

    With a ``timeout`` (seconds; default :func:`default_timeout`, ``0`` for none) the query runs in
    the engine's worker process, which is killed when the limit passes (:class:`QueryTimeout`)
    and replaced at the next query. The worker is forked from this process and so answers over
    the graph as it was when the engine's first guarded query ran: build a new engine after
    changing a graph. It cannot open network connections from Python. Where fork is unavailable
    the worker is spawned and receives the graph serialised.
    """
    timeout = default_timeout() if timeout is None else timeout
    max_rows = default_max_rows() if max_rows is None else max_rows
    if not timeout:
        return _evaluate(engine, query, max_rows)
    worker = _worker_for(engine)
    try:
        outcome = worker.ask(query, max_rows, timeout)
    except BaseException:  # interrupted: the worker may still be busy with this query
        _retire(engine)
        raise
    if outcome is None:
        _retire(engine)
        raise QueryTimeout(
            f"{query.origin}: stopped after {timeout:g} s, the wall-clock limit; narrow the query, "
            "or raise the limit with --timeout or $NORMGRAPH_QUERY_TIMEOUT"
        )
    if not outcome:
        status = worker.process.exitcode
        _retire(engine)
        raise QueryFailed(f"{query.origin}: the query engine stopped without an answer (exit status {status})")
    if outcome[0] == "ok":
        return _from_wire(outcome[1])
    error = QueryFailed(outcome[1])
    error.exit_code = outcome[2]
    raise error


def run_query(
    graph_or_engine: Graph | Engine,
    text: str,
    params: Mapping[str, str] | None = None,
    *,
    engine: str = DEFAULT_ENGINE,
    timeout: float | None = None,
    max_rows: int | None = None,
    origin: str = "query",
) -> QueryResult:
    """Check, bind and run SPARQL ``text`` over a graph (or an engine built once and reused)."""
    runner = make_engine(graph_or_engine, engine) if isinstance(graph_or_engine, Graph) else graph_or_engine
    return execute(runner, prepare(text, params, origin=origin), timeout=timeout, max_rows=max_rows)


def run_file(
    graph_or_engine: Graph | Engine,
    path: str | os.PathLike[str],
    params: Mapping[str, str] | None = None,
    *,
    engine: str = DEFAULT_ENGINE,
    timeout: float | None = None,
    max_rows: int | None = None,
) -> QueryResult:
    """Run a query file (a stored query, a check, or any ``.rq``) and return its result."""
    stored = load_query(path)
    runner = make_engine(graph_or_engine, engine) if isinstance(graph_or_engine, Graph) else graph_or_engine
    return execute(runner, stored.prepare(params), timeout=timeout, max_rows=max_rows)
