"""Zero-row integrity checks: the SPARQL files in ``queries/checks/``.

Each check asks for violations of one project rule (a shortcut without a supported node, a claim
without evidence, a dangling reference ...). A check passes when it returns no rows; the build and
``normgraph check`` fail otherwise. The checks run through the same engine interface as every
stored query (:mod:`normgraph.query`), on Oxigraph by default: rdflib's evaluator joins ``VALUES``
after a full scan and re-evaluates ``NOT EXISTS`` per row, which makes these whole-graph checks
take minutes instead of milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from .query import Engine, load_query, make_engine

#: Every row of a failing check is shown; far more than any real failure list.
MAX_ROWS = 100_000


@dataclass(frozen=True)
class CheckResult:
    name: str
    summary: str
    variables: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    @property
    def passed(self) -> bool:
        return not self.rows


def run_check(engine: Engine, path: Path) -> CheckResult:
    query = load_query(path)
    result = engine.run(query.prepare(), MAX_ROWS)
    rows = tuple(tuple("" if term is None else term.n3() for term in row) for row in result.rows)
    return CheckResult(query.name, query.summary, result.variables, rows)


def run_checks(graph: Graph, checks_dir: Path, engine: str = "oxigraph") -> list[CheckResult]:
    """Run every ``*.rq`` in ``checks_dir`` over ``graph``, in name order."""
    runner = make_engine(graph, engine)
    return [run_check(runner, path) for path in sorted(checks_dir.glob("*.rq"))]
