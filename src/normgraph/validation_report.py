"""A validation's results, and the report as plain data for JSON output and for rendering
without rdflib (:mod:`normgraph.reporting`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from .display import NAMES
from .positions import Position
from .shacl_paths import AlternativePath, InversePath, PathExpr, SequencePath, show_path

@dataclass(frozen=True)
class Result:
    """One SHACL validation result, with where its focus node is written and any advice."""

    focus: Node
    severity: URIRef
    component: URIRef
    shape: Node
    message: str
    path: PathExpr | None = None
    value: Node | None = None
    constraint: Node | None = None
    hint: str | None = None
    location: Position | None = None
    subject_location: Position | None = None

    @property
    def key(self) -> tuple[object, ...]:
        """What makes two results the same result (the message and location do not)."""
        return (self.focus, self.path, self.value, self.component, self.severity, self.shape)

    @property
    def is_violation(self) -> bool:
        return self.severity == SH.Violation


def severity_name(severity: URIRef) -> str:
    return str(severity).rsplit("#", 1)[-1]


def reading_order(result: Result) -> tuple[object, ...]:
    """Sort key of a report: by file and line, then focus node, violations before warnings."""
    where = result.location
    return (
        str(where.path) if where else "~",
        where.line if where else 0,
        str(result.focus),
        0 if result.is_violation else 1,
        show_path(result.path) if result.path is not None else "",
        str(result.component),
        NAMES.term(result.value),
        result.message,
    )


@dataclass
class Report:
    """The results of one validation, sorted by file and line."""

    results: list[Result]
    inputs: list[Path] = field(default_factory=list)

    @property
    def violations(self) -> int:
        return sum(1 for r in self.results if r.is_violation)

    @property
    def warnings(self) -> int:
        return len(self.results) - self.violations

    @property
    def conforms(self) -> bool:
        """True when nothing is a violation; warnings do not count."""
        return self.violations == 0


def term_data(term: Node | None) -> dict[str, str] | None:
    """A term as in the W3C SPARQL 1.1 JSON results format."""
    if term is None:
        return None
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    data = {"type": "literal", "value": str(term)}
    if isinstance(term, Literal):
        if term.language:
            data["xml:lang"] = term.language
        elif term.datatype is not None:
            data["datatype"] = str(term.datatype)
    return data


def path_data(path: PathExpr | None) -> object:
    """A property path as JSON, shaped like SHACL's own path syntax: an IRI string, a list for
    a sequence, or an object with one key (inversePath, alternativePath, zeroOrMorePath ...)."""
    if path is None:
        return None
    if isinstance(path, URIRef):
        return str(path)
    if isinstance(path, InversePath):
        return {"inversePath": path_data(path.path)}
    if isinstance(path, SequencePath):
        return [path_data(step) for step in path.steps]
    if isinstance(path, AlternativePath):
        return {"alternativePath": [path_data(option) for option in path.options]}
    name = {"*": "zeroOrMorePath", "+": "oneOrMorePath", "?": "zeroOrOnePath"}[path.operator]
    return {name: path_data(path.path)}


def _component_name(result: Result) -> str:
    """What broke, for people: the constraint parameter (sh:minCount), or for a SPARQL-based
    shape or a rule checked outside SHACL (evidence anchors) the rule's name."""
    if result.component == SH.SPARQLConstraintComponent or not str(result.component).startswith(str(SH)):
        return NAMES.term(result.shape)
    local = str(result.component).rsplit("#", 1)[-1].removesuffix("ConstraintComponent")
    return "sh:" + local[:1].lower() + local[1:]


def one_line(result: Result) -> str:
    """A located result on one line, ``file:line:column: focus path: message``, for the
    commands that list problems rather than print a report."""
    where = f"{result.location}: " if result.location is not None else ""
    path = f" {show_path(result.path)}" if result.path is not None else ""
    return f"{where}{NAMES.term(result.focus)}{path}: {result.message}"


def report_data(report: Report) -> dict[str, object]:
    """``report`` as plain JSON-ready data: full IRIs for machines, short forms for people."""
    results = []
    for r in report.results:
        results.append(
            {
                "focusNode": term_data(r.focus),
                "resultSeverity": str(r.severity),
                "sourceConstraintComponent": str(r.component),
                "sourceShape": term_data(r.shape),
                "resultPath": path_data(r.path),
                "value": term_data(r.value),
                "message": r.message,
                "hint": r.hint,
                "file": str(r.location.path) if r.location else None,
                "line": r.location.line if r.location else None,
                "column": r.location.column if r.location else None,
                "subject": None
                if r.subject_location is None
                else {"file": str(r.subject_location.path), "line": r.subject_location.line, "column": r.subject_location.column},
                "display": {
                    "focus": NAMES.term(r.focus),
                    "severity": severity_name(r.severity),
                    "constraint": _component_name(r),
                    "path": show_path(r.path) if r.path is not None else None,
                    "value": NAMES.term(r.value) if r.value is not None else None,
                },
            }
        )
    return {
        "conforms": report.conforms,
        "violations": report.violations,
        "warnings": report.warnings,
        "inputs": [str(p) for p in report.inputs],
        "results": results,
    }
