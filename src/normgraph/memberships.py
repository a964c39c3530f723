"""Memberships as flat records: the one reading of ``org:Membership`` nodes that the figures and
the exports (edge list, GraphML, state-year panel) share.

A record keeps what the claims state and nothing more: dates only where the source gives them
(as written: ``2001``, ``2014-05``), the claims and sources behind it. :func:`role_class` sorts the
membership roles into the few classes a figure colours and a panel codes.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF

from .entities import name_of
from .namespaces import NG, ORG, PREFIXES, compact

_MROLE = PREFIXES["mrole"]
#: Membership role -> the class figures colour and the panel codes; roles not listed are "other".
ROLE_CLASSES = {
    _MROLE + "member": "member",
    _MROLE + "founding-member": "member",
    _MROLE + "observer": "observer or partner",
    _MROLE + "dialogue-partner": "observer or partner",
    _MROLE + "aspirant": "aspirant",
    _MROLE + "former-member": "former member",
}
#: The classes in the order legends list them.
ROLE_CLASS_ORDER = ("member", "observer or partner", "aspirant", "former member", "other")


def role_class(role: str) -> str:
    """The class of a membership role IRI (see :data:`ROLE_CLASSES`)."""
    return ROLE_CLASSES.get(role, "other")


@dataclass(frozen=True)
class MembershipRecord:
    """One membership as its claims state it."""

    iri: str
    member: str
    member_label: str
    organisation: str
    organisation_label: str
    role: str
    role_label: str
    start: str | None
    end: str | None
    claims: tuple[str, ...]
    sources: tuple[str, ...]

    @property
    def role_class(self) -> str:
        return role_class(self.role)

    @property
    def start_year(self) -> int | None:
        """The year the membership began, where the source states one."""
        return int(self.start[:4]) if self.start else None

    @property
    def end_year(self) -> int | None:
        return int(self.end[:4]) if self.end else None


def membership_records(graph: Graph) -> list[MembershipRecord]:
    """Every membership supported by a claim, ordered by organisation, member, start, role."""
    records = []
    for node in set(graph.subjects(RDF.type, ORG.Membership)):
        claims = sorted(str(c) for c in graph.subjects(NG.supports, node))
        member, organisation, role = (graph.value(node, p) for p in (ORG.member, ORG.organization, ORG.role))
        if not claims or not isinstance(member, URIRef) or not isinstance(organisation, URIRef) or role is None:
            continue
        sources = sorted({str(s) for c in claims for s in graph.objects(URIRef(c), DCTERMS.source)})
        start, end = graph.value(node, NG.startDate), graph.value(node, NG.endDate)
        records.append(
            MembershipRecord(
                str(node), str(member), name_of(graph, member), str(organisation), name_of(graph, organisation),
                str(role), name_of(graph, role), None if start is None else str(start), None if end is None else str(end),
                tuple(claims), tuple(sources),
            )
        )
    records.sort(key=lambda r: (r.organisation_label, r.member_label, r.start or "~", r.role, r.iri))
    return records


def source_names(graph: Graph, records: list[MembershipRecord]) -> list[str]:
    """The sources behind ``records``, by name, for captions and codebooks."""
    sources = sorted({s for r in records for s in r.sources})
    return [f"{name_of(graph, URIRef(s))} ({compact(s)})" for s in sources]
