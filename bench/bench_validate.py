"""Benchmark ``normgraph validate`` against plain pySHACL on the same files, in one run.

Three measurements, each a fresh process, as a user runs them:

* ``normgraph validate --no-cache``: cold, the whole pipeline (parsing, both engines, locating
  results in files); median of ``--repeat`` runs;
* ``normgraph validate`` with a warm cache: unchanged inputs, the report served from the cache;
* plain pySHACL: a script that knows nothing of normgraph parses the same ontology, vocabulary,
  data and shapes files with rdflib and calls ``pyshacl.validate`` with SHACL-AF enabled (the
  shapes use SPARQL targets), the shapes marked ``ngsh:dataGraphOnly`` on the data alone. It runs
  once: it is slow.

It prints the three times, the ratio of plain pySHACL to normgraph, and whether both reported
the same results (focus node, path, value, component, severity, shape), which they must.

    python bench/bench_validate.py [--root TREE] [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Plain pySHACL, run in its own process: rdflib parses every file, pySHACL validates.
PLAIN = r'''
import json, sys
from pathlib import Path
import pyshacl
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH, XSD

root = Path(sys.argv[1])
ontology = sorted((root / "ontology").glob("*.ttl"))
data = sorted((root / "data").rglob("*.ttl"))
shapes = Graph()
for path in sorted((root / "shapes").rglob("*.ttl")):
    shapes.parse(path, format="turtle")
merged, alone = Graph(), Graph()
for path in ontology:
    merged.parse(path, format="turtle")
for path in data:
    merged.parse(path, format="turtle")
    alone.parse(path, format="turtle")

ALONE = URIRef("https://w3id.org/normgraph/shapes#dataGraphOnly")
data_only = set(shapes.subjects(ALONE, Literal(True)))
targeted = {s for p in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target) for s in shapes.subjects(p, None)}

def only(keep):
    copy = Graph()
    copy += shapes
    for node in targeted:
        if not keep(node):
            copy.set((node, SH.deactivated, Literal(True)))
    return copy

def term(t):
    if t is None:
        return None
    if isinstance(t, URIRef):
        return {"type": "uri", "value": str(t)}
    if isinstance(t, BNode):
        return {"type": "bnode", "value": str(t)}
    out = {"type": "literal", "value": str(t)}
    if t.language:
        out["xml:lang"] = t.language
    elif t.datatype is not None:
        out["datatype"] = str(t.datatype)
    return out

def path(report, node):
    if node is None:
        return None
    if isinstance(node, URIRef):
        return str(node)
    inverse = report.value(node, SH.inversePath)
    if inverse is not None:
        return {"inversePath": path(report, inverse)}
    return [path(report, item) for item in Collection(report, node)]

results = []
for graph, keep in ((merged, lambda n: n not in data_only), (alone, lambda n: n in data_only)):
    _, report, _ = pyshacl.validate(graph, shacl_graph=only(keep), inference="none", advanced=True, allow_warnings=True, inplace=True)
    for r in report.objects(None, SH.result):
        results.append([term(report.value(r, SH.focusNode)), path(report, report.value(r, SH.resultPath)),
                        term(report.value(r, SH.value)), str(report.value(r, SH.sourceConstraintComponent)),
                        str(report.value(r, SH.resultSeverity)), term(report.value(r, SH.sourceShape))])
json.dump(results, sys.stdout)
'''


def timed(command: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(command[:4])} ... failed:\n{done.stderr}")
    return elapsed, done


def keys(results: list) -> set[str]:
    return {json.dumps(r, sort_keys=True) for r in results}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the normgraph tree to validate (default: this checkout)")
    parser.add_argument("--repeat", type=int, default=5, help="runs of normgraph validate per measurement (default 5)")
    args = parser.parse_args()
    root = args.root.resolve()
    with tempfile.TemporaryDirectory(prefix="normgraph-bench-") as cache:
        env = {**os.environ, "NORMGRAPH_CACHE_DIR": cache}
        normgraph = [sys.executable, "-m", "normgraph", "--root", str(root), "validate", "--format", "json"]
        cold = [timed([*normgraph, "--no-cache"], env) for _ in range(args.repeat)]
        timed(normgraph, env)  # fills the cache
        warm = [timed(normgraph, env)[0] for _ in range(args.repeat)]
        plain_time, plain = timed([sys.executable, "-c", PLAIN, str(root)], env)

    report = json.loads(cold[0][1].stdout)
    ours = keys(
        [
            [r["focusNode"], r["resultPath"], r["value"], r["sourceConstraintComponent"], r["resultSeverity"], r["sourceShape"]]
            for r in report["results"]
        ]
    )
    theirs = keys(json.loads(plain.stdout))
    cold_time = statistics.median(t for t, _ in cold)
    warm_time = statistics.median(warm)
    files = len(list((root / "data").rglob("*.ttl")))
    print(f"tree: {root} ({files} data files)")
    print(f"normgraph validate, cold (--no-cache): {cold_time:7.2f} s  (median of {args.repeat})")
    print(f"normgraph validate, warm cache:        {warm_time:7.2f} s  (median of {args.repeat})")
    print(f"plain pySHACL (rdflib + pyshacl):      {plain_time:7.2f} s  (one run)")
    print(f"ratio plain pySHACL / normgraph: {plain_time / cold_time:.1f}x cold, {plain_time / warm_time:.1f}x warm")
    agree = "yes" if ours == theirs else f"NO: {len(ours - theirs)} only in normgraph, {len(theirs - ours)} only in pySHACL"
    print(f"results: normgraph {len(ours)}, plain pySHACL {len(theirs)}; same results: {agree}")
    if ours != theirs:
        sys.exit(1)


if __name__ == "__main__":
    main()
