"""Untrusted queries: what normgraph refuses, what it never fetches, and how it stops a runaway.

Each refusal is checked through the library and through the command line (clear message,
exit status, no traceback). A loopback HTTP server records every request made to it; the
positive controls show that rdflib and Oxigraph *would* contact it if asked directly, so an
empty record after normgraph's runs means normgraph made no request.
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDFS

from normgraph import sparql_check
from normgraph import worker as query_worker
from normgraph.errors import InputError, UsageError
from normgraph.engines import RdflibEngine, make_engine
from normgraph.sparql_check import PreparedQuery, QueryRefused, prepare
from normgraph.worker import QueryFailed, QueryTimeout, execute

from .conftest import ROOT, run_cli

EX = "http://example.org/"


class Recorder:
    """A loopback HTTP server that records every request and answers it with an empty graph
    (paths ending in .ttl) or an empty SPARQL result."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                recorder.requests.append(f"{self.command} {self.path}")
                if self.path.endswith(".ttl"):
                    body, media_type = b"", "text/turtle"
                else:
                    body, media_type = b'{"head":{"vars":[]},"results":{"bindings":[]}}', "application/sparql-results+json"
                self.send_response(200)
                self.send_header("Content-Type", media_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_HEAD = _answer

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Recorder:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    with Recorder() as server:
        yield server


@pytest.fixture(scope="module")
def small_graph() -> Graph:
    graph = Graph()
    for i in range(100):
        graph.add((URIRef(f"{EX}s{i}"), RDFS.label, Literal(f"thing {i}", lang="en")))
    return graph


@pytest.fixture(scope="module", params=["oxigraph", "rdflib"])
def engine(request, small_graph):
    return make_engine(small_graph, request.param)


# --- Refusals -------------------------------------------------------------------------------

UPDATES = [
    ("LOAD <{url}/data.ttl>", "LOAD"),
    ("load <{url}/data.ttl> into graph <{url}/g>", "LOAD"),
    ("PREFIX ex: <http://example.org/>\nINSERT DATA { ex:a ex:b ex:c }", "INSERT"),
    ("DELETE DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }", "DELETE"),
    ("DELETE WHERE { ?s ?p ?o }", "DELETE"),
    ("INSERT { ?s a <http://example.org/C> } WHERE { ?s ?p ?o }", "INSERT"),
    ("WITH <http://example.org/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "WITH"),
    ("CLEAR ALL", "CLEAR"),
    ("DROP SILENT GRAPH <http://example.org/g>", "DROP"),
    ("CREATE GRAPH <http://example.org/g>", "CREATE"),
    ("ADD DEFAULT TO <http://example.org/g>", "ADD"),
    ("MOVE DEFAULT TO <http://example.org/g>", "MOVE"),
    ("COPY DEFAULT TO <http://example.org/g>", "COPY"),
]


@pytest.mark.parametrize(("text", "keyword"), UPDATES)
def test_updates_are_refused(text, keyword):
    with pytest.raises(QueryRefused) as caught:
        prepare(text.replace("{url}", "http://127.0.0.1:9"))
    message = str(caught.value)
    assert f"{keyword} is SPARQL Update" in message
    assert "read-only queries" in message


def test_an_update_after_a_query_is_refused_or_a_syntax_error():
    """A second operation after a query is not SPARQL Query syntax: it never runs."""
    with pytest.raises(InputError) as caught:
        prepare("SELECT * WHERE { ?s ?p ?o } ; LOAD <http://127.0.0.1:9/x>")
    assert "SPARQL syntax error" in str(caught.value)


SERVICES = [
    "SELECT * WHERE { SERVICE <{url}/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE SILENT <{url}/sparql> { ?s ?p ?o } }",
    "select * where { service ?endpoint { ?s ?p ?o } values ?endpoint { <{url}/sparql> } }",
    "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE <{url}/sparql> { ?s ?q ?v } } }",
    "SELECT * WHERE { { SELECT ?s WHERE { SERVICE <{url}/sparql> { ?s ?p ?o } } } }",
    "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE <{url}/sparql> { ?s ?p ?o } } }",
    "SELECT * WHERE { { ?s ?p ?o } UNION { SERVICE <{url}/sparql> { ?s ?p ?o } } }",
    "ASK { ?s ?p ?o MINUS { SERVICE <{url}/sparql> { ?s ?p ?o } } }",
    "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <{url}/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { # a comment\n SERVICE\n<{url}/sparql> { ?s ?p ?o } }",
]


@pytest.mark.parametrize("text", SERVICES)
def test_service_is_refused_wherever_it_appears(text):
    with pytest.raises(QueryRefused) as caught:
        prepare(text.replace("{url}", "http://127.0.0.1:9"))
    assert "SERVICE is not allowed" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "clause"),
    [
        ("SELECT * FROM <http://127.0.0.1:9/g.ttl> WHERE { ?s ?p ?o }", "FROM"),
        ("SELECT * FROM NAMED <http://127.0.0.1:9/g.ttl> WHERE { GRAPH ?g { ?s ?p ?o } }", "FROM NAMED"),
        ("ASK FROM <file:///etc/passwd> { ?s ?p ?o }", "FROM"),
        ("CONSTRUCT { ?s ?p ?o } FROM <http://127.0.0.1:9/g.ttl> WHERE { ?s ?p ?o }", "FROM"),
    ],
)
def test_from_and_from_named_are_refused(text, clause):
    with pytest.raises(QueryRefused) as caught:
        prepare(text)
    assert str(caught.value).endswith(
        f"{clause} is not allowed: queries run over the local graph and never fetch graphs from the web or from files; remove the clause"
    )


@pytest.mark.parametrize(
    "text",
    [
        'SELECT ?s WHERE { ?s ?p "SERVICE <http://127.0.0.1:9/x>" }',
        "SELECT ?s WHERE { ?s <http://example.org/SERVICE> ?o }",
        "# SERVICE <http://127.0.0.1:9/x> in a comment\nSELECT ?s WHERE { ?s ?p ?o }",
        "SELECT ?s WHERE { ?s ?p 'LOAD <x>' }",
    ],
)
def test_the_words_inside_strings_iris_and_comments_are_not_keywords(text, engine):
    execute(engine, prepare(text), timeout=0)


def test_the_token_scan_refuses_service_even_if_the_parse_tree_were_to_miss_it(monkeypatch):
    monkeypatch.setattr(sparql_check, "_walk", lambda _tree: iter(()))
    with pytest.raises(QueryRefused) as caught:
        prepare("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    assert str(caught.value) == "query:1:18: SERVICE is not allowed: normgraph never calls remote SPARQL endpoints"


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["sparql", "LOAD <http://127.0.0.1:9/x>"], "normgraph sparql: error: query:1:1: LOAD is SPARQL Update"),
        (["sparql", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/s> { ?s ?p ?o } }"], "normgraph sparql: error: query:1:18: SERVICE is not allowed"),
        (["sparql", "SELECT * FROM <http://127.0.0.1:9/g> WHERE { ?s ?p ?o }"], "normgraph sparql: error: query:1:10: FROM is not allowed"),
    ],
)
def test_the_command_line_refuses_with_one_clear_line(argv, expected):
    result = run_cli(*argv)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith(expected)
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1


def run_raw(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    """Run the command line and keep its output as bytes (CSV lines end in CRLF)."""
    return subprocess.run([sys.executable, "-m", "normgraph", *args], input=stdin, cwd=ROOT, capture_output=True, timeout=300)


def test_an_update_on_standard_input_is_refused():
    result = run_raw("sparql", "-", stdin=b"PREFIX ex: <http://example.org/>\nDELETE WHERE { ?s ?p ?o }\n")
    assert result.returncode == 2
    assert result.stderr.startswith(b"normgraph sparql: error: query:2:1: DELETE is SPARQL Update")


# --- No outbound request ----------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # rdflib's Dataset warns about itself
def test_positive_control_engines_called_directly_do_contact_the_server(recorder):
    """Without normgraph's checks both engines reach out: the recorder sees it."""
    list(ox.Store().query(f"SELECT * WHERE {{ SERVICE <{recorder.url}/oxigraph> {{ ?s ?p ?o }} }}"))
    list(Dataset().query(f"SELECT * FROM <{recorder.url}/rdflib-from.ttl> WHERE {{ ?s ?p ?o }}"))
    Graph().update(f"LOAD <{recorder.url}/rdflib-load.ttl>")
    paths = " ".join(recorder.requests)
    assert "/oxigraph" in paths
    assert "/rdflib-from.ttl" in paths
    assert "/rdflib-load.ttl" in paths


ATTEMPTS = [
    "SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ SERVICE SILENT <{url}/sparql> {{ ?s ?p ?o }} }}",
    "SELECT * FROM <{url}/from.ttl> WHERE {{ ?s ?p ?o }}",
    "SELECT * FROM NAMED <{url}/named.ttl> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    "LOAD <{url}/load.ttl>",
    "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
]


@pytest.mark.parametrize("template", ATTEMPTS)
def test_no_request_reaches_the_server_through_the_library(template, recorder, engine):
    text = template.format(url=recorder.url)
    with pytest.raises(QueryRefused):
        execute(engine, prepare(text))
    assert recorder.requests == []


@pytest.mark.parametrize("template", ATTEMPTS)
def test_no_request_reaches_the_server_through_the_command_line(template, recorder):
    result = run_cli("sparql", template.format(url=recorder.url))
    assert result.returncode == 2, result.stderr
    assert recorder.requests == []


def test_an_iri_parameter_is_a_term_not_a_location(recorder):
    """A parameter value naming the server is bound as an IRI and never dereferenced."""
    result = run_raw("query", "organisations-endorsing-norm", "--param", f"norm={recorder.url}/norm", "--format", "csv")
    assert result.returncode == 0, result.stderr
    assert result.stdout == b"organisation,stance,context,arena,claim,claimant,source,footnote,quote\r\n"
    assert recorder.requests == []


def test_the_child_process_cannot_open_connections(recorder, small_graph):
    """Defence in depth: even a SERVICE that slipped past the checks cannot connect from the
    child process rdflib evaluates in."""
    text = f"SELECT * WHERE {{ SERVICE <{recorder.url}/sparql> {{ ?s ?p ?o }} }}"
    unchecked = PreparedQuery(text, "SELECT", {}, {}, "unchecked")
    with pytest.raises(QueryFailed) as caught:
        execute(RdflibEngine(small_graph), unchecked, timeout=60)
    assert "network access is disabled while a query runs" in str(caught.value)
    assert recorder.requests == []


# --- Parameters cannot inject SPARQL ----------------------------------------------------------

LABEL_QUERY = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?s WHERE { ?s rdfs:label ?label . FILTER (STR(?label) = ?_name) }"""


def test_a_string_parameter_is_one_literal_whatever_it_contains(engine):
    hostile = 'x") || true || ("'
    prepared = prepare(LABEL_QUERY, {"name": hostile})
    assert prepared.bindings == {"_name": Literal(hostile)}
    assert 'VALUES (?_name) { ("x\\") || true || (\\"") }' in prepared.text
    assert execute(engine, prepared, timeout=0).rows == ()
    found = execute(engine, prepare(LABEL_QUERY, {"name": "thing 7"}), timeout=0)
    assert [row[0].value for row in found.rows] == [f"{EX}s7"]


@pytest.mark.parametrize(
    "value",
    ["http://example.org/a> } ; DROP ALL ; <x", "http://example.org/a b", 'http://example.org/"a', "not-an-iri", "<>"],
)
def test_an_iri_parameter_must_be_an_iri(value):
    text = "SELECT ?o WHERE { ?_thing_iri ?p ?o }"
    with pytest.raises(UsageError) as caught:
        prepare(text, {"thing": value})
    assert str(caught.value).startswith("parameter thing: ")


@pytest.mark.parametrize(
    ("text", "name", "value", "message"),
    [
        ("SELECT ?s WHERE { ?s ?p ?_n_integer }", "n", "12; DROP", "parameter n: '12; DROP' is not a valid xsd:integer"),
        ("SELECT ?s WHERE { ?s ?p ?_day_xsd_date }", "day", "2015-13-45", "parameter day: '2015-13-45' is not a valid xsd:date"),
    ],
)
def test_a_typed_parameter_must_be_valid_for_its_type(text, name, value, message):
    with pytest.raises(UsageError) as caught:
        prepare(text, {name: value})
    assert str(caught.value) == message


# --- Wall-clock limit and row cap -----------------------------------------------------------

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"


def test_a_runaway_query_is_stopped_at_the_wall_clock_limit(engine):
    quick = prepare("ASK { ?s ?p ?o }")
    assert execute(engine, quick, timeout=60).boolean
    worker = query_worker._WORKERS[engine].process
    with pytest.raises(QueryTimeout) as caught:
        execute(engine, prepare(RUNAWAY), timeout=1)
    assert str(caught.value) == (
        "query: stopped after 1 s, the wall-clock limit; narrow the query, "
        "or raise the limit with --timeout or $NORMGRAPH_QUERY_TIMEOUT"
    )
    assert not worker.is_alive()
    assert worker not in multiprocessing.active_children()
    assert execute(engine, quick, timeout=60).boolean  # a fresh worker takes over


@pytest.mark.parametrize("engine_name", ["oxigraph", "rdflib"])
def test_where_fork_is_unavailable_a_spawned_worker_answers_and_is_stopped(engine_name, small_graph, monkeypatch):
    """macOS and Windows spawn the worker: it receives the graph serialised, answers the same,
    and is killed at the limit just the same."""
    monkeypatch.setattr(query_worker, "_context", lambda: multiprocessing.get_context("spawn"))
    engine = make_engine(small_graph, engine_name)
    text = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> SELECT ?s WHERE { ?s rdfs:label 'thing 7'@en }"
    assert [row[0].value for row in execute(engine, prepare(text), timeout=120).rows] == [f"{EX}s7"]
    with pytest.raises(QueryTimeout):
        execute(engine, prepare(RUNAWAY), timeout=1)


def test_the_command_line_stops_a_runaway_query_with_a_clear_message():
    result = run_cli("sparql", RUNAWAY, "--timeout", "1")
    assert result.returncode == 3
    assert result.stdout == ""
    assert result.stderr == (
        "normgraph sparql: error: query: stopped after 1 s, the wall-clock limit; narrow the query, "
        "or raise the limit with --timeout or $NORMGRAPH_QUERY_TIMEOUT\n"
    )


def test_the_wall_clock_limit_is_configurable_from_the_environment():
    env = dict(os.environ, NORMGRAPH_QUERY_TIMEOUT="1")
    result = run_cli("sparql", RUNAWAY, env=env)
    assert result.returncode == 3
    assert "stopped after 1 s" in result.stderr


def test_the_default_limit_is_thirty_seconds(monkeypatch):
    monkeypatch.delenv("NORMGRAPH_QUERY_TIMEOUT", raising=False)
    assert query_worker.default_timeout() == 30.0
    monkeypatch.setenv("NORMGRAPH_QUERY_TIMEOUT", "soon")
    with pytest.raises(UsageError) as caught:
        query_worker.default_timeout()
    assert str(caught.value) == "$NORMGRAPH_QUERY_TIMEOUT must be a number (the wall-clock limit of a query in seconds, 0 for none), not 'soon'"


def test_rows_stop_at_the_cap(engine):
    result = execute(engine, prepare("SELECT ?s WHERE { ?s ?p ?o }"), max_rows=7)
    assert len(result.rows) == 7
    assert result.truncated
    whole = execute(engine, prepare("SELECT ?s WHERE { ?s ?p ?o }"), max_rows=100)
    assert len(whole.rows) == 100
    assert not whole.truncated


def test_constructed_triples_stop_at_the_cap(engine):
    result = execute(engine, prepare("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"), max_rows=5)
    assert len(result.triples) == 5
    assert result.truncated


def test_the_command_line_warns_when_the_cap_cuts_the_result():
    result = run_raw("sparql", "SELECT ?s WHERE { ?s ?p ?o }", "--max-rows", "3", "--format", "csv")
    assert result.returncode == 0
    assert result.stdout.count(b"\r\n") == 4
    assert result.stderr == (
        b"normgraph sparql: warning: the result was cut off after 3 rows; "
        b"raise the cap with --max-rows or $NORMGRAPH_MAX_ROWS\n"
    )


# --- Malformed and oversized input ----------------------------------------------------------


def test_a_syntax_error_names_line_and_column():
    with pytest.raises(InputError) as caught:
        prepare("SELECT ?s\nWHERE {\n  ?s ?p }\n")
    error = caught.value
    assert (error.line, error.column) == (3, 3)
    assert str(error).startswith("query:3:3: SPARQL syntax error at '?s ?p }'")


def test_the_command_line_reports_a_syntax_error_without_a_traceback():
    result = run_cli("sparql", "SELECT ?s WHERE { ?s ?p }")
    assert result.returncode == 2
    assert result.stderr.startswith("normgraph sparql: error: query:1:19: SPARQL syntax error at '?s ?p }'")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { " + "{ " * 3000 + "}" * 3000 + " }",
        "SELECT * WHERE { FILTER (" + "(" * 5000 + "1" + ")" * 5000 + ") }",
    ],
)
def test_deeply_nested_queries_are_refused_cleanly(text):
    with pytest.raises(InputError) as caught:
        prepare(text)
    assert str(caught.value) == "query: the query is nested too deeply to parse safely"


def test_an_oversized_query_is_refused():
    text = "SELECT * WHERE { ?s ?p ?o }" + " " * sparql_check.MAX_QUERY_CHARS
    with pytest.raises(InputError) as caught:
        prepare(text)
    assert "over the limit of 1000000" in str(caught.value)


def test_an_undeclared_prefix_is_an_error_on_every_engine():
    """rdflib knows prefixes such as brick: silently; Oxigraph does not. Refuse them up front."""
    with pytest.raises(InputError) as caught:
        prepare("SELECT ?s WHERE { ?s a brick:Sensor }")
    assert str(caught.value) == "query:1:24: prefix 'brick:' is not declared: add PREFIX brick: <...>"
