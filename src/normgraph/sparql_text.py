"""Reading SPARQL text without running it: a lexer, the ``#+`` header, the parameters.

The lexer knows enough of the grammar's terminals to tell keywords from strings, IRIs, names and
comments: it locates the WHERE group and double-checks the parse tree, and parses nothing. A
stored query's header holds grlc-style decorators (``summary``, ``description``, ``tags``,
``defaults``); its parameters are BASIL-style variables (``?_norm_iri``, ``?__date``), whose
values a user gives as text and :func:`bind_value` turns into RDF terms, or refuses.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from .errors import InputError, UsageError
from .namespaces import PREFIXES, compact
from .terms import IRI_FORBIDDEN, IRI_FORBIDDEN_CHARS

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
            rf"(?P<iri><[^{IRI_FORBIDDEN_CHARS}]*>)",
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


UPDATE_KEYWORDS = {"LOAD", "INSERT", "DELETE", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
QUERY_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}


def position(text: str, offset: int) -> tuple[int, int]:
    """Line and column (from 1) of ``offset`` in ``text``, for messages that say where."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


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


def declared_parameters(tokens: Sequence[Token], header: Header, path: Path | str) -> tuple[Parameter, ...]:
    """The query's parameters, by name, with the header's defaults; one variable per name."""
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


def iri_value(raw: str, prefixes: Mapping[str, str], name: str) -> URIRef:
    """A user's IRI (``<...>``, a full IRI or a prefixed name) as a term, refused if malformed:
    the one reading of an IRI typed on the command line."""
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
        return iri_value(raw, prefixes, parameter.name)
    if parameter.language:
        return Literal(raw, lang=parameter.language)
    if parameter.datatype:
        literal = Literal(raw.strip(), datatype=URIRef(parameter.datatype))
        if getattr(literal, "ill_typed", False):
            raise UsageError(f"parameter {parameter.name}: {raw!r} is not a valid {compact(parameter.datatype)}")
        return literal
    return Literal(raw)
