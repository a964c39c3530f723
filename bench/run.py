"""Run every scale target of normgraph on one synthetic tree and print the figures in one table.

Each operation runs as a user runs it, in a fresh process, timed on the wall clock with its peak
resident memory (the child's own ``ru_maxrss``), and is stopped at ``--cap`` seconds: a target
that is far off shows as "stopped at N s" instead of holding the run for an hour. Every figure is
printed with its ratio to the **floor**, the time pyoxigraph takes to parse the same files in the
same run, and, where normgraph replaces a baseline, to that baseline measured in the same run
(plain pySHACL; rdflib's parse is shown beside publish for reference). The consistency part of
``check`` alone, against owlrl, is measured by ``bench/bench_consistency.py``.

    python bench/run.py                       # a 1,000,000-triple tree
    python bench/run.py --triples 100000 --cap 120
    python bench/run.py --tree /tmp/big       # a tree bench/generate.py wrote before

Nothing here asserts a time: the machines are shared and noisy, so the table is for people.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_validate import PLAIN  # noqa: E402
from generate import generate  # noqa: E402

PYTHON = sys.executable

#: The floor: pyoxigraph parses every file of the tree that a command reads, and nothing else.
FLOOR = """
import sys
from pathlib import Path
import pyoxigraph as ox
root = Path(sys.argv[1])
files = sorted((root / "ontology").glob("*.ttl")) + sorted((root / "data").rglob("*.ttl"))
count = sum(1 for f in files for _ in ox.parse(path=f, format=ox.RdfFormat.TURTLE))
print(count)
"""

#: Plain rdflib: the parse that pySHACL and owlrl start from.
RDFLIB = """
import sys
from pathlib import Path
from rdflib import Graph
root = Path(sys.argv[1])
graph = Graph()
for f in sorted((root / "ontology").glob("*.ttl")) + sorted((root / "data").rglob("*.ttl")):
    graph.parse(f, format="turtle")
print(len(graph))
"""

#: Every stored query, with its default parameters, on the tree's store opened once: seconds per
#: query (null when stopped at the cap), as JSON.
STORED_QUERIES = """
import json, sys, time
from pathlib import Path
from normgraph.engines import OxigraphEngine
from normgraph.layout import locate
from normgraph.query import stored_queries
from normgraph.store import tree_store
from normgraph.worker import execute, QueryTimeout
layout = locate(sys.argv[1])
engine = OxigraphEngine.on_disk(tree_store(layout))
cap = float(sys.argv[2])
times = {}
for stored in stored_queries(layout):
    query = stored.prepare()  # every parameter has a default
    began = time.perf_counter()
    try:
        execute(engine, query, timeout=cap)
        times[stored.name] = time.perf_counter() - began
    except QueryTimeout:
        times[stored.name] = None
    except Exception:
        times[stored.name] = "error"
print(json.dumps(times))
"""


@dataclass
class Run:
    """One process: its wall-clock seconds, peak memory in MiB, whether it finished, its output."""

    seconds: float
    peak_mib: float
    finished: bool
    code: int | None
    stdout: str


def run(command: list[str], cap: float, cwd: Path | None = None, env: dict[str, str] | None = None) -> Run:
    """Run ``command`` until it ends or ``cap`` seconds pass (then it is killed)."""
    began = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.DEVNULL)
        deadline = began + cap
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                process.kill()
                _, status, usage = os.wait4(process.pid, 0)
                elapsed = time.perf_counter() - began
                return Run(elapsed, usage.ru_maxrss / 1024, False, None, "")
            time.sleep(0.02)
        elapsed = time.perf_counter() - began
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        return Run(elapsed, usage.ru_maxrss / 1024, True, process.returncode, out.read().decode("utf-8", errors="replace"))


def normgraph(tree: Path, *args: str) -> list[str]:
    """The command line of ``normgraph --root tree ARGS``, in this interpreter."""
    return [PYTHON, "-m", "normgraph", "--root", str(tree), *args]


@dataclass
class Row:
    """One line of the table: an operation, its target, and what it measured.

    ``seconds`` replaces the process's wall time where the target is about part of the process
    (the slowest stored query rather than the process that ran them all). A ``baseline`` is what
    normgraph replaces, printed with its ratio; a ``reference`` is a time to read the figure
    against (rdflib merely parsing the tree), printed without one.
    """

    operation: str
    target: str
    result: Run
    floor: float
    baseline: tuple[str, Run] | None = None
    note: str = ""
    seconds: float | None = None
    reference: bool = False

    def cells(self) -> list[str]:
        seconds = self.result.seconds if self.seconds is None else self.seconds
        measured = f"{seconds:.2f} s" if self.result.finished else f"stopped at {seconds:.0f} s"
        ratio = f"{seconds / self.floor:.1f}" + ("" if self.result.finished else "+")
        baseline = ""
        if self.baseline is not None:
            name, other = self.baseline
            baseline = f"{name} " + (f"{other.seconds:.1f} s" if other.finished else f">{other.seconds:.0f} s")
            if self.reference:
                baseline += " (reference)"
            elif other.finished and self.result.finished:
                baseline += f" ({other.seconds / seconds:.1f}x)"
        return [self.operation, self.target, measured, ratio, f"{self.result.peak_mib:.0f}", baseline, self.note]


def table(rows: list[Row], floor: Run, triples: int) -> str:
    header = ["operation", "target", "normgraph", "x floor", "peak MiB", "baseline (baseline/normgraph)", "note"]
    body = [header] + [row.cells() for row in rows]
    widths = [max(len(line[i]) for line in body) for i in range(len(header))]
    lines = [f"tree: {triples:,} triples; floor (pyoxigraph parse): {floor.seconds:.2f} s, {floor.peak_mib:.0f} MiB"]
    for index, line in enumerate(body):
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip())
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def contribution(tree: Path, out: Path, size: int) -> Path:
    """About ``size`` triples of the tree's first copy, as a contribution file of new IRIs."""
    import pyoxigraph as ox

    triples = list(ox.parse(path=tree / "data" / "copy-00001.ttl", format=ox.RdfFormat.TURTLE))
    subjects = sorted({t.subject.value for t in triples if isinstance(t.subject, ox.NamedNode)})
    chosen: list = []
    for subject in subjects:
        if len(chosen) >= size:
            break
        chosen.extend(t for t in triples if isinstance(t.subject, ox.NamedNode) and t.subject.value == subject)

    def renamed(term):
        if isinstance(term, ox.NamedNode) and term.value.endswith("-c1") and term.value in subjects:
            return ox.NamedNode(term.value[:-3] + "-contributed")
        return term

    ox.serialize([ox.Triple(renamed(t.subject), t.predicate, renamed(t.object)) for t in chosen], output=out, format=ox.RdfFormat.TURTLE)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000, help="size of the generated tree (default 1,000,000)")
    parser.add_argument("--tree", type=Path, help="use this tree (written by bench/generate.py) instead of generating one")
    parser.add_argument("--cap", type=float, default=300.0, help="stop any one operation after this many seconds (default 300)")
    parser.add_argument("--skip-baselines", action="store_true", help="leave out plain pySHACL (it does not finish at 1M)")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="normgraph-bench-"))
    try:
        tree = args.tree
        if tree is None:
            tree = work / "tree"
            generate(tree, args.triples, 4)
        subprocess.run(["git", "init", "-q", str(tree)], check=True)
        expected = json.loads((tree / "expected.json").read_text(encoding="utf-8"))
        cache = work / "cache"
        env = {**os.environ, "NORMGRAPH_CACHE_DIR": str(cache)}
        cap = args.cap

        floor = run([PYTHON, "-c", FLOOR, str(tree)], cap)
        rows: list[Row] = []

        helps = [run([PYTHON, "-m", "normgraph", "--help"], cap, env=env) for _ in range(5)]
        rows.append(Row("normgraph --help", "<= 0.3 s", min(helps, key=lambda r: r.seconds), floor.seconds, note="best of 5"))

        first = run(normgraph(tree, "query", "organisations-by-kind", "--format", "csv"), cap, env=env)
        rows.append(Row("query, first run (builds the store)", "-", first, floor.seconds))
        again = [run(normgraph(tree, "query", "organisations-by-kind", "--format", "csv"), cap, env=env) for _ in range(3)]
        rows.append(Row("query, later runs", "<= 1 s", min(again, key=lambda r: r.seconds), floor.seconds, note="best of 3"))

        stored = run([PYTHON, "-c", STORED_QUERIES, str(tree), str(min(cap, 30.0))], cap * 4, env=env)
        if stored.finished and stored.code == 0:
            times = json.loads(stored.stdout)
            done = [t for t in times.values() if isinstance(t, float)]
            over = sorted(name for name, t in times.items() if not isinstance(t, float) or t > 1.0)
            median = statistics.median(done) if done else float("nan")
            listed = ", ".join(over[:4]) + (f" and {len(over) - 4} more" if len(over) > 4 else "")
            note = f"slowest shown; {len(times)} queries, median {median * 1000:.0f} ms; {len(over)} over 1 s{': ' + listed if over else ''}"
            slowest = max(done) if done else stored.seconds
            rows.append(Row("every stored query, loaded store", "each <= 1 s, median <= 0.1 s", stored, floor.seconds, note=note, seconds=slowest))

        rdflib_parse = run([PYTHON, "-c", RDFLIB, str(tree)], cap)
        validate = run(normgraph(tree, "validate", "--no-cache", "--format", "json"), cap, env=env)
        note = ""
        if validate.finished and validate.stdout:
            report = json.loads(validate.stdout)
            found = {(r["focusNode"]["value"], r["sourceShape"]["value"]) for r in report["results"]}
            wanted = {(f["focus"], f["shape"]) for f in expected["faults"]}
            note = "found exactly the injected faults" if found == wanted else f"found {len(found)} results, {len(wanted)} injected"
        baseline = None if args.skip_baselines else ("plain pySHACL", run([PYTHON, "-c", PLAIN, str(tree)], cap, env=env))
        rows.append(Row("validate, whole tree", "<= 10x floor, <= 2 GB", validate, floor.seconds, baseline, note))

        contributed = contribution(tree, work / "contribution.ttl", 1000)
        validate_one = run(normgraph(tree, "validate", "--no-cache", str(contributed)), cap, env=env)
        rows.append(Row("validate a ~1,000-triple contribution", "<= 1 s", validate_one, floor.seconds))

        check = run(normgraph(tree, "check"), cap, env=env)
        rows.append(Row("check (gate + OWL-RL consistency)", "OWL-RL part <= 30 s", check, floor.seconds, note="consistency: bench/bench_consistency.py"))

        publish = run(normgraph(tree, "publish", "--out", str(work / "dist"), "--allow-dirty", "--quiet"), cap, env=env)
        rows.append(Row("publish", "<= 20x floor, <= 2 GB", publish, floor.seconds, ("rdflib parse", rdflib_parse), reference=True))

        print(table(rows, floor, expected["triples"]))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
