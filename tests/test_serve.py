"""``normgraph serve`` over real HTTP: the SPARQL 1.1 Protocol, its limits, linked-data pages and
the stored-query API, checked with httpx, SPARQLWrapper and rdflib against a live server."""

from __future__ import annotations

import csv
import io
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS

from normgraph.engines import comparable_result, make_engine
from normgraph.query import find_query
from normgraph.worker import execute

from .serving import ROOT, free_port, running_server, wait_for

SCO = "https://w3id.org/normgraph/id/org/sco"
SCO_NAME = "Shanghai Cooperation Organisation"
NAME_OF_SCO = f"SELECT ?name WHERE {{ <{SCO}> skos:prefLabel ?name }}"
#: Joins every triple with every other twice: far longer than the test server's time limit.
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f }"
TIME_LIMIT = 4


@pytest.fixture(scope="module")
def server() -> str:
    with running_server("--timeout", str(TIME_LIMIT), "--max-rows", "50", "--workers", "3") as url:
        yield url


def sparql(server: str, query: str, accept: str = "application/sparql-results+json") -> httpx.Response:
    return httpx.get(f"{server}/sparql", params={"query": query}, headers={"Accept": accept}, timeout=60)


# --- the protocol --------------------------------------------------------------------------


def test_get_post_form_and_post_query_give_the_same_answer(server):
    by_get = sparql(server, NAME_OF_SCO)
    by_form = httpx.post(f"{server}/sparql", data={"query": NAME_OF_SCO}, headers={"Accept": "application/sparql-results+json"})
    by_body = httpx.post(
        f"{server}/sparql",
        content=NAME_OF_SCO.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
    )
    for response in (by_get, by_form, by_body):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/sparql-results+json")
        assert response.json()["results"]["bindings"] == [{"name": {"type": "literal", "value": SCO_NAME, "xml:lang": "en"}}]


def test_variables_that_look_like_parameters_are_plain_variables(server):
    response = sparql(server, f"SELECT ?_name WHERE {{ <{SCO}> skos:prefLabel ?_name }}")
    assert response.status_code == 200
    assert response.json()["results"]["bindings"] == [{"_name": {"type": "literal", "value": SCO_NAME, "xml:lang": "en"}}]


def test_select_results_in_every_format(server):
    csv_rows = list(csv.reader(io.StringIO(sparql(server, NAME_OF_SCO, "text/csv").text)))
    assert csv_rows == [["name"], [SCO_NAME]]
    assert sparql(server, NAME_OF_SCO, "text/tab-separated-values").text == f'?name\n"{SCO_NAME}"@en\n'
    xml = sparql(server, NAME_OF_SCO, "application/sparql-results+xml")
    assert xml.headers["content-type"].startswith("application/sparql-results+xml")
    assert f'<binding name="name"><literal xml:lang="en">{SCO_NAME}</literal></binding>' in xml.text


def test_graph_results_in_turtle_n_triples_and_json_ld(server):
    query = f"CONSTRUCT {{ <{SCO}> skos:prefLabel ?name }} WHERE {{ <{SCO}> skos:prefLabel ?name }}"
    expected = (URIRef(SCO), SKOS.prefLabel, Literal(SCO_NAME, lang="en"))
    for media, fmt in (("text/turtle", "turtle"), ("application/n-triples", "nt"), ("application/ld+json", "json-ld")):
        response = sparql(server, query, media)
        assert response.status_code == 200 and response.headers["content-type"].startswith(media)
        assert set(Graph().parse(data=response.text, format=fmt)) == {expected}


def test_browsers_on_other_origins_may_query(server):
    response = httpx.get(f"{server}/sparql", params={"query": NAME_OF_SCO}, headers={"Origin": "https://notebook.example"})
    assert response.headers["access-control-allow-origin"] == "*"


def test_an_unacceptable_format_is_406(server):
    assert sparql(server, "ASK { ?s ?p ?o }", "text/csv").status_code == 406


def test_a_malformed_query_is_400_with_line_and_column(server):
    response = sparql(server, "SELECT ?x\nWHERE { ?x ?y }")
    assert response.status_code == 400
    assert response.text.startswith("query:2:")
    assert "SPARQL syntax error" in response.text


class Listener:
    """A TCP listener that counts connections: proof that a refused query called nothing."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen()
        self.socket.settimeout(0.2)
        self.connections = 0
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}/"
        self._stop = False
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                continue
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self._stop = True
        self._thread.join()
        self.socket.close()


@pytest.mark.parametrize(
    "template, word",
    [
        ("SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}", "SERVICE"),
        ("SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}", "FROM"),
        ("SELECT * FROM NAMED <{url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", "FROM NAMED"),
        ("LOAD <{url}>", "LOAD"),
        ("INSERT DATA {{ <{url}> <{url}> <{url}> }}", "INSERT"),
    ],
)
def test_remote_calls_and_updates_are_refused_without_any_request(server, template, word):
    listener = Listener()
    try:
        response = sparql(server, template.format(url=listener.url))
        time.sleep(0.3)
        assert response.status_code == 403
        assert word in response.text
        assert listener.connections == 0
    finally:
        listener.close()


def test_dataset_parameters_are_refused(server):
    response = httpx.get(f"{server}/sparql", params={"query": NAME_OF_SCO, "default-graph-uri": "http://example.org/g"})
    assert response.status_code == 400
    assert response.text.startswith("default-graph-uri is not supported")


def test_updates_by_the_update_protocol_are_refused(server):
    by_body = httpx.post(f"{server}/sparql", content=b"CLEAR ALL", headers={"Content-Type": "application/sparql-update"})
    by_form = httpx.post(f"{server}/sparql", data={"update": "CLEAR ALL"})
    assert by_body.status_code == by_form.status_code == 403


def test_the_row_cap_is_stated_in_a_header(server):
    response = sparql(server, "SELECT ?s WHERE { ?s ?p ?o }")
    assert response.status_code == 200
    assert len(response.json()["results"]["bindings"]) == 50
    assert response.headers["x-normgraph-truncated"] == "cut off after 50 rows by the row cap of 50"
    assert "x-normgraph-truncated" not in sparql(server, NAME_OF_SCO).headers


def test_a_slow_query_is_stopped_and_does_not_block_others(server):
    slow: dict[str, httpx.Response] = {}
    thread = threading.Thread(target=lambda: slow.setdefault("response", sparql(server, SLOW)))
    started = time.monotonic()
    thread.start()
    time.sleep(0.5)
    fast_started = time.monotonic()
    fast = sparql(server, NAME_OF_SCO)
    fast_took = time.monotonic() - fast_started
    thread.join()
    assert fast.status_code == 200 and fast_took < 2.0
    response = slow["response"]
    assert response.status_code == 503
    assert response.headers["x-normgraph-time-limit"] == str(TIME_LIMIT)
    assert f"stopped after {TIME_LIMIT} s" in response.text
    assert TIME_LIMIT <= time.monotonic() - started < TIME_LIMIT + 10
    assert sparql(server, NAME_OF_SCO).status_code == 200  # the stopped worker was replaced


def test_the_service_description_is_served_without_a_query(server):
    response = httpx.get(f"{server}/sparql", headers={"Accept": "text/turtle"})
    description = Graph().parse(data=response.text, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert (URIRef(f"{server}/sparql"), URIRef(sd + "endpoint"), URIRef(f"{server}/sparql")) in description
    assert (URIRef(f"{server}/sparql"), URIRef(sd + "supportedLanguage"), URIRef(sd + "SPARQL11Query")) in description


def test_sparqlwrapper_reads_every_result_format(server):
    from SPARQLWrapper import CSV, JSON, TSV, XML, SPARQLWrapper

    client = SPARQLWrapper(f"{server}/sparql")
    client.setQuery("PREFIX skos: <http://www.w3.org/2004/02/skos/core#> " + NAME_OF_SCO)
    client.setReturnFormat(JSON)
    assert client.queryAndConvert()["results"]["bindings"][0]["name"]["value"] == SCO_NAME
    client.setReturnFormat(XML)
    assert client.queryAndConvert().getElementsByTagName("literal")[0].firstChild.data == SCO_NAME
    client.setReturnFormat(CSV)
    assert client.queryAndConvert().decode().splitlines() == ["name", SCO_NAME]
    client.setReturnFormat(TSV)
    assert client.queryAndConvert().decode().splitlines() == ["?name", f'"{SCO_NAME}"@en']
    client.setMethod("POST")
    client.setReturnFormat(JSON)
    assert client.queryAndConvert()["results"]["bindings"][0]["name"]["value"] == SCO_NAME


# --- linked data ---------------------------------------------------------------------------


def test_an_entity_dereferences_as_rdf_by_accept(server):
    for media, fmt in (("text/turtle", "turtle"), ("application/n-triples", "nt"), ("application/ld+json", "json-ld")):
        response = httpx.get(f"{server}/id/org/sco", headers={"Accept": media})
        assert response.status_code == 200 and response.headers["content-type"].startswith(media)
        graph = Graph().parse(data=response.text, format=fmt)
        assert (URIRef(SCO), SKOS.prefLabel, Literal(SCO_NAME, lang="en")) in graph
        member = URIRef("https://w3id.org/normgraph/id/membership/sco-IND-member-2017")
        assert (member, URIRef("http://www.w3.org/ns/org#organization"), URIRef(SCO)) in graph  # incoming links too


def test_the_entity_page_shows_facts_with_their_claims(server):
    response = httpx.get(f"{server}/id/org/sco", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = response.text
    assert f"<h1>{SCO_NAME}</h1>" in page
    for section in ('id="memberships"', 'id="stances-on-norms"', 'id="events"'):
        assert section in page
    assert '<a class="node" href="/id/membership/sco-IND-member-2017">' in page
    assert "“both Pakistan and India were admitted as members in 2017”" in page
    assert "date not stated" in page  # e.g. Afghanistan's observer status
    assert 'href="/id/state/IND"' in page
    assert 'href="/id/source/chatterje-doody-2015"' in page


def test_a_claim_page_shows_its_claimant_source_and_quote(server):
    page = httpx.get(f"{server}/id/claim/mse-4968-pakistan-india-members-2017", headers={"Accept": "text/html"}).text
    assert "<h2>The claim and its evidence</h2>" in page
    assert "“both Pakistan and India were admitted as members in 2017” <span class=\"note\">characters 4968–5024</span>" in page
    assert 'href="/id/source/multilateral-security-excerpt"' in page
    assert 'href="/id/membership/sco-PAK-member-2017"' in page


def test_unknown_iris_are_404(server):
    assert httpx.get(f"{server}/id/org/no-such-organisation", headers={"Accept": "text/turtle"}).status_code == 404
    assert httpx.get(f"{server}/id/org/no-such-organisation", headers={"Accept": "text/html"}).status_code == 404


def test_vocabulary_and_ontology_terms_dereference(server):
    concept = httpx.get(f"{server}/vocab/norm/sovereignty", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=concept.text, format="turtle")
    assert (URIRef("https://w3id.org/normgraph/vocab/norm/sovereignty"), SKOS.prefLabel, None) in graph
    ontology = httpx.get(f"{server}/ontology", headers={"Accept": "text/turtle"})
    terms = Graph().parse(data=ontology.text, format="turtle")
    assert (URIRef("https://w3id.org/normgraph/ontology#Claim"), None, None) in terms
    page = httpx.get(f"{server}/ontology", headers={"Accept": "text/html"}).text
    assert 'id="Claim"' in page


# --- the stored-query API ------------------------------------------------------------------


def test_a_stored_query_answers_as_the_library_does(server, layout, graph):
    stored = find_query(layout, "state-membership-history")
    embedded = execute(make_engine(graph), stored.prepare({"state": "state:KAZ"}))
    response = httpx.get(f"{server}/api/state-membership-history", params={"state": "state:KAZ"}, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200
    from normgraph.remote import result_from_json

    assert comparable_result(result_from_json(response.json())) == comparable_result(embedded)
    assert len(embedded.rows) > 0


def test_a_bad_api_parameter_is_400(server):
    response = httpx.get(f"{server}/api/state-membership-history", params={"state": "not an iri"})
    assert response.status_code == 400 and "parameter state" in response.text
    assert httpx.get(f"{server}/api/no-such-query").status_code == 404


def test_openapi_describes_every_stored_query_and_its_parameters(server, layout):
    from normgraph.query import stored_queries

    document = httpx.get(f"{server}/api/openapi.json").json()
    queries = stored_queries(layout)
    assert set(document["paths"]) == {f"/api/{q.name}" for q in queries}
    history = document["paths"]["/api/state-membership-history"]["get"]
    assert [(p["name"], p["in"], p["required"]) for p in history["parameters"]] == [("state", "query", False)]


def test_the_landing_page_lists_counts_sources_organisations_and_query_forms(server):
    page = httpx.get(f"{server}/", headers={"Accept": "text/html"}).text
    assert '<a href="/id/org/sco" title="https://w3id.org/normgraph/id/org/sco">Shanghai Cooperation Organisation</a>' in page
    assert 'href="/id/source/chatterje-doody-2015"' in page
    assert '<form class="query" method="get" action="/api/state-membership-history"' in page
    assert '<input name="state" placeholder="IRI" value="state:IND">' in page


# --- another base IRI, and hostile text ------------------------------------------------------

HOSTILE = """@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix ng: <https://w3id.org/normgraph/ontology#> .
<https://example.org/graph/id/org/hostile> a ng:Forum ;
    skos:prefLabel "<script>alert('x')</script> & Co"@en ;
    ng:hasPredecessor <https://w3id.org/normgraph/id/org/sco> .
"""


def test_a_deployment_under_another_base_iri_escapes_what_it_shows(tree):
    (tree / "data" / "hostile.ttl").write_text(HOSTILE, encoding="utf-8")
    with running_server("--base-iri", "https://example.org/graph/", root=tree) as url:
        page = httpx.get(f"{url}/id/org/hostile", headers={"Accept": "text/html"})
        assert page.status_code == 200
        assert "<h1>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Co</h1>" in page.text
        assert "<script>alert" not in page.text
        # An IRI outside the base is a link to itself, not to a local path.
        assert 'href="https://w3id.org/normgraph/id/org/sco"' in page.text
        rdf = httpx.get(f"{url}/id/org/hostile", headers={"Accept": "application/n-triples"})
        assert "<https://example.org/graph/id/org/hostile> <http://www.w3.org/2004/02/skos/core#prefLabel>" in rdf.text
        assert httpx.get(f"{url}/id/org/sco", headers={"Accept": "text/turtle"}).status_code == 404


def test_serve_refuses_bad_options():
    from .conftest import run_cli

    result = run_cli("serve", "--workers", "0")
    assert result.returncode == 2
    assert result.stderr.strip() == "normgraph serve: error: --workers must be at least 1"
    result = run_cli("serve", "--base-iri", "https://example.org/no-slash", "--port", "0")
    assert result.returncode == 2
    assert result.stderr.strip() == "normgraph serve: error: the base IRI must be an absolute IRI ending with '/': 'https://example.org/no-slash'"


def test_the_cli_runs_stored_and_ad_hoc_queries_at_a_served_endpoint(server):
    from .conftest import run_cli

    local = run_cli("query", "state-membership-history", "--param", "state=state:KAZ", "--format", "csv", "--no-labels")
    remote = run_cli("query", "state-membership-history", "--param", "state=state:KAZ", "--format", "csv", "--no-labels", "--endpoint", f"{server}/sparql")
    assert remote.returncode == 0, remote.stderr
    assert sorted(remote.stdout.splitlines()) == sorted(local.stdout.splitlines())
    adhoc = run_cli("sparql", f"ASK {{ <{SCO}> skos:prefLabel ?name }}", "--endpoint", f"{server}/sparql", "--format", "json")
    assert adhoc.returncode == 0 and '"boolean": true' in adhoc.stdout
    refused = run_cli("sparql", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", "--endpoint", f"{server}/sparql")
    assert refused.returncode == 2 and "SERVICE is not allowed" in refused.stderr  # refused before sending


def test_answers_that_depend_on_accept_say_so_for_caches(server):
    """Regression: the same URL answers HTML or RDF by Accept, but only ``Vary: Origin`` was sent."""
    for path in ("/sparql?query=ASK%7B%7D", "/id/org/sco", "/"):
        answer = httpx.get(server + path, headers={"Accept": "text/turtle" if path.startswith("/id/") else "*/*"}, timeout=30)
        vary = {part.strip().lower() for part in answer.headers.get("vary", "").split(",")}
        assert "accept" in vary, (path, answer.headers.get("vary"))


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name (state, parent, ...); None once gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def _children(pid: int) -> set[int]:
    """The processes whose parent is ``pid``."""
    return {int(path.name) for path in Path("/proc").glob("[0-9]*") if (_stat(int(path.name)) or ["", ""])[1] == str(pid)}


def _running(pid: int) -> bool:
    """Whether ``pid`` still runs (an ended process waiting to be reaped does not)."""
    fields = _stat(pid)
    return fields is not None and fields[0] not in ("Z", "X")


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process table from /proc")
def test_sigterm_stops_the_server_and_every_worker():
    """Regression: a server stopped with SIGTERM left its query workers running, without a parent."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "normgraph", "serve", "--port", str(port), "--workers", "2"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/sparql", process)
        workers = _children(process.pid)
        assert len(workers) >= 2
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_running(pid) for pid in workers):
            time.sleep(0.2)
        assert not [pid for pid in workers if _running(pid)]
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
