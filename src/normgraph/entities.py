"""Finding an entity and gathering everything the graph says about it.

:func:`search` finds entities by their names (``skos:prefLabel``, ``skos:altLabel``,
``rdfs:label``) and identifiers (``state:RUS``, ``RUS``), ranked: exact name first, then names
that begin with the text, then names with a word that begins with it, then names containing it.

:func:`describe` gathers one entity's description, grouped as a reader looks for it: names and
identifiers, kind, then the facts it takes part in (memberships over time, stances on norms, role
conceptions, events, figures, offices, agreements), each with the claims that support it (who
claims it, where, in which words), then the claims it makes and any other links to it. Facts are
found through *incoming* links too: an organisation's description lists its members, although
each membership points to the organisation and not the other way round. The command line prints
it with :func:`describe_text`; an entity page can render the same :class:`Description`.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from .errors import UsageError
from .namespaces import NG, OA, ORG, PREFIXES, compact

_NAME_PROPERTIES = (SKOS.prefLabel, SKOS.altLabel, RDFS.label)
#: Fact classes in the order a description shows them, with the group heading.
FACT_GROUPS = (
    (ORG.Membership, "memberships"),
    (NG.NormStance, "stances"),
    (NG.RoleAttribution, "role conceptions"),
    (NG.Event, "events"),
    (NG.Figure, "figures"),
    (NG.OfficeHolding, "offices"),
    (NG.Agreement, "agreements"),
)
#: Properties of a fact shown first, in this order (time last), when a fact has them.
_FACT_ORDER = (
    ORG.member, ORG.organization, ORG.role, NG.holder, NG.stanceType, NG.norm, NG.roleConception, NG.eventType,
    NG.office, NG.measure, NG.value, NG.unit, NG.figureOf, NG.inOrganisation, NG.inArena, NG.inRelationTo,
    NG.startDate, NG.endDate, NG.date, NG.timeQualifier, NG.membershipNote,
)
_DATE_PROPERTIES = (NG.startDate, NG.date)


@dataclass(frozen=True)
class Match:
    """One search hit: the entity, the name that matched, its preferred name and kind."""

    iri: str
    identifier: str
    label: str
    matched: str
    kinds: tuple[str, ...]
    rank: int


@dataclass(frozen=True)
class ClaimSummary:
    """A claim behind a fact: who claims it, where, and the words that show it."""

    iri: str
    claimant: str
    source: str
    quote: str
    footnotes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Fact:
    """A fact node the entity takes part in: its class, its values, its claims."""

    iri: str
    kind: str
    values: tuple[tuple[str, str], ...]
    claims: tuple[ClaimSummary, ...]
    dated: bool = False
    sort_key: tuple = ()


@dataclass
class Description:
    """Everything the graph says about one entity, grouped for reading."""

    iri: str
    identifier: str
    label: str
    kinds: tuple[str, ...]
    names: list[tuple[str, str]] = field(default_factory=list)  # (property, value)
    facts: dict[str, list[Fact]] = field(default_factory=dict)  # group heading -> facts
    claims_made: list[ClaimSummary] = field(default_factory=list)
    links_out: list[tuple[str, str]] = field(default_factory=list)  # (property, value)
    links_in: list[tuple[str, str]] = field(default_factory=list)  # (subject, property)


# ---------------------------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------------------------


def _best(literals: Iterable[Node]) -> str | None:
    texts = [t for t in literals if isinstance(t, Literal)]
    if not texts:
        return None
    return str(min(texts, key=lambda t: ({"en": 0, None: 1}.get(t.language, 2), str(t))))


def name_of(graph: Graph, node: Node) -> str:
    """A node's preferred name (English first), else its short identifier."""
    for predicate in (SKOS.prefLabel, RDFS.label, DCTERMS.title):
        best = _best(graph.objects(node, predicate))
        if best is not None:
            return best
    return compact(str(node)) if isinstance(node, URIRef) else str(node)


def short_name(graph: Graph, node: Node) -> str:
    """A name short enough for an axis: the preferred name if short, else an abbreviation the
    data gives as an alias (``CSTO``), else the preferred name."""
    name = name_of(graph, node)
    if len(name) <= 12:
        return name
    abbreviations = [str(a) for a in graph.objects(node, SKOS.altLabel) if re.fullmatch(r"[A-Z][A-Za-z0-9]{1,7}", str(a)) and sum(c.isupper() for c in str(a)) >= 2]
    return min(abbreviations, key=lambda a: (len(a), a)) if abbreviations else name


def shown(graph: Graph, node: Node) -> str:
    """A value as a reader sees it: 'name (prefix:id)' for an IRI, the text for a literal."""
    if isinstance(node, URIRef):
        short = compact(str(node))
        name = name_of(graph, node)
        return short if name == short else f"{name} ({short})"
    return " ".join(str(node).split())


def _kinds(graph: Graph, node: Node) -> tuple[str, ...]:
    types = [t for t in graph.objects(node, RDF.type) if isinstance(t, URIRef) and t not in (OWL.NamedIndividual, OWL.Thing)]
    return tuple(sorted({name_of(graph, t) for t in types}))


# ---------------------------------------------------------------------------------------------
# Search
# ---------------------------------------------------------------------------------------------


def _rank(text: str, name: str) -> int | None:
    needle, hay = text.casefold(), name.casefold()
    if hay == needle:
        return 0
    if hay.startswith(needle):
        return 1
    if re.search(r"(?:^|[\s(\-–/])" + re.escape(needle), hay):
        return 2
    if needle in hay:
        return 3
    return None


def search(graph: Graph, text: str, *, limit: int = 20) -> list[Match]:
    """Entities whose name or identifier matches ``text``, best first (see the module notes).

    Claims, evidence and other fact nodes have no names and are not searched; concepts of the
    vocabularies (norms, roles) and classes are, as they are things a reader asks about.
    """
    text = " ".join(text.split())
    if not text:
        raise UsageError("give some text to search for")
    best: dict[str, tuple[int, int, str]] = {}
    for order, predicate in enumerate(_NAME_PROPERTIES):
        for subject, name in graph.subject_objects(predicate):
            if not isinstance(subject, URIRef) or not isinstance(name, Literal):
                continue
            rank = _rank(text, str(name))
            if rank is not None and (str(subject) not in best or (rank, order) < best[str(subject)][:2]):
                best[str(subject)] = (rank, order, str(name))
    for subject in set(graph.subjects(RDF.type, None)):
        if isinstance(subject, URIRef):
            identifier = compact(str(subject))
            local = identifier.split(":", 1)[-1]
            if text.casefold() in (identifier.casefold(), local.casefold()):
                best[str(subject)] = (0, -1, identifier)
    matches = [
        Match(iri, compact(iri), name_of(graph, URIRef(iri)), matched, _kinds(graph, URIRef(iri)), rank)
        for iri, (rank, order, matched) in best.items()
    ]
    matches.sort(key=lambda m: (m.rank, best[m.iri][1], m.label.casefold(), m.iri))
    return matches[:limit]


def search_text(matches: list[Match], text: str) -> str:
    """Search hits as lines: identifier, name, kind, and the other name that matched."""
    if not matches:
        return f"nothing found for {text!r}\n"
    width = max(len(m.identifier) for m in matches)
    lines = []
    for match in matches:
        extra = f" (matched {match.matched!r})" if match.matched not in (match.label, match.identifier) else ""
        kinds = ", ".join(match.kinds) or "no class"
        lines.append(f"{match.identifier:<{width}}  {match.label} [{kinds}]{extra}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# Describe
# ---------------------------------------------------------------------------------------------


def resolve(graph: Graph, entity: str) -> URIRef:
    """The IRI for ``entity``: a full IRI, a prefixed name (``state:RUS``), or a name that one
    search hit matches exactly."""
    value = entity.strip()
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    prefix, colon, local = value.partition(":")
    if colon and prefix in PREFIXES and not local.startswith("//"):
        value = PREFIXES[prefix] + local
    iri = URIRef(value)
    if (iri, None, None) in graph or (None, None, iri) in graph:
        return iri
    hits = [m for m in search(graph, entity) if m.rank == 0]
    if len({m.iri for m in hits}) == 1:
        return URIRef(hits[0].iri)
    if hits:
        names = ", ".join(m.identifier for m in hits)
        raise UsageError(f"{entity!r} names several entities: {names}; give one identifier")
    raise UsageError(f"no entity {entity!r} in the graph; 'normgraph search TEXT' finds identifiers")


def _claim(graph: Graph, claim: Node) -> ClaimSummary:
    claimant = graph.value(claim, NG.claimant)
    if claimant is not None:
        who = shown(graph, claimant)
    else:
        who = _best(graph.objects(claim, NG.claimantDescription)) or "not stated"
    source = graph.value(claim, DCTERMS.source)
    quotes = sorted(
        str(exact)
        for evidence in graph.objects(claim, NG.hasEvidence)
        for selector in graph.objects(evidence, OA.hasSelector)
        for exact in graph.objects(selector, OA.exact)
    )
    footnotes = sorted(
        {str(n) for citation in graph.objects(claim, NG.citation) for n in graph.objects(citation, NG.footnoteNumber)},
        key=lambda n: (len(n), n),
    )
    quote = " … ".join(" ".join(re.sub(r"-[ \t]*\r?\n\s*", "-", q).split()) for q in quotes)
    return ClaimSummary(compact(str(claim)), who, shown(graph, source) if source is not None else "", quote, tuple(footnotes))


def _fact(graph: Graph, node: Node, kind: str) -> Fact:
    values: list[tuple[str, str]] = []
    predicates = sorted({p for p in graph.predicates(node, None) if p != RDF.type}, key=lambda p: (_FACT_ORDER.index(p) if p in _FACT_ORDER else len(_FACT_ORDER), str(p)))
    for predicate in predicates:
        for value in sorted(graph.objects(node, predicate), key=str):
            values.append((name_of(graph, predicate), shown(graph, value)))
    claims = tuple(sorted((_claim(graph, c) for c in graph.subjects(NG.supports, node)), key=lambda c: c.iri))
    dated = next((str(d) for p in _DATE_PROPERTIES for d in graph.objects(node, p)), None)
    # Dated facts in time order; undated ones after them, never placed at a guessed time.
    sort_key = (dated is None, dated or "", [v for _, v in values])
    return Fact(compact(str(node)), kind, tuple(values), claims, dated is not None, sort_key)


def describe(graph: Graph, entity: str | URIRef) -> Description:
    """Everything about one entity (an IRI, prefixed name or exact name), grouped."""
    iri = entity if isinstance(entity, URIRef) else resolve(graph, entity)
    description = Description(str(iri), compact(str(iri)), name_of(graph, iri), _kinds(graph, iri))
    fact_classes = dict(FACT_GROUPS)
    for predicate, value in sorted(graph.predicate_objects(iri), key=lambda pv: (str(pv[0]), str(pv[1]))):
        if predicate == RDF.type:
            continue
        target = description.names if isinstance(value, Literal) else description.links_out
        target.append((name_of(graph, predicate), shown(graph, value)))
    seen_facts: set[Node] = set()
    for subject, predicate in sorted(graph.subject_predicates(iri), key=lambda sp: (str(sp[0]), str(sp[1]))):
        group = next((fact_classes[c] for c in fact_classes if (subject, RDF.type, c) in graph), None)
        if group is not None:
            if subject not in seen_facts:
                seen_facts.add(subject)
                description.facts.setdefault(group, []).append(_fact(graph, subject, group))
        elif predicate == NG.claimant:
            description.claims_made.append(_claim(graph, subject))
        elif predicate != NG.supports:
            description.links_in.append((shown(graph, subject), name_of(graph, predicate)))
    ordered = {heading: sorted(description.facts[heading], key=lambda f: f.sort_key) for _, heading in FACT_GROUPS if heading in description.facts}
    description.facts = ordered
    description.claims_made.sort(key=lambda c: c.iri)
    return description


def describe_text(description: Description, width: int = 100) -> str:
    """A description as indented plain text, wrapped at ``width``."""
    lines: list[str] = []

    def add(text: str, indent: int) -> None:
        lines.extend(textwrap.wrap(text, width, initial_indent=" " * indent, subsequent_indent=" " * (indent + 4), break_on_hyphens=False) or [""])

    def add_claims(claims: Iterable[ClaimSummary], indent: int) -> None:
        for claim in claims:
            notes = f", fn {', '.join(claim.footnotes)}" if claim.footnotes else ""
            add(f"claim {claim.iri}: by {claim.claimant}; in {claim.source}{notes}", indent)
            if claim.quote:
                add(f"“{claim.quote}”", indent + 2)

    add(f"{description.label} ({description.identifier})", 0)
    add(f"<{description.iri}>", 2)
    lines.append("")
    lines.append("kind")
    add(", ".join(description.kinds) or "no class", 2)
    if description.names:
        lines.append("")
        lines.append("names and identifiers")
        for predicate, value in description.names:
            add(f"{predicate}: {value}", 2)
    if description.links_out:
        lines.append("")
        lines.append("links")
        for predicate, value in description.links_out:
            add(f"{predicate}: {value}", 2)
    for heading, facts in description.facts.items():
        lines.append("")
        lines.append(f"{heading} ({len(facts)})")
        for fact in facts:
            add(fact.iri, 2)
            for predicate, value in fact.values:
                add(f"{predicate}: {value}", 6)
            if not fact.dated and heading in ("memberships", "events"):
                add("date: not stated", 6)
            add_claims(fact.claims, 6)
    if description.claims_made:
        lines.append("")
        lines.append(f"claims made ({len(description.claims_made)})")
        add_claims(description.claims_made, 2)
    if description.links_in:
        lines.append("")
        lines.append(f"other links to it ({len(description.links_in)})")
        for subject, predicate in description.links_in:
            add(f"{subject} —{predicate}→", 2)
    return "\n".join(lines) + "\n"
