"""The SPARQL 1.1 Protocol, read-only: what a request asks, and its answer in the format asked for.

A query arrives as ``GET /sparql?query=``, ``POST`` form-encoded (``query=``) or ``POST`` with the
body as ``application/sparql-query``; an update in any form is refused. The result format follows
the ``Accept`` header (with quality values): SPARQL Results JSON (the default), XML, CSV or TSV
for SELECT and ASK; Turtle (the default), N-Triples or JSON-LD for CONSTRUCT and DESCRIBE. The
tabular writers are the ones ``normgraph query`` uses; only the XML results format is written here.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from rdflib import Graph

from ..engines import QueryResult
from ..results import to_csv, to_json, to_tsv
from ..terms import Term

SPARQL_JSON = "application/sparql-results+json"
SPARQL_XML = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
TURTLE = "text/turtle"
N_TRIPLES = "application/n-triples"
JSON_LD = "application/ld+json"
HTML = "text/html"

#: Formats for SELECT and ASK results, the first being the default; aliases map to them.
TABLE_TYPES = (SPARQL_JSON, SPARQL_XML, CSV, TSV)
#: Formats for graphs (CONSTRUCT, DESCRIBE, entity descriptions), the first being the default.
GRAPH_TYPES = (TURTLE, N_TRIPLES, JSON_LD)
_ALIASES = {
    "application/json": SPARQL_JSON,
    "application/xml": SPARQL_XML,
    "text/xml": SPARQL_XML,
    "application/x-turtle": TURTLE,
    "text/plain": N_TRIPLES,
    "application/json+ld": JSON_LD,
}
_RDFLIB_FORMATS = {TURTLE: "turtle", N_TRIPLES: "nt", JSON_LD: "json-ld"}


class NotAcceptable(Exception):
    """None of the formats the client accepts can carry this kind of result."""


class ProtocolError(Exception):
    """The request is not a usable SPARQL Protocol query request (HTTP 400, or ``status``)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """The media ranges of an ``Accept`` header with their quality, best first (stable)."""
    ranges: list[tuple[str, float, int]] = []
    for index, part in enumerate((header or "*/*").split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        quality = 1.0
        for parameter in fields[1:]:
            name, _, value = parameter.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranges.append((_ALIASES.get(media, media), quality, index))
    ranges.sort(key=lambda item: (-item[1], item[2]))
    return [(media, quality) for media, quality, _ in ranges if quality > 0]


def negotiate(header: str | None, offered: tuple[str, ...]) -> str:
    """The first of ``offered`` the client accepts best; :class:`NotAcceptable` if none."""
    for media, _quality in parse_accept(header):
        if media in offered:
            return media
        if media == "*/*":
            return offered[0]
        if media.endswith("/*"):
            for candidate in offered:
                if candidate.startswith(media[:-1]):
                    return candidate
    raise NotAcceptable(f"none of the accepted types ({header}) is offered here; choose from {', '.join(offered)}")


def wants_html(header: str | None) -> bool:
    """A browser: ``text/html`` is accepted explicitly and at least as well as anything else."""
    ranges = parse_accept(header)
    best = ranges[0][1] if ranges else 0.0
    return any(media in (HTML, "application/xhtml+xml") and quality >= best for media, quality in ranges)


@dataclass(frozen=True)
class QueryRequest:
    """The query text of a SPARQL Protocol request."""

    text: str


def read_request(method: str, content_type: str | None, params: dict[str, list[str]], body: bytes, form: dict[str, list[str]]) -> QueryRequest | None:
    """The query a request carries, None when it carries none (a service description request).

    Updates are refused with 403 however they arrive; the dataset parameters
    (``default-graph-uri``, ``named-graph-uri``) with 400, as this endpoint serves one graph.
    """
    media = (content_type or "").split(";")[0].strip().lower()
    if media == "application/sparql-update" or "update" in params or "update" in form:
        raise ProtocolError("SPARQL Update is not accepted: this endpoint is read-only", 403)
    for name in ("default-graph-uri", "named-graph-uri"):
        if name in params or name in form:
            raise ProtocolError(f"{name} is not supported: this endpoint answers over its one graph only")
    if method == "POST" and media == "application/sparql-query":
        try:
            return QueryRequest(body.decode("utf-8"))
        except UnicodeDecodeError:
            raise ProtocolError("the query is not valid UTF-8") from None
    source = form if method == "POST" and media == "application/x-www-form-urlencoded" else params
    if method == "POST" and media not in ("application/x-www-form-urlencoded", "application/sparql-query", ""):
        raise ProtocolError(f"unsupported content type {media!r}: send application/sparql-query or a form", 415)
    values = source.get("query", [])
    if not values:
        return None
    if len(values) > 1:
        raise ProtocolError("give exactly one query parameter")
    return QueryRequest(values[0])


def _xml_term(term: Term) -> str:
    if term.kind == "iri":
        return f"<uri>{escape(term.value)}</uri>"
    if term.kind == "bnode":
        return f"<bnode>{escape(term.value)}</bnode>"
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
    if term.datatype:
        return f"<literal datatype={quoteattr(term.datatype)}>{escape(term.value)}</literal>"
    return f"<literal>{escape(term.value)}</literal>"


def to_xml(result: QueryResult) -> str:
    """SPARQL Query Results XML Format (``application/sparql-results+xml``)."""
    lines = ['<?xml version="1.0"?>', '<sparql xmlns="http://www.w3.org/2005/sparql-results#">']
    if result.form == "ASK":
        lines += ["  <head/>", f"  <boolean>{'true' if result.boolean else 'false'}</boolean>", "</sparql>"]
        return "\n".join(lines) + "\n"
    lines.append("  <head>")
    lines += [f"    <variable name={quoteattr(v)}/>" for v in result.variables]
    lines += ["  </head>", "  <results>"]
    for row in result.rows:
        lines.append("    <result>")
        for variable, term in zip(result.variables, row):
            if term is not None:
                lines.append(f"      <binding name={quoteattr(variable)}>{_xml_term(term)}</binding>")
        lines.append("    </result>")
    lines += ["  </results>", "</sparql>"]
    return "\n".join(lines) + "\n"


def serialize_graph(graph: Graph, media: str) -> str:
    """``graph`` as Turtle, N-Triples or JSON-LD (an expanded document: no remote context)."""
    return graph.serialize(format=_RDFLIB_FORMATS[media])


def render_result(result: QueryResult, accept: str | None) -> tuple[str, str]:
    """The result body and its media type, as the ``Accept`` header asks."""
    if result.form in ("CONSTRUCT", "DESCRIBE"):
        media = negotiate(accept, GRAPH_TYPES)
        return serialize_graph(result.graph(), media), media
    offered = TABLE_TYPES if result.form == "SELECT" else (SPARQL_JSON, SPARQL_XML)
    media = negotiate(accept, offered)
    writer = {SPARQL_JSON: to_json, SPARQL_XML: to_xml, CSV: to_csv, TSV: to_tsv}[media]
    return writer(result), media


def content_type(media: str) -> str:
    """The Content-Type header value: text formats declare UTF-8."""
    return f"{media}; charset=utf-8"


_SD = "http://www.w3.org/ns/sparql-service-description#"
_FORMATS = "http://www.w3.org/ns/formats/"


def service_description(endpoint: str) -> Graph:
    """The SPARQL 1.1 Service Description of the endpoint at ``endpoint`` (its absolute URL)."""
    from rdflib import BNode, Namespace, URIRef
    from rdflib.namespace import RDF

    sd, formats = Namespace(_SD), Namespace(_FORMATS)
    graph = Graph()
    graph.bind("sd", sd)
    graph.bind("formats", formats)
    service, dataset, default = URIRef(endpoint), BNode(), BNode()
    graph.add((service, RDF.type, sd.Service))
    graph.add((service, sd.endpoint, URIRef(endpoint)))
    graph.add((service, sd.supportedLanguage, sd.SPARQL11Query))
    for result_format in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV", "Turtle", "N-Triples", "JSON-LD"):
        graph.add((service, sd.resultFormat, formats[result_format]))
    graph.add((service, sd.defaultDataset, dataset))
    graph.add((dataset, RDF.type, sd.Dataset))
    graph.add((dataset, sd.defaultGraph, default))
    graph.add((default, RDF.type, sd.Graph))
    return graph
