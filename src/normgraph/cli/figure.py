"""``normgraph figure``: draw a figure from the graph into an SVG or PNG file
(see :mod:`normgraph.figures`)."""

from __future__ import annotations

import argparse

from ..layout import locate

#: The figures and their parameters, listed here so that --help needs no plotting library.
FIGURE_HELP = (
    "overlaps [--param state=state:RUS]: Figure 9.1 of Chatterje-Doody 2015 rebuilt, a state's "
    "organisations and the states they share, by membership role; "
    "timeline [--param entity=state:IND]: one state's or organisation's memberships over time, "
    "undated ones apart; network: states and organisations, coloured by membership role"
)


def register(subparsers: argparse._SubParsersAction) -> None:
    figure = subparsers.add_parser(
        "figure",
        help="draw a figure (overlaps, timeline, network) into an SVG or PNG file",
        description=f"Draw a figure from the memberships the claims state. {FIGURE_HELP}. The same "
        "graph always gives the same file; each figure's caption names its sources.",
    )
    figure.add_argument("name", metavar="NAME", choices=("overlaps", "timeline", "network"), help="overlaps, timeline or network")
    figure.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help="a figure parameter (repeatable)")
    figure.add_argument("--out", required=True, metavar="FILE", help="the .svg or .png file to write")
    figure.set_defaults(handler=run_figure)


def run_figure(args: argparse.Namespace) -> int:
    from ..figures import save_figure
    from ..load import load_parts
    from .query import parse_params

    path = save_figure(load_parts(locate(args.root)).union(), args.name, args.out, parse_params(args.param))
    print(path)
    return 0
