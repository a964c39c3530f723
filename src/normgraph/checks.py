"""Zero-row integrity checks: the SPARQL files in ``queries/checks/``.

Each check asks for violations of one project rule (a shortcut without a supported node, a claim
without evidence, a dangling reference ...). A check passes when it returns no rows; the build and
``normgraph check`` fail otherwise. The files are the project's own, trusted queries, run over
ontology + vocabularies + data with rdflib.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph


@dataclass(frozen=True)
class CheckResult:
    name: str
    summary: str
    variables: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    @property
    def passed(self) -> bool:
        return not self.rows


def summary_of(path: Path) -> str:
    """The ``#+ summary:`` header of a query file, or its name."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#+ summary:"):
            return line.split(":", 1)[1].strip()
    return path.stem


def run_check(graph: Graph, path: Path) -> CheckResult:
    result = graph.query(path.read_text(encoding="utf-8"))
    variables = tuple(str(v) for v in result.vars or ())
    rows = tuple(tuple("" if value is None else value.n3(graph.namespace_manager) for value in row) for row in result)
    return CheckResult(path.stem, summary_of(path), variables, rows)


def run_checks(graph: Graph, checks_dir: Path) -> list[CheckResult]:
    """Run every ``*.rq`` in ``checks_dir`` over ``graph``, in name order."""
    return [run_check(graph, path) for path in sorted(checks_dir.glob("*.rq"))]
