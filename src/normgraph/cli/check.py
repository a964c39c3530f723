"""``normgraph check``: load every part, count it, run the gate and test the OWL-RL closure."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..layout import locate


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check",
        help="load ontology, vocabularies, data and shapes; report counts, the rules and OWL-RL consistency",
        description="Load the ontology and vocabularies, the data and the shapes, print how many "
        "triples each holds, run every project rule over the data (the SHACL shapes in shapes/, "
        "the SPARQL rules in rules/ and the evidence anchors checked against their source texts: "
        "the same rule set validate, add and publish run) and the OWL-RL closure over ontology + "
        "data with the reused vocabularies (owlrl on a small tree; on a large one its inconsistency rules, as "
        "SPARQL queries). Exits 1 if a rule is broken or the closure is "
        "inconsistent (for example an individual in two disjoint classes), 2 if an input cannot be used.",
    )
    parser.add_argument("--data", nargs="*", metavar="FILE", type=Path, help="check these data files instead of data/")
    parser.add_argument("--sources", metavar="DIR", help="folder of registered source texts (default: $NORMGRAPH_SOURCES, else ../shared/seeds beside the tree)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..gate import tree_report
    from ..consistency import tree_inconsistencies
    from ..reporting import render_text
    from ..texts import source_texts
    from ..validate import load_tree
    from ..validation_report import report_data

    layout = locate(args.root)
    tree = load_tree(layout, data_files=args.data)
    parts = tree.parts
    print(f"tree:        {layout.root}{' (bundled copy)' if layout.bundled else ''}")
    print(f"ontology:    {parts.count('ontology'):>6} triples in {len(parts.files['ontology'])} files (ontology + vocabularies)")
    print(f"data:        {parts.count('data'):>6} triples in {len(parts.files['data'])} files")
    print(f"shapes:      {parts.count('shapes'):>6} triples in {len(parts.files['shapes'])} files")
    print(f"rules:       {len(tree.rules):>6} files in {layout.rules_dir.name}/, run with the shapes")
    status = 0
    problems = tree_inconsistencies(parts)
    if problems:
        print(f"OWL-RL:      inconsistent ({len(problems)} problems)")
        for message in problems:
            print(f"  - {message}")
        status = 1
    else:
        print("OWL-RL:      consistent")
    data = report_data(tree_report(tree, texts=source_texts(layout, args.sources)))
    if data["conforms"]:
        print(f"gate:        every rule holds ({data['warnings']} warnings)")
    else:
        print(f"gate:        {data['violations']} violations")
        status = 1
    if data["results"]:
        sys.stdout.write(render_text(data, checked="data/" if args.data is None else ", ".join(map(str, args.data))))
    return status
