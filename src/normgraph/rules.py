"""Project rules written as SPARQL: one ``rules/*.rq`` file per rule.

A rule file opens with the ``#+`` header every stored query uses (:func:`normgraph.sparql_text.parse_header`):
``summary``, ``severity`` (Violation, Warning or Info) and ``message``, a template in which
``{?name}`` stands for a variable of the row. The query selects what breaks the rule, shaped
like a SHACL result: ``?this`` is the focus node, ``?path`` and ``?value`` are optional.

A rule is written here only when no SHACL shape states it: each rule exists once, as a shape or
as a rule file, and :mod:`normgraph.gate` runs both kinds.

Rules run on Oxigraph: rdflib's evaluator re-evaluates ``NOT EXISTS`` per row and joins
``VALUES`` after a full scan, which makes whole-graph rules take minutes instead of milliseconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Namespace, URIRef
from rdflib.namespace import SH

from .errors import InputError
from .sparql_text import parse_header

#: Rules are named in results as ``rule:NAME`` (their file name without ``.rq``).
RULE = Namespace("https://w3id.org/normgraph/rules/")
_SEVERITIES = {"Violation": SH.Violation, "Warning": SH.Warning, "Info": SH.Info}


@dataclass(frozen=True)
class Rule:
    """One rule file, read."""

    node: URIRef
    path: Path
    summary: str
    severity: URIRef
    message: str
    tags: tuple[str, ...]
    query: str


def read_rule(path: Path) -> Rule:
    """Read one rule file; a header without summary, a known severity or a message is refused."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(path, f"cannot read rule: {exc}") from None
    header = parse_header(text, path)
    for key in ("summary", "message"):
        if not getattr(header, key):
            raise InputError(path, f"a rule needs '#+ {key}:' in its header")
    severity = _SEVERITIES.get(header.severity)
    if severity is None:
        raise InputError(path, f"'#+ severity:' must be one of {', '.join(_SEVERITIES)}, not {header.severity!r}")
    return Rule(RULE[path.stem], path, header.summary, severity, header.message, header.tags, text)


def load_rules(folder: Path) -> list[Rule]:
    """Every ``*.rq`` rule in ``folder``, in name order (none if the folder is absent)."""
    return [read_rule(path) for path in sorted(folder.glob("*.rq"))]


def rule_rows(store: ox.Store, rule: Rule, graphs: Sequence[ox.NamedNode]) -> list[dict[str, object]]:
    """The rows of ``rule``: each breaks it, as variable -> term."""
    try:
        solutions = store.query(rule.query, default_graph=list(graphs))
    except SyntaxError as exc:
        raise InputError(rule.path, f"SPARQL syntax error: {exc}") from None
    names = [v.value for v in solutions.variables]  # type: ignore[union-attr]
    if "this" not in names:
        raise InputError(rule.path, "a rule must select ?this, the node that breaks it")
    return [{name: solution[name] for name in names if solution[name] is not None} for solution in solutions]  # type: ignore[union-attr]
