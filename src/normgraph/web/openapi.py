"""An OpenAPI 3 description of the stored queries as a web API (the grlc convention).

Each ``queries/*.rq`` file is ``GET /api/{name}``; its BASIL parameters are query parameters
(required unless optional or defaulted), described with the type they expect; the response
formats are the SPARQL result formats, or RDF for CONSTRUCT and DESCRIBE queries.
"""

from __future__ import annotations

from .. import __version__
from ..query import StoredQuery
from . import protocol


def _parameter(query: StoredQuery, index: int) -> dict[str, object]:
    parameter = query.parameters[index]
    schema: dict[str, object] = {"type": "string"}
    if parameter.kind == "iri":
        schema["format"] = "iri"
    if parameter.default is not None:
        schema["default"] = parameter.default
    return {
        "name": parameter.name,
        "in": "query",
        "required": parameter.default is None and not parameter.optional,
        "description": f"{parameter.expects}: a full IRI or a prefixed name such as norm:sovereignty"
        if parameter.kind == "iri"
        else parameter.expects,
        "schema": schema,
    }


def openapi_document(queries: list[StoredQuery], server_url: str) -> dict[str, object]:
    """The OpenAPI 3.0 document for ``queries`` served at ``server_url``."""
    paths: dict[str, object] = {}
    for query in queries:
        formats = protocol.GRAPH_TYPES if query.form in ("CONSTRUCT", "DESCRIBE") else protocol.TABLE_TYPES
        if query.form == "ASK":
            formats = (protocol.SPARQL_JSON, protocol.SPARQL_XML)
        paths[f"/api/{query.name}"] = {
            "get": {
                "operationId": query.name.replace("-", "_"),
                "summary": query.header.summary,
                "description": query.header.description or query.header.summary,
                "tags": list(query.header.tags),
                "parameters": [_parameter(query, i) for i in range(len(query.parameters))],
                "responses": {
                    "200": {"description": f"the {query.form} result", "content": {media: {} for media in formats}},
                    "400": {"description": "a parameter is missing or not of its type", "content": {"text/plain": {}}},
                    "503": {"description": "the query ran into the time limit", "content": {"text/plain": {}}},
                },
            }
        }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "normgraph stored queries",
            "version": __version__,
            "description": "Each stored SPARQL query of normgraph as a GET operation; results by Accept.",
        },
        "servers": [{"url": server_url}],
        "paths": paths,
    }
