"""Benchmark core SHACL validation: the shapes compiled into SPARQL on the store
(normgraph.shacl_core) against plain pySHACL over the merged rdflib graph, on a tree from
``bench/generate.py``.

The store evaluator is timed from compiling the shapes to the last result, the literal patch
included, on the loader's store; pySHACL on the same ontology and data as one rdflib graph
(conversion excluded), in a child process stopped after ``--pyshacl-timeout`` seconds. Prints
both times, their ratio, the parse floor (pyoxigraph loading the tree) and whether the two
reports hold the same results.

    python bench/generate.py --triples 1000000 /tmp/tree-1m
    python bench/bench_shacl_core.py /tmp/tree-1m
"""

from __future__ import annotations

import argparse
import multiprocessing
import queue
import time
from pathlib import Path

from normgraph.layout import locate
from normgraph.validate import GraphUnderTest, _pyshacl, core_results, load_tree, prepare_shapes


def _reference(subject: GraphUnderTest, shapes, answers: multiprocessing.Queue) -> None:
    start = time.perf_counter()
    results = _pyshacl(subject.merged, shapes.core, advanced=False, focus=None)
    answers.put((time.perf_counter() - start, {repr(r.key) for r in results}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", type=Path, help="a tree written by bench/generate.py")
    parser.add_argument("--pyshacl-timeout", type=float, default=300.0, help="stop pySHACL after this many seconds")
    args = parser.parse_args()

    start = time.perf_counter()
    tree = load_tree(locate(args.root))
    floor = time.perf_counter() - start
    triples = len(tree.data)
    subject = GraphUnderTest(tree.parts, store=tree.parts.store)

    start = time.perf_counter()
    shapes = prepare_shapes(tree.shapes.graph)
    results = core_results(subject, shapes, None)
    fast = time.perf_counter() - start
    print(f"tree: {args.root} ({triples:,} data triples); loading (parse, store, rdflib views): {floor:.2f} s")
    print(f"core shapes on the store:  {fast:8.2f} s  {len(results)} results")

    context = multiprocessing.get_context("fork")
    answers = context.Queue()
    child = context.Process(target=_reference, args=(subject, shapes, answers))
    child.start()
    try:
        slow, reference = answers.get(timeout=args.pyshacl_timeout)
    except queue.Empty:
        child.kill()
        print(f"plain pySHACL:             > {args.pyshacl_timeout:.0f} s  (stopped)")
        return
    finally:
        child.join()
    same = {repr(r.key) for r in results} == reference
    print(f"plain pySHACL:             {slow:8.2f} s  {len(reference)} results")
    print(f"speed-up: {slow / fast:.1f} x; same results: {same}")


if __name__ == "__main__":
    main()
