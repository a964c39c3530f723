"""Benchmark the OWL 2 RL consistency check: the SPARQL rules (normgraph.consistency) against
owlrl (normgraph.reason.inconsistencies), on a tree from ``bench/generate.py``.

Before timing, a file of known inconsistencies (an individual in two disjoint classes, one made
so through a functional property, a member of owl:Nothing) is written into the tree's data/, so
that both checks have something to find. The rules are timed on the loaded store, schema reading
included; owlrl on the same ontology and data as one rdflib graph, conversion excluded, and only
up to ``--owlrl-max`` data triples (it needs about 36 s at 100k) and ``--owlrl-timeout`` seconds
(in a child process, stopped when over). Prints both times, their ratio and whether the two
named the same individuals.

    python bench/generate.py --triples 1000000 /tmp/tree-1m
    python bench/bench_consistency.py /tmp/tree-1m
"""

from __future__ import annotations

import argparse
import multiprocessing
import queue
import time
from pathlib import Path

from normgraph.consistency import add_reused_vocabularies, check
from normgraph.layout import locate
from normgraph.load import GRAPHS, load_parts

INJECTED = """@prefix ng: <https://w3id.org/normgraph/ontology#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix bench: <https://w3id.org/normgraph/id/bench/> .

bench:state-and-organisation a ng:State , ng:Organisation .
bench:membership org:member bench:member-state , bench:member-claim .
bench:member-state a ng:State .
bench:member-claim a ng:Claim .
bench:nothing a owl:Nothing .
"""
#: The individuals the injected file makes inconsistent: each check must name every one.
EXPECTED = {
    "https://w3id.org/normgraph/id/bench/" + name
    for name in ("state-and-organisation", "member-state", "member-claim", "nothing")
}


def _owlrl(graph, answers: multiprocessing.Queue) -> None:
    from normgraph.reason import inconsistencies

    start = time.perf_counter()
    messages = inconsistencies(graph)
    answers.put((time.perf_counter() - start, messages))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", type=Path, help="a tree written by bench/generate.py (a file is added to its data/)")
    parser.add_argument("--owlrl-max", type=int, default=110_000, help="run owlrl only up to this many data triples")
    parser.add_argument("--owlrl-timeout", type=float, default=120.0, help="stop owlrl after this many seconds")
    args = parser.parse_args()

    (args.root / "data" / "bench-inconsistencies.ttl").write_text(INJECTED, encoding="utf-8")
    start = time.perf_counter()
    parts = load_parts(locate(args.root))
    loaded = time.perf_counter() - start
    data_triples = parts.count("data")
    print(f"tree:    {args.root} ({data_triples} data triples, loaded in {loaded:.1f} s)")

    start = time.perf_counter()
    found = check(parts.store, [GRAPHS["ontology"], GRAPHS["data"], add_reused_vocabularies(parts.store)])
    rules = time.perf_counter() - start
    named = {one.focus.value for one in found}
    print(f"rules:   {rules:6.2f} s, {len(found)} inconsistencies, every injected one named: {EXPECTED <= named}")

    if data_triples > args.owlrl_max:
        print(f"owlrl:   not run (over {args.owlrl_max} data triples)")
        return
    answers: multiprocessing.Queue = multiprocessing.Queue()
    child = multiprocessing.get_context("fork").Process(target=_owlrl, args=(parts.union(), answers))
    child.start()
    try:
        seconds, messages = answers.get(timeout=args.owlrl_timeout)
    except queue.Empty:
        print(f"owlrl:   stopped after {args.owlrl_timeout:.0f} s; ratio over {args.owlrl_timeout / rules:.0f}x")
        return
    finally:
        child.kill()
        child.join()
    same = all(any(iri in message for message in messages) for iri in named | EXPECTED)
    print(f"owlrl:   {seconds:6.2f} s, {len(messages)} messages, names the same individuals: {same}")
    print(f"ratio:   owlrl / rules = {seconds / rules:.0f}x")


if __name__ == "__main__":
    main()
