"""normgraph against other SPARQL servers: push a release, and run queries remotely.

``push`` loads the graph into a SPARQL 1.1 Graph Store Protocol server as one named graph per
release version (``https://w3id.org/normgraph/release/VERSION/``), replaced atomically by a
single ``PUT`` of the whole graph, which the protocol defines as replacing the graph's content.
``remote_query`` sends a checked and bound query (the same text the embedded engines run) to a
SPARQL 1.1 Protocol endpoint and reads the answer back into a :class:`QueryResult`, so results
print, compare and cap exactly as embedded ones do.

httpx is the one HTTP client for both: SPARQLWrapper speaks only the query protocol (no Graph
Store Protocol), and httpx gives explicit timeouts and never follows redirects unless asked.
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx
import pyoxigraph as ox

from .engines import QueryResult
from .errors import NormgraphError
from .sparql_check import PreparedQuery
from .terms import Term, from_oxigraph
from .web.protocol import N_TRIPLES, SPARQL_JSON

_XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"


class RemoteError(NormgraphError):
    """The remote server could not be reached or refused the request."""

    exit_code = 1


def release_graph(version: str) -> str:
    """The named graph a release is pushed to."""
    from .void import RELEASE_URL

    return RELEASE_URL.format(version=version)


def _term(value: Mapping[str, str]) -> Term:
    kind = value["type"]
    if kind == "uri":
        return Term("iri", value["value"])
    if kind == "bnode":
        return Term("bnode", value["value"])
    datatype = value.get("datatype")
    if datatype == "http://www.w3.org/2001/XMLSchema#string":
        datatype = None
    language = value.get("xml:lang")
    if datatype == _XSD_BOOLEAN and value["value"] in ("0", "1"):  # Virtuoso writes 1 for true
        return Term("literal", "true" if value["value"] == "1" else "false", datatype)
    return Term("literal", value["value"], None if language else datatype, language)


def result_from_json(document: Mapping, max_rows: int | None = None, form: str = "SELECT") -> QueryResult:
    """A SPARQL 1.1 Query Results JSON document as a :class:`QueryResult` (cut at ``max_rows``).

    Virtuoso answers an ASK sent with a default graph as a one-row table with the variable
    ``__ASK_RETVAL`` (1 or 0); that is read as the boolean it stands for.
    """
    if "boolean" in document:
        return QueryResult("ASK", boolean=bool(document["boolean"]))
    if form == "ASK":
        rows = document["results"]["bindings"]
        return QueryResult("ASK", boolean=bool(rows) and next(iter(rows[0].values()))["value"] not in ("0", "false"))
    variables = tuple(document["head"]["vars"])
    bindings = document["results"]["bindings"]
    truncated = max_rows is not None and len(bindings) > max_rows
    if truncated:
        bindings = bindings[:max_rows]
    rows = tuple(tuple(_term(b[v]) if v in b else None for v in variables) for b in bindings)
    return QueryResult("SELECT", variables, rows, truncated=truncated)


def _request(method: str, url: str, *, timeout: float | None, **kwargs) -> httpx.Response:
    try:
        response = httpx.request(method, url, timeout=timeout or None, **kwargs)
    except httpx.TimeoutException:
        raise RemoteError(f"{url}: no answer within {timeout:g} s") from None
    except httpx.HTTPError as exc:
        raise RemoteError(f"{url}: {exc}") from None
    if response.status_code >= 400:
        detail = " ".join(response.text.split())[:300]
        raise RemoteError(f"{url}: HTTP {response.status_code}: {detail}")
    return response


def remote_query(
    endpoint: str,
    query: PreparedQuery,
    *,
    graph: str | None = None,
    timeout: float | None = None,
    max_rows: int | None = None,
) -> QueryResult:
    """Run ``query`` at the SPARQL endpoint ``endpoint``, over its default graph or ``graph``.

    Prefixes the query may use without declaring them (``normgraph sparql``) are declared in
    the text sent, since another server does not know them.
    """
    prologue = "".join(f"PREFIX {prefix}: <{iri}>\n" for prefix, iri in query.prefixes.items())
    form = {"query": prologue + query.text}
    if graph:
        form["default-graph-uri"] = graph
    graph_form = query.form in ("CONSTRUCT", "DESCRIBE")
    accept = N_TRIPLES if graph_form else SPARQL_JSON
    response = _request("POST", endpoint, timeout=timeout, data=form, headers={"Accept": accept})
    if not graph_form:
        try:
            return result_from_json(response.json(), max_rows, query.form)
        except (ValueError, KeyError) as exc:
            raise RemoteError(f"{endpoint}: the answer is not SPARQL results JSON ({exc})") from None
    try:
        triples = list(ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES))
    except SyntaxError as exc:
        raise RemoteError(f"{endpoint}: the answer is not N-Triples ({exc})") from None
    truncated = max_rows is not None and len(triples) > max_rows
    triples = triples[:max_rows] if truncated else triples
    converted = tuple((from_oxigraph(t.subject), from_oxigraph(t.predicate), from_oxigraph(t.object)) for t in triples)
    return QueryResult(query.form, triples=converted, truncated=truncated)


def push(store: ox.Store, endpoint: str, graph: str, *, timeout: float | None = 300.0) -> int:
    """Replace the named graph ``graph`` at the Graph Store Protocol ``endpoint`` with ``store``'s
    default graph in one ``PUT``; returns the number of triples sent."""
    body = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    _request(
        "PUT",
        endpoint,
        timeout=timeout,
        params={"graph": graph},
        content=body,
        headers={"Content-Type": N_TRIPLES},
    )
    return len(store)
