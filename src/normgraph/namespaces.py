"""The namespaces normgraph defines and reuses, in one place, with their preferred prefixes."""

from __future__ import annotations

from rdflib import Graph, Namespace
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, XSD

NG = Namespace("https://w3id.org/normgraph/ontology#")
ONTOLOGY_IRI = "https://w3id.org/normgraph/ontology"
ID = Namespace("https://w3id.org/normgraph/id/")
VOCAB = Namespace("https://w3id.org/normgraph/vocab/")

ORG = Namespace("http://www.w3.org/ns/org#")
OA = Namespace("http://www.w3.org/ns/oa#")
BIBO = Namespace("http://purl.org/ontology/bibo/")
SCHEMA = Namespace("https://schema.org/")
VANN = Namespace("http://purl.org/vocab/vann/")
WD = Namespace("http://www.wikidata.org/entity/")

#: Namespaces whose terms normgraph itself defines. Everything else is reused, never extended.
OWN_NAMESPACES = (str(NG), str(ID), str(VOCAB))

#: Preferred prefixes, used for every serialisation so that output is stable and readable.
PREFIXES: dict[str, str] = {
    "ng": str(NG),
    "org": str(ORG),
    "skos": str(SKOS),
    "prov": str(PROV),
    "oa": str(OA),
    "dcterms": str(DCTERMS),
    "bibo": str(BIBO),
    "foaf": str(FOAF),
    "schema": str(SCHEMA),
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "vann": str(VANN),
    "wd": str(WD),
    "id": str(ID),
    "org-id": str(ID) + "org/",
    "state": str(ID) + "state/",
    "territory": str(ID) + "territory/",
    "person": str(ID) + "person/",
    "claim": str(ID) + "claim/",
    "evidence": str(ID) + "evidence/",
    "event": str(ID) + "event/",
    "membership": str(ID) + "membership/",
    "stance-id": str(ID) + "stance/",
    "attribution": str(ID) + "role-attribution/",
    "office-holding": str(ID) + "office-holding/",
    "figure": str(ID) + "figure/",
    "agreement": str(ID) + "agreement/",
    "source": str(ID) + "source/",
    "work": str(ID) + "work/",
    "citation": str(ID) + "citation/",
    "assessment": str(ID) + "assessment/",
    "reason": str(ID) + "reason/",
    "aim": str(ID) + "aim/",
    "outcome": str(ID) + "outcome/",
    "list": str(ID) + "list/",
    "section": str(ID) + "section/",
    "illustration": str(ID) + "illustration/",
    "mrole": str(VOCAB) + "membership-role/",
    "role": str(VOCAB) + "role/",
    "norm": str(VOCAB) + "norm/",
    "arena": str(VOCAB) + "arena/",
    "etype": str(VOCAB) + "event-type/",
    "office": str(VOCAB) + "office/",
    "stance": str(VOCAB) + "stance/",
    "ctype": str(VOCAB) + "claim-type/",
    "measure": str(VOCAB) + "measure/",
    "unit": str(VOCAB) + "unit/",
    "aspect": str(VOCAB) + "assessment-aspect/",
    "status": str(VOCAB) + "status/",
    "lkind": str(VOCAB) + "list-kind/",
    "topic": str(VOCAB) + "topic/",
}


def bind_prefixes(graph: Graph) -> Graph:
    """Bind normgraph's preferred prefixes (replacing rdflib's defaults) and return the graph."""
    for prefix, uri in PREFIXES.items():
        graph.bind(prefix, uri, override=True, replace=True)
    return graph


def compact(iri: str) -> str:
    """``norm:sovereignty`` for a normgraph or reused IRI, else the IRI itself (display only)."""
    best = ""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(namespace) > len(PREFIXES.get(best, "")) and len(iri) > len(namespace):
            best = prefix
    return f"{best}:{iri[len(PREFIXES[best]):]}" if best else iri
