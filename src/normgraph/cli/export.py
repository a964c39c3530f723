"""``normgraph export``: the membership network (CSV edge list, GraphML) and the state-year panel
with its codebook, for network and panel analysis tools (see :mod:`normgraph.exports`)."""

from __future__ import annotations

import argparse

from ..layout import locate


def register(subparsers: argparse._SubParsersAction) -> None:
    export = subparsers.add_parser(
        "export",
        help="write the membership network (edges CSV, GraphML) or the state-year panel (CSV + codebook)",
        description="Write an export for other tools. edges: one CSV row per membership (member, "
        "organisation, role, dates as stated, claims, sources, with labels). graphml: the same "
        "network as GraphML for networkx, Gephi, igraph. panel: one row per state-year, one column "
        "per organisation, in the layout of the Correlates of War IGO data (1 full member, 2 "
        "observer/partner, 0 no membership, -9 not stated), with a Markdown codebook written beside "
        "it as FILE-stem.codebook.md. Only what the claims state is filled in.",
    )
    export.add_argument("name", metavar="NAME", choices=("edges", "graphml", "panel"), help="edges, graphml or panel")
    export.add_argument("--out", required=True, metavar="FILE", help="the file to write (.csv for edges and panel, .graphml)")
    export.set_defaults(handler=run_export)


def run_export(args: argparse.Namespace) -> int:
    from ..exports import export
    from ..load import load_parts

    for path in export(load_parts(locate(args.root)).union(), args.name, args.out):
        print(path)
    return 0
