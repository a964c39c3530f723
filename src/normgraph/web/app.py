"""The ASGI application behind ``normgraph serve``.

Routes: ``/sparql`` (the SPARQL 1.1 Protocol endpoint; without a query, its service description,
or the query editor for a browser), ``/`` (the landing page), ``/editor`` (Yasgui, served from
the package), ``/id/...`` and ``/vocab/...`` (linked-data resources under the base IRI),
``/ontology`` (the ontology's terms), ``/api/{name}`` and ``/api/openapi.json`` (the stored
queries as a web API) and ``/static/...``.

Everything that evaluates a query or reads many triples runs in a worker thread, never on the
event loop: queries through :class:`normgraph.web.store.QueryPool` (worker processes with the time
limit and row cap), page lookups directly on the store, whose queries release the GIL.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import lru_cache
from pathlib import Path
from urllib.parse import parse_qs

import anyio.to_thread
import pyoxigraph as ox
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.datastructures import MutableHeaders
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..engines import QueryResult
from ..errors import InputError, NormgraphError, UsageError
from ..layout import Layout
from ..namespaces import ONTOLOGY_IRI, PREFIXES
from ..query import StoredQuery, stored_queries
from ..sparql_check import PreparedQuery, QueryRefused, check_query
from ..terms import from_oxigraph
from ..worker import QueryFailed, QueryTimeout, default_max_rows, default_timeout
from . import protocol
from .openapi import openapi_document
from .pages import Site
from .store import DEFAULT_WORKERS, QueryPool, open_store

#: Checked and bound queries remembered for reuse (the check is the costly part of a fast query).
PREPARED_CACHE = 512
#: What the server's root path stands for unless ``--base-iri`` says otherwise.
DEFAULT_BASE_IRI = "https://w3id.org/normgraph/"
STATIC = Path(__file__).parent / "static"
#: Header naming the row cap when it cut a result short.
TRUNCATED_HEADER = "X-Normgraph-Truncated"
#: Header naming the time limit when a query ran into it.
TIME_LIMIT_HEADER = "X-Normgraph-Time-Limit"


class Server:
    """The state one application holds: the store, the query pool, the page reader, templates."""

    def __init__(self, layout: Layout, store: ox.Store, *, base_iri: str, timeout: float, max_rows: int, workers: int) -> None:
        self.layout = layout
        self.base_iri = base_iri
        self.pool = QueryPool(store, workers, timeout=timeout, max_rows=max_rows)
        self.site = Site(store, base_iri)
        self.queries: dict[str, StoredQuery] = {q.name: q for q in stored_queries(layout)}
        self.templates = Environment(loader=PackageLoader("normgraph.web", "templates"), autoescape=select_autoescape(default=True))
        self.templates.filters["compact"] = self.site.compact
        self.templates.globals.update(base_iri=base_iri, yasgui=(STATIC / "yasgui" / "yasgui.min.js").is_file())
        self.prepared = lru_cache(maxsize=PREPARED_CACHE)(self._prepare)

    def _prepare(self, text: str | None, stored: str | None = None, params: tuple[tuple[str, str], ...] = ()) -> PreparedQuery:
        """Check and bind a query: ad-hoc ``text``, or the ``stored`` query with ``params``.

        Called through :attr:`prepared`, which remembers recent answers: the check parses the
        query with rdflib (tens of milliseconds, holding the GIL) and depends only on its text,
        so a query asked again skips it. Refusals are not cached and are raised again each time.
        """
        if stored is not None:
            return self.queries[stored].prepare(dict(params))
        # A protocol query runs as sent: its ?_name variables are variables, not parameters to
        # bind (a stored query sent here by 'normgraph query --endpoint' arrives already bound).
        checked = check_query(text or "", "query", PREFIXES)
        return PreparedQuery(text or "", checked.form, dict(PREFIXES), {}, "query")

    def page(self, name: str, status: int = 200, **context: object) -> HTMLResponse:
        return HTMLResponse(self.templates.get_template(name).render(**context), status)

    def limits_text(self) -> str:
        timeout = f"{self.pool.timeout:g} s" if self.pool.timeout else "none"
        return f"time limit {timeout}, row cap {self.pool.max_rows}"


def _multi(items: list[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for key, value in items:
        grouped.setdefault(key, []).append(value)
    return grouped


def _error(message: str, status: int, headers: dict[str, str] | None = None) -> PlainTextResponse:
    return PlainTextResponse(message + "\n", status, headers=headers)


def _answer(server: Server, result: QueryResult, accept: str | None) -> Response:
    try:
        body, media = protocol.render_result(result, accept)
    except protocol.NotAcceptable as exc:
        return _error(str(exc), 406)
    headers = {}
    if result.truncated:
        shown = len(result.rows) or len(result.triples)
        headers[TRUNCATED_HEADER] = f"cut off after {shown} rows by the row cap of {server.pool.max_rows}"
    return Response(body, headers=headers, media_type=protocol.content_type(media))


async def _run(server: Server, make_query, accept: str | None) -> Response:
    """Prepare and run a query off the event loop; errors become 4xx/5xx with one-line messages."""

    def work() -> QueryResult:
        return server.pool.run(make_query())

    try:
        result = await anyio.to_thread.run_sync(work)
    except QueryRefused as exc:
        return _error(str(exc), 403)
    except InputError as exc:
        return _error(str(exc), 400)
    except UsageError as exc:
        return _error(str(exc), 400)
    except QueryTimeout as exc:
        return _error(str(exc), 503, {TIME_LIMIT_HEADER: f"{server.pool.timeout:g}"})
    except (QueryFailed, NormgraphError) as exc:
        return _error(str(exc), 500)
    return _answer(server, result, accept)


async def sparql(request: Request) -> Response:
    server: Server = request.app.state.server
    body = await request.body() if request.method == "POST" else b""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    form: dict[str, list[str]] = {}
    if media == "application/x-www-form-urlencoded":
        try:
            form = parse_qs(body.decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError:
            return _error("the form is not valid UTF-8", 400)
    try:
        asked = protocol.read_request(request.method, request.headers.get("content-type"), _multi(request.query_params.multi_items()), body, form)
    except protocol.ProtocolError as exc:
        return _error(str(exc), exc.status)
    accept = request.headers.get("accept")
    if asked is None:
        if protocol.wants_html(accept):
            return RedirectResponse("/editor", 303)
        try:
            media = protocol.negotiate(accept, protocol.GRAPH_TYPES)
        except protocol.NotAcceptable as exc:
            return _error(str(exc), 406)
        description = protocol.service_description(str(request.url_for("sparql")))
        return Response(protocol.serialize_graph(description, media), media_type=protocol.content_type(media))
    if not asked.text.strip():
        return _error("the query is empty", 400)
    return await _run(server, lambda: server.prepared(asked.text), accept)


async def landing(request: Request) -> Response:
    server: Server = request.app.state.server
    overview = await anyio.to_thread.run_sync(server.site.overview)
    return server.page("landing.html", **overview, queries=list(server.queries.values()), limits=server.limits_text())


async def editor(request: Request) -> Response:
    server: Server = request.app.state.server
    example = "PREFIX ng: <https://w3id.org/normgraph/ontology#>\nPREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n\nSELECT ?organisation ?name WHERE {\n  ?organisation a ng:IntergovernmentalOrganisation ;\n                skos:prefLabel ?name .\n}\nORDER BY ?name\n"
    return server.page("editor.html", example=example, limits=server.limits_text())


async def resource(request: Request) -> Response:
    """An IRI under the base: RDF by ``Accept``, the entity page for browsers, 404 if unknown."""
    server: Server = request.app.state.server
    iri = server.base_iri + request.url.path.lstrip("/")
    accept = request.headers.get("accept")
    html = protocol.wants_html(accept)
    if not await anyio.to_thread.run_sync(server.site.exists, iri):
        if html:
            return server.page("not_found.html", 404, iri=iri)
        return _error(f"{iri} is not described in this graph", 404)
    if html:
        view = await anyio.to_thread.run_sync(server.site.entity, iri)
        return server.page("entity.html", entity=view)
    triples = await anyio.to_thread.run_sync(server.site.rdf, iri)
    result = QueryResult("DESCRIBE", triples=tuple((from_oxigraph(t.subject), from_oxigraph(t.predicate), from_oxigraph(t.object)) for t in triples))
    return _answer(server, result, accept)


async def ontology(request: Request) -> Response:
    """The ontology document: its hash terms (``ontology#Claim``) all dereference here."""
    server: Server = request.app.state.server
    accept = request.headers.get("accept")
    namespace = PREFIXES["ng"]
    if protocol.wants_html(accept):
        header = await anyio.to_thread.run_sync(server.site.entity, ONTOLOGY_IRI)
        terms = await anyio.to_thread.run_sync(server.site.ontology_terms, namespace)
        return server.page("ontology.html", entity=header, terms=terms)

    def triples() -> list[ox.Triple]:
        found = [q.triple for q in server.site.store.quads_for_pattern(ox.NamedNode(ONTOLOGY_IRI), None, None)]
        for term, _definition, _kinds in server.site.ontology_terms(namespace):
            found += [q.triple for q in server.site.store.quads_for_pattern(ox.NamedNode(term.iri), None, None)]
        return found

    found = await anyio.to_thread.run_sync(triples)
    result = QueryResult("DESCRIBE", triples=tuple((from_oxigraph(t.subject), from_oxigraph(t.predicate), from_oxigraph(t.object)) for t in found))
    return _answer(server, result, accept)


async def api_query(request: Request) -> Response:
    """``/api/{name}?param=value``: a stored query's answer, as ``Accept`` asks (HTML for browsers)."""
    server: Server = request.app.state.server
    name = request.path_params["name"]
    stored = server.queries.get(name)
    if stored is None:
        return _error(f"no stored query {name!r}; /api/openapi.json lists them", 404)
    params = _multi(request.query_params.multi_items())
    repeated = sorted(key for key, values in params.items() if len(values) > 1)
    if repeated:
        return _error(f"parameter {repeated[0]!r} is given more than once", 400)
    values = {key: values[0] for key, values in params.items() if values[0] != ""}
    bound = tuple(sorted(values.items()))
    accept = request.headers.get("accept")
    if not protocol.wants_html(accept):
        return await _run(server, lambda: server.prepared(None, name, bound), accept)
    try:
        result = await anyio.to_thread.run_sync(lambda: server.pool.run(server.prepared(None, name, bound)))
    except NormgraphError as exc:
        return server.page("results.html", 400, query=stored, params=values, error=str(exc))
    rows = [server.site.values_of_terms(row) for row in result.rows]
    return server.page("results.html", query=stored, params=values, result=result, rows=rows, error=None)


async def openapi(request: Request) -> Response:
    server: Server = request.app.state.server
    return JSONResponse(openapi_document(list(server.queries.values()), str(request.base_url).rstrip("/")))


def create_app(
    layout: Layout,
    *,
    base_iri: str = DEFAULT_BASE_IRI,
    timeout: float | None = None,
    max_rows: int | None = None,
    workers: int = DEFAULT_WORKERS,
    store: ox.Store | None = None,
) -> Starlette:
    """The application over ``layout``'s graph (or ``store``, if given)."""
    if not base_iri.endswith("/") or "://" not in base_iri:
        raise UsageError(f"the base IRI must be an absolute IRI ending with '/': {base_iri!r}")
    server = Server(
        layout,
        store if store is not None else open_store(layout),
        base_iri=base_iri,
        timeout=default_timeout() if timeout is None else timeout,
        max_rows=default_max_rows() if max_rows is None else max_rows,
        workers=workers,
    )
    server.pool.start()
    routes = [
        Route("/", landing, name="landing"),
        Route("/sparql", sparql, methods=["GET", "POST"], name="sparql"),
        Route("/editor", editor, name="editor"),
        Route("/ontology", ontology, name="ontology"),
        Route("/id/{rest:path}", resource, name="id"),
        Route("/vocab/{rest:path}", resource, name="vocab"),
        Route("/api/openapi.json", openapi, name="openapi"),
        Route("/api/{name}", api_query, name="api"),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    # The data is public and the server read-only: browser clients on other origins (a notebook,
    # another Yasgui) may query it.
    cors = Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST"], allow_headers=["Accept", "Content-Type"])
    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        server.pool.close()  # uvicorn has stopped answering: no worker outlives the server

    app = Starlette(routes=routes, middleware=[cors, Middleware(VaryOnAccept)], lifespan=lifespan)
    app.state.server = server
    return app


class VaryOnAccept:
    """Adds ``Vary: Accept`` to every answer but static files: the same URL answers HTML to a
    browser and Turtle, JSON-LD or SPARQL results to other clients, so a cache in front of the
    server must keep them apart."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).add_vary_header("Accept")
            await send(message)

        await self.app(scope, receive, sending)

