"""Refusing what a read-only, offline query service must never run, and preparing the rest.

:func:`check_query` refuses SPARQL Update (``LOAD``, ``INSERT`` ...), ``SERVICE`` (both rdflib
and Oxigraph would fetch the remote endpoint) and ``FROM`` / ``FROM NAMED`` (rdflib loads such
graphs from the web or the file system when it queries a dataset). The decision is taken on
rdflib's parse tree of the query, and a token scan that ignores strings, IRIs and comments
double-checks ``SERVICE``. :func:`prepare` then binds the parameters: values never enter the
query as text a user controls; each is checked and turned into an RDF term, and the terms are
written, in N-Triples syntax, into one ``VALUES`` block at the start of the query's ``WHERE``
group. Both engines therefore run the very same query text.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from pyparsing import ParseBaseException, ParseResults
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Node

from .errors import InputError, NormgraphError, UsageError
from .namespaces import PREFIXES
from .sparql_text import QUERY_FORMS, UPDATE_KEYWORDS, Header, Token, bind_value, declared_parameters, parse_header, position, tokenize
from .terms import Term

#: Longest query text accepted, in characters.
MAX_QUERY_CHARS = 1_000_000
#: The parser works recursively; this bounds how deeply a query may nest.
PARSE_RECURSION_LIMIT = 4000


class QueryRefused(NormgraphError):
    """The query asks for something normgraph never does: an update, a remote call, a fetch."""

    exit_code = 2


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
            self._algebra = translate(_parse(self.text, self.origin), self.prefixes, self.origin)
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


def translate(parsed, prefixes: Mapping[str, str], origin: str) -> Query:
    """rdflib's algebra for a parsed query; its bare exceptions become an :class:`InputError`."""
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
        if keyword in UPDATE_KEYWORDS:
            line, column = position(text, token.start)
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
    line, column = position(text, token.start)
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
            line, column = position(text, token.start)
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
    index = next((i for i, t in enumerate(tokens) if t.keyword in QUERY_FORMS), None)
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
    declared = {p.name: p for p in declared_parameters(checked.tokens, header, origin)}
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
        algebra = translate(checked.parsed, prefixes, origin)
        return PreparedQuery(text, checked.form, dict(prefixes), {}, origin, algebra)
    brace = _where_brace(checked.tokens, checked.form)
    if brace is None:
        raise UsageError(f"{origin}: cannot bind parameters: the query has no WHERE group")
    cut = brace.start + 1
    bound = text[:cut] + _values_block(bindings) + text[cut:]
    algebra = translate(_parse(bound, origin), prefixes, origin)
    return PreparedQuery(bound, checked.form, dict(prefixes), bindings, origin, algebra)
