"""``normgraph check``: load every part, count it, and test the OWL-RL closure for consistency."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..layout import locate


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check",
        help="load ontology, vocabularies, data and shapes; report counts and OWL-RL consistency",
        description="Load the ontology and vocabularies, the data and the shapes, print how many "
        "triples each holds, run the OWL-RL closure over ontology + data, and run the zero-row "
        "integrity checks in queries/checks/, and check every evidence anchor against its source "
        "text. Exits 1 if the closure is inconsistent (for example an individual in two disjoint "
        "classes), any check returns rows or any anchor does not hold.",
    )
    parser.add_argument("--data", nargs="*", metavar="FILE", help="check these data files instead of data/")
    parser.add_argument("--sources", metavar="DIR", help="folder of registered source texts (default: $NORMGRAPH_SOURCES, else ../shared/seeds beside the tree)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..checks import run_checks
    from ..evidence import anchor_results
    from ..load import load_parts, parse_files
    from ..reason import inconsistencies
    from ..texts import source_texts
    from ..validate import finish, one_line

    layout = locate(args.root)
    parts = load_parts(layout)
    if args.data is not None:
        parts.data = parse_files([Path(p) for p in args.data])
    print(f"tree:        {layout.root}{' (bundled copy)' if layout.bundled else ''}")
    print(f"ontology:    {len(parts.ontology):>6} triples in {len(layout.ontology_files())} files (ontology + vocabularies)")
    print(f"data:        {len(parts.data):>6} triples in {len(parts.files['data']) if args.data is None else len(args.data)} files")
    print(f"shapes:      {len(parts.shapes):>6} triples in {len(parts.files['shapes'])} files")
    graph = parts.union()
    status = 0
    problems = inconsistencies(graph)
    if problems:
        print(f"OWL-RL:      inconsistent ({len(problems)} problems)")
        for message in problems:
            print(f"  - {message}")
        status = 1
    else:
        print("OWL-RL:      consistent")
    results = run_checks(graph, layout.checks_dir)
    failed = [result for result in results if not result.passed]
    print(f"checks:      {len(results) - len(failed)} of {len(results)} zero-row checks pass")
    for result in failed:
        print(f"  FAIL {result.name}: {result.summary} ({len(result.rows)} rows)")
        print(f"       {' | '.join(result.variables)}")
        for row in result.rows[:20]:
            print(f"       {' | '.join(row)}")
        if len(result.rows) > 20:
            print(f"       ... {len(result.rows) - 20} more")
        status = 1
    data_files = parts.files["data"] if args.data is None else [Path(p) for p in args.data]
    anchors = finish(anchor_results(parts.data, source_texts(layout, args.sources)), parts.data, data_files, data_files).results
    print(f"evidence:    {'all anchors hold' if not anchors else f'{len(anchors)} anchors do not hold'}")
    for result in anchors:
        print(f"  FAIL {one_line(result)}")
    return 1 if anchors else status
