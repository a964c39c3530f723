"""``normgraph search`` and ``normgraph describe``: find an entity's identifier, and read
everything the graph says about it (see :mod:`normgraph.entities`)."""

from __future__ import annotations

import argparse
import shutil
import sys

from ..layout import locate
from ..query_options import DEFAULT_TABLE_WIDTH


def register(subparsers: argparse._SubParsersAction) -> None:
    search = subparsers.add_parser(
        "search",
        help="find entities by name, alias or identifier",
        description="Find organisations, states, people, norms, roles ... whose name, alias or "
        "identifier matches TEXT (case-insensitive), best match first, with kind and identifier. "
        "Use the identifier with 'normgraph describe' or as a --param value.",
    )
    search.add_argument("text", metavar="TEXT", help="words to look for, e.g. 'shanghai' or 'RUS'")
    search.add_argument("--limit", type=int, default=20, metavar="N", help="show at most N matches (default 20)")
    search.set_defaults(handler=run_search)

    describe = subparsers.add_parser(
        "describe",
        help="everything the graph says about one entity, incoming links included",
        description="Show one entity (an identifier such as state:RUS or org-id:sco, a full IRI, or "
        "an exact name): its names, kind and links, then the facts it takes part in (memberships "
        "over time, stances, role conceptions, events, figures, offices), each with its claims: "
        "claimant, source and quoted words; then the claims it makes and other links to it.",
    )
    describe.add_argument("entity", metavar="ENTITY", help="identifier, IRI or exact name")
    describe.add_argument("--width", type=int, metavar="N", help="wrap at N characters (default: the terminal's width)")
    describe.set_defaults(handler=run_describe)


def _graph(args: argparse.Namespace):
    from ..load import load_parts

    return load_parts(locate(args.root)).union()


def run_search(args: argparse.Namespace) -> int:
    from ..entities import search, search_text
    from ..errors import UsageError

    if args.limit < 1:
        raise UsageError("--limit must be at least 1")
    matches = search(_graph(args), args.text, limit=args.limit)
    sys.stdout.write(search_text(matches, args.text))
    return 0 if matches else 1


def run_describe(args: argparse.Namespace) -> int:
    from ..entities import describe, describe_text

    width = args.width or shutil.get_terminal_size((DEFAULT_TABLE_WIDTH, 24)).columns
    sys.stdout.write(describe_text(describe(_graph(args), args.entity), width=max(width, 40)))
    return 0
