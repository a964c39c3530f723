"""The namespaces normgraph defines and reuses, in one place, with their preferred prefixes."""

from __future__ import annotations

import re
from collections.abc import Mapping

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


#: A conservative Turtle PN_LOCAL: ASCII letters, digits, '_', '-' and inner '.'. A local part
#: outside it is written as a full IRI rather than escaped.
_TURTLE_LOCAL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?")


class PrefixedNames:
    """The one place that writes an IRI as a prefixed name (``org-id:sco``).

    The longest matching namespace wins, so ``org-id:`` beats ``id:`` for ``.../id/org/sco``.
    With ``turtle`` only names Turtle reads back as the same IRI are given (the local part is
    empty or a conservative PN_LOCAL); otherwise any non-empty local part is, for display.
    :attr:`used` records the prefixes given, so a writer declares only those.
    """

    def __init__(self, prefixes: Mapping[str, str] = PREFIXES, *, turtle: bool = False):
        self.prefixes = dict(prefixes)
        self.turtle = turtle
        self._by_length = sorted(self.prefixes.items(), key=lambda item: (-len(item[1]), item[0]))
        self.used: set[str] = set()
        self._cache: dict[str, str | None] = {}

    def _find(self, iri: str) -> str | None:
        for prefix, namespace in self._by_length:
            if iri.startswith(namespace):
                local = iri[len(namespace) :]
                if (not local and self.turtle) or (local and (not self.turtle or _TURTLE_LOCAL.fullmatch(local))):
                    return f"{prefix}:{local}"
        return None

    def name(self, iri: str) -> str | None:
        """``prefix:local`` for ``iri``, or None if no prefix fits."""
        if iri in self._cache:
            found = self._cache[iri]
        else:
            found = self._find(iri)
            if len(self._cache) < 100_000:
                self._cache[iri] = found
        if found is not None:
            self.used.add(found.split(":", 1)[0])
        return found

    def display(self, iri: str) -> str:
        """The prefixed name of ``iri`` if one fits, else the IRI itself (for people)."""
        return self.name(iri) or iri


_DISPLAY = PrefixedNames()


def compact(iri: str) -> str:
    """``norm:sovereignty`` for a normgraph or reused IRI, else the IRI itself (display only)."""
    return _DISPLAY.display(iri)
