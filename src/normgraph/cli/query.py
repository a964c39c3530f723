"""``normgraph queries``, ``normgraph query`` and ``normgraph sparql``: ask the graph questions.

``queries`` lists the stored questions; ``query NAME`` answers one (``query --file Q.rq`` any
query file); ``sparql 'SELECT ...'`` an ad-hoc query. All three go through
:mod:`normgraph.query`: updates, SERVICE and FROM are refused (:mod:`normgraph.sparql_check`),
a wall-clock limit and a row cap apply (:mod:`normgraph.worker`), and :mod:`normgraph.results`
writes the answer: a table with labels, W3C CSV/TSV/JSON, or Turtle, N-Triples or JSON-LD for
graphs. An ASK answer is also the exit status: 0 for yes, 1 for
no, so scripts can test it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from typing import TYPE_CHECKING

from ..errors import UsageError
from ..layout import locate
from ..query_options import DATED_ONLY_PARAMETER, DEFAULT_ENGINE, ENGINES, RESULT_FORMATS

if TYPE_CHECKING:  # the query library loads rdflib's SPARQL and Oxigraph: only when a query runs
    from ..engines import Engine
    from ..sparql_check import PreparedQuery


def register(subparsers: argparse._SubParsersAction) -> None:
    listing = subparsers.add_parser(
        "queries",
        help="list the stored queries with their summaries and parameters",
        description="List the stored queries (queries/*.rq): name, summary, and the parameters each "
        "takes with their defaults. Run one with 'normgraph query NAME'.",
    )
    listing.add_argument("--tag", help="only queries with this tag")
    listing.set_defaults(handler=run_list)

    query = subparsers.add_parser(
        "query",
        help="run a stored query by name, or a query file",
        description="Run a stored query (see 'normgraph queries') or, with --file, any SPARQL query "
        "file. Parameters are given as --param name=value; IRIs as full IRIs or prefixed names "
        "(norm:sovereignty). SELECT results print as a table with labels beside IRIs, one row per "
        "fact with its claims summarised, or as W3C SPARQL 1.1 CSV, TSV (each with a label column "
        "beside every IRI column) or JSON; CONSTRUCT and DESCRIBE results as Turtle, N-Triples or "
        "JSON-LD. Queries bounded by a date also list facts whose date the texts do not state, "
        "marked 'date not stated', unless --dated-only is given. Exit status: 0 on success (an ASK "
        "answered yes), 1 when an ASK is answered no, 2 for unusable input, 3 on timeout.",
    )
    target = query.add_mutually_exclusive_group(required=True)
    target.add_argument("name", nargs="?", metavar="NAME", help="the stored query to run")
    target.add_argument("--file", metavar="Q.rq", help="run this query file instead")
    _run_options(query)
    query.set_defaults(handler=run_query_command)

    sparql = subparsers.add_parser(
        "sparql",
        help="run an ad-hoc SPARQL query ('-' reads it from standard input)",
        description="Run a SPARQL 1.1 query given on the command line ('-' reads it from standard "
        "input) over ontology, vocabularies and data. normgraph's prefixes (ng:, org:, skos:, "
        "norm:, state: ...) are predeclared. Updates, SERVICE and FROM are refused. Exit status: 0 "
        "on success (an ASK answered yes), 1 when an ASK is answered no, 2 for unusable input.",
    )
    sparql.add_argument("text", metavar="QUERY", help="the query text, or '-' for standard input")
    _run_options(sparql)
    sparql.set_defaults(handler=run_sparql_command)


def _run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--param", action="append", default=[], metavar="NAME=VALUE", help="a value for a query parameter (repeatable)"
    )
    parser.add_argument(
        "--format",
        choices=RESULT_FORMATS,
        help="for SELECT and ASK: table (default), csv, tsv, json (W3C SPARQL 1.1 result formats); "
        "for CONSTRUCT and DESCRIBE: turtle (default), ntriples, jsonld",
    )
    parser.add_argument(
        "--width", type=int, metavar="N", help="table width in characters (default: the terminal's width, else 100)"
    )
    parser.add_argument(
        "--claims", action="store_true", help="table: one row per supporting claim instead of one row per fact"
    )
    parser.add_argument(
        "--no-labels", action="store_true", help="csv, tsv: only the query's own columns, no <name>Label columns"
    )
    parser.add_argument(
        "--dated-only",
        action="store_true",
        help="queries bounded by a date: leave out facts whose date the texts do not state",
    )
    parser.add_argument("--engine", choices=ENGINES, default=DEFAULT_ENGINE, help=f"SPARQL engine (default {DEFAULT_ENGINE})")
    parser.add_argument(
        "--timeout", type=float, metavar="SECONDS", help="stop the query after this long (default 30, or $NORMGRAPH_QUERY_TIMEOUT; 0 for no limit)"
    )
    parser.add_argument(
        "--max-rows", type=int, metavar="N", help="return at most N rows or triples (default 10000, or $NORMGRAPH_MAX_ROWS)"
    )
    parser.add_argument(
        "--endpoint", metavar="URL", help="run the query at this SPARQL 1.1 endpoint instead of on the local graph"
    )
    parser.add_argument(
        "--graph", metavar="IRI", help="with --endpoint: query this named graph as the default graph (e.g. a pushed release)"
    )


def parse_params(pairs: list[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in pairs:
        name, equals, value = pair.partition("=")
        if not equals or not name.strip():
            raise UsageError(f"--param {pair!r}: write --param name=value")
        if name.strip() in params:
            raise UsageError(f"--param {name.strip()!r} is given twice")
        params[name.strip()] = value
    return params


def _engine(args: argparse.Namespace) -> Engine:
    """Oxigraph over the tree's store on disk (parsed once, reopened while the files are
    unchanged; in memory where the cache folder cannot be written); rdflib over a fresh parse."""
    from ..engines import OxigraphEngine, make_engine
    from ..load import load_parts

    layout = locate(args.root)
    if args.engine == "oxigraph":
        from ..store import tree_store

        try:
            return OxigraphEngine.on_disk(tree_store(layout))
        except OSError:
            pass
    return make_engine(load_parts(layout).union(), args.engine)


def _width(args: argparse.Namespace) -> int:
    """--width, else the terminal's width ($COLUMNS counts), else the default for files."""
    if args.width is not None:
        return args.width
    import shutil

    from ..query_options import DEFAULT_TABLE_WIDTH

    return shutil.get_terminal_size((DEFAULT_TABLE_WIDTH, 24)).columns


def _run(args: argparse.Namespace, query: PreparedQuery) -> int:
    if args.timeout is not None and args.timeout < 0:
        raise UsageError("--timeout must not be negative")
    if args.max_rows is not None and args.max_rows < 1:
        raise UsageError("--max-rows must be at least 1")
    from ..worker import execute
    from ..results import render, vet_format

    vet_format(query.form, args.format)
    if args.endpoint:
        from ..bounds import MAX_ROWS, QUERY_TIMEOUT
        from ..remote import remote_query

        timeout = QUERY_TIMEOUT.value() if args.timeout is None else args.timeout
        max_rows = MAX_ROWS.value() if args.max_rows is None else args.max_rows
        result = remote_query(args.endpoint, query, graph=args.graph, timeout=timeout, max_rows=max_rows)
        sys.stdout.write(render(result, args.format, None, width=_width(args), claims=args.claims))
    else:
        if args.graph:
            raise UsageError("--graph applies to remote queries: give --endpoint too")
        engine = _engine(args)
        result = execute(engine, query, timeout=args.timeout, max_rows=args.max_rows)
        labelled_by = None if args.no_labels else engine
        if args.format in (None, "table"):
            labelled_by = engine
        sys.stdout.write(render(result, args.format, labelled_by, width=_width(args), claims=args.claims))
    if result.truncated:
        shown = len(result.rows) or len(result.triples)
        print(
            f"normgraph {args.command}: warning: the result was cut off after {shown} rows; "
            "raise the cap with --max-rows or $NORMGRAPH_MAX_ROWS",
            file=sys.stderr,
        )
    return 1 if result.form == "ASK" and not result.boolean else 0


def run_list(args: argparse.Namespace) -> int:
    from ..query import stored_queries

    queries = [q for q in stored_queries(locate(args.root)) if args.tag is None or args.tag in q.header.tags]
    if not queries:
        print("no stored queries" + (f" tagged {args.tag!r}" if args.tag else ""))
        return 0
    width = max(len(q.name) for q in queries)
    for stored in queries:
        print(f"{stored.name:<{width}}  {stored.summary}")
        for parameter in stored.parameters:
            print(f"{'':<{width}}    --param {parameter.describe()}")
    return 0


def run_query_command(args: argparse.Namespace) -> int:
    from ..namespaces import PREFIXES
    from ..query import find_query, read_query_file
    from ..sparql_check import prepare

    params = parse_params(args.param)
    if args.dated_only:
        params[DATED_ONLY_PARAMETER] = "true"
    if args.file:
        path = Path(args.file)
        if not path.is_file():
            raise UsageError(f"no such query file: {path}")
        query = prepare(read_query_file(path), params, origin=str(path), prefixes=PREFIXES)
    else:
        stored = find_query(locate(args.root), args.name)
        if args.dated_only and DATED_ONLY_PARAMETER not in {p.name for p in stored.parameters}:
            raise UsageError(f"--dated-only: {stored.name} is not bounded by a date (it has no {DATED_ONLY_PARAMETER} parameter)")
        query = stored.prepare(params)
    return _run(args, query)


def run_sparql_command(args: argparse.Namespace) -> int:
    from ..namespaces import PREFIXES
    from ..sparql_check import prepare

    text = sys.stdin.read() if args.text == "-" else args.text
    if not text.strip():
        raise UsageError("the query is empty")
    if args.dated_only:
        raise UsageError("--dated-only applies to stored queries bounded by a date, not to ad-hoc queries")
    return _run(args, prepare(text, parse_params(args.param), origin="query", prefixes=PREFIXES))
