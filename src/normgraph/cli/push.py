"""``normgraph push``: load the graph into a SPARQL 1.1 Graph Store Protocol server."""

from __future__ import annotations

import argparse

from ..layout import locate


def register(subparsers: argparse._SubParsersAction) -> None:
    push = subparsers.add_parser(
        "push",
        help="load the graph into a triple store (SPARQL 1.1 Graph Store Protocol)",
        description="Replace one named graph per release version (default "
        "https://w3id.org/normgraph/release/VERSION/) at a Graph Store Protocol endpoint with the "
        "ontology, vocabularies and data, in one PUT, so readers see the old release or the new one, "
        "never a mixture. Oxigraph: http://HOST:PORT/store; Virtuoso: http://HOST:PORT/sparql-graph-crud; "
        "Fuseki: http://HOST:PORT/DATASET/data.",
    )
    push.add_argument("--endpoint", required=True, metavar="URL", help="the Graph Store Protocol endpoint")
    push.add_argument("--graph", metavar="IRI", help="the named graph to replace (default: the release graph of this version)")
    push.add_argument("--timeout", type=float, default=300.0, metavar="SECONDS", help="give up after this long (default 300)")
    push.set_defaults(handler=run_push)


def run_push(args: argparse.Namespace) -> int:
    from ..errors import UsageError
    from ..remote import push, release_graph
    from ..version import read_versions
    from ..web.store import open_store

    layout = locate(args.root)
    graph = args.graph
    if not graph:
        version = read_versions(layout).version
        if not version:
            raise UsageError("the ontology states no owl:versionInfo: give --graph")
        graph = release_graph(version)
    count = push(open_store(layout), args.endpoint, graph, timeout=args.timeout)
    print(f"pushed {count} triples to <{graph}> at {args.endpoint}")
    return 0
