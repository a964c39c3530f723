"""``normgraph check``: load every part, count it, and test the OWL-RL closure for consistency."""

from __future__ import annotations

import argparse

from ..layout import locate
from ..load import load_parts
from ..reason import inconsistencies


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check",
        help="load ontology, vocabularies, data and shapes; report counts and OWL-RL consistency",
        description="Load the ontology and vocabularies, the data and the shapes, print how many "
        "triples each holds, and run the OWL-RL closure over ontology + data. Exits 1 if the closure "
        "is inconsistent (for example an individual in two disjoint classes).",
    )
    parser.add_argument("--data", nargs="*", metavar="FILE", help="check these data files instead of data/")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    layout = locate(args.root)
    parts = load_parts(layout)
    if args.data is not None:
        from pathlib import Path

        from ..load import parse_files

        parts.data = parse_files([Path(p) for p in args.data])
    print(f"tree:        {layout.root}{' (bundled copy)' if layout.bundled else ''}")
    print(f"ontology:    {len(parts.ontology):>6} triples in {len(layout.ontology_files())} files (ontology + vocabularies)")
    print(f"data:        {len(parts.data):>6} triples in {len(parts.files['data']) if args.data is None else len(args.data)} files")
    print(f"shapes:      {len(parts.shapes):>6} triples in {len(parts.files['shapes'])} files")
    problems = inconsistencies(parts.union())
    if problems:
        print(f"OWL-RL:      inconsistent ({len(problems)} problems)")
        for message in problems:
            print(f"  - {message}")
        return 1
    print("OWL-RL:      consistent")
    return 0
