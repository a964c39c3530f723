"""Round trip through real triple stores: push the release, then every stored query must answer
remotely as it does embedded. The stores are started by ``.ci/integration``, which passes their
base URLs in $NORMGRAPH_OXIGRAPH and $NORMGRAPH_VIRTUOSO."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from normgraph.engines import comparable_result, make_engine
from normgraph.query import stored_queries
from normgraph.worker import execute
from normgraph.remote import RemoteError, release_graph, remote_query
from normgraph.version import read_versions

pytestmark = pytest.mark.integration

#: Each store's query and Graph Store Protocol endpoints, relative to its base URL.
STORES = {
    "oxigraph": ("NORMGRAPH_OXIGRAPH", "/query", "/store"),
    "virtuoso": ("NORMGRAPH_VIRTUOSO", "/sparql", "/sparql-graph-crud"),
}


@pytest.fixture(scope="module", params=sorted(STORES))
def store(request, layout) -> tuple[str, str, str]:
    variable, query_path, store_path = STORES[request.param]
    base = os.environ.get(variable)
    if not base:
        pytest.fail(f"${variable} is not set: run the integration tests through .ci/integration")
    pushed = subprocess.run(
        [sys.executable, "-m", "normgraph", "--root", str(layout.root), "push", "--endpoint", base + store_path],
        capture_output=True,
        text=True,
        timeout=600,
    )
    graph = release_graph(read_versions(layout).version)
    assert pushed.returncode == 0, pushed.stderr
    assert pushed.stdout.startswith("pushed ") and f"<{graph}>" in pushed.stdout
    return base + query_path, graph, request.param


@pytest.fixture(scope="module")
def engine(graph):
    return make_engine(graph)


#: Stored queries a store is known to answer wrongly, with the reason. Virtuoso 7.2 drops rows
#: when several solutions reach the same end of a ``*`` path (here several memberships reaching
#: mrole:member through skos:broader*), so it under-counts members; the formulations that avoid
#: this in Virtuoso (joining on STR() of the role) are mis-evaluated by rdflib inside OPTIONAL.
KNOWN_WRONG = {"virtuoso": {"organisations-by-kind"}}


def test_every_stored_query_answers_remotely_as_embedded(store, engine, layout):
    """No store may answer a stored query differently: the queries are written in SPARQL that
    Oxigraph and Virtuoso Open Source 7.2 (Debian's build) both evaluate as rdflib does, except
    the one query listed in :data:`KNOWN_WRONG`, which must still differ (so the list stays true)."""
    endpoint, graph, name = store
    differing = {}
    for stored in stored_queries(layout):
        query = stored.prepare()
        embedded = execute(engine, query)
        try:
            remote = remote_query(endpoint, query, graph=graph, timeout=120)
        except RemoteError as exc:
            differing[stored.name] = str(exc)[:200]
            continue
        if comparable_result(remote) != comparable_result(embedded):
            differing[stored.name] = f"{len(remote.rows) or len(remote.triples)} rows remote, {len(embedded.rows) or len(embedded.triples)} embedded"
    assert set(differing) == KNOWN_WRONG.get(name, set()), f"{name} answers these stored queries differently: {differing}"


def test_pushing_again_replaces_the_release_graph(store, layout):
    endpoint, graph, _name = store
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    from normgraph.sparql_check import prepare

    before = remote_query(endpoint, prepare(count, prefixes={}), graph=graph).rows[0][0].value
    base = endpoint.rsplit("/", 1)[0]
    store_path = next(path for _, query_path, path in STORES.values() if endpoint.endswith(query_path))
    again = subprocess.run([sys.executable, "-m", "normgraph", "push", "--endpoint", base + store_path], capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    after = remote_query(endpoint, prepare(count, prefixes={}), graph=graph).rows[0][0].value
    assert int(after) == int(before) == int(again.stdout.split()[1])


def test_the_cli_queries_a_remote_endpoint(store):
    endpoint, graph, _name = store
    result = subprocess.run(
        [sys.executable, "-m", "normgraph", "query", "state-membership-history", "--param", "state=state:KAZ",
         "--endpoint", endpoint, "--graph", graph, "--format", "csv"],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "organisation,role,start,end,note,claim,source"
    assert "https://w3id.org/normgraph/id/org/csto" in result.stdout
