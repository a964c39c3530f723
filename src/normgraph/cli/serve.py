"""``normgraph serve``: the graph over HTTP, read-only (SPARQL endpoint, entity pages, query UI)."""

from __future__ import annotations

import argparse

from ..layout import locate


def register(subparsers: argparse._SubParsersAction) -> None:
    serve = subparsers.add_parser(
        "serve",
        help="serve the graph: SPARQL endpoint, linked-data pages, query UI and API",
        description="Serve the graph read-only over HTTP: a SPARQL 1.1 Protocol endpoint at /sparql, "
        "every entity IRI under the base IRI as a page or as Turtle/N-Triples/JSON-LD, a landing page "
        "with the stored queries, a SPARQL editor at /editor, and the stored queries as a web API "
        "(/api/NAME, described at /api/openapi.json).",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000; 0 picks a free one)")
    serve.add_argument(
        "--base-iri",
        default="https://w3id.org/normgraph/",
        metavar="IRI",
        help="the IRI the server's root path stands for: /id/org/sco serves BASE/id/org/sco (default https://w3id.org/normgraph/)",
    )
    serve.add_argument("--timeout", type=float, metavar="SECONDS", help="per-query time limit (default 30, or $NORMGRAPH_QUERY_TIMEOUT)")
    serve.add_argument("--max-rows", type=int, metavar="N", help="row cap per query (default 10000, or $NORMGRAPH_MAX_ROWS)")
    serve.add_argument("--workers", type=int, default=4, metavar="N", help="queries answered at once, each in its own process (default 4)")
    serve.set_defaults(handler=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    from ..errors import UsageError

    if args.workers < 1:
        raise UsageError("--workers must be at least 1")
    if args.max_rows is not None and args.max_rows < 1:
        raise UsageError("--max-rows must be at least 1")
    if args.timeout is not None and args.timeout < 0:
        raise UsageError("--timeout must not be negative")
    import uvicorn

    from ..web.app import create_app

    app = create_app(locate(args.root), base_iri=args.base_iri, timeout=args.timeout, max_rows=args.max_rows, workers=args.workers)
    uvicorn.run(app, host=args.host, port=args.port, log_level="info", access_log=False)
    return 0
