"""``normgraph stats``: counts per class and membership role, claims per source, backing share."""

from __future__ import annotations

import argparse

from ..layout import locate


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "stats",
        help="count instances per class and membership role, claims per source, and claim backing",
        description="Print the number of instances of each class in the data, memberships per "
        "membership role, claims per source, the share of sourced facts (fact-bearing nodes) that a "
        "claim backs and the shortcut triples with no supported node behind them, both counted by "
        "the rules validate and check run.",
    )
    parser.set_defaults(handler=run)


def _table(title: str, rows: list[tuple[str, int]]) -> None:
    print(title)
    width = max((len(name) for name, _ in rows), default=0)
    for name, count in rows:
        print(f"  {name:<{width}}  {count:>5}")


def run(args: argparse.Namespace) -> int:
    from ..gate import tree_report
    from ..stats import compute
    from ..validate import load_tree

    tree = load_tree(locate(args.root))
    stats = compute(tree, tree_report(tree))
    _table("instances per class", stats.classes)
    _table("memberships per membership role", stats.membership_roles)
    _table("claims per source", stats.claims_per_source)
    print(
        f"sourced facts backed by a claim: {stats.backed_facts} of {stats.sourced_facts} "
        f"({stats.backed_share:.1f}%)"
    )
    print(f"shortcut triples with no supported node behind them: {stats.unbacked_shortcuts}")
    return 0
