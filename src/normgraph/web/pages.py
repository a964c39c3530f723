"""What the HTML pages show: an entity at a glance, and the landing page's overview of the graph.

An entity page gathers, from the store, the entity's names and kinds, its own statements, the
fact nodes that point at it (memberships, stances, role conceptions, events, figures, offices,
agreements), each with the claims that support it — claimant, source, quoted passage and its
offsets — and every other resource that links to it. Links to resources under the server's base
IRI become local paths, so the pages browse the same whether the server runs on loopback or
behind ``w3id.org``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from rdflib.namespace import RDF, RDFS

from ..engines import OxigraphEngine
from ..namespaces import NG, ORG, PREFIXES, SKOS, PrefixedNames
from ..results import labels
from ..terms import Term

#: Fact classes in the order their sections appear, with the section titles.
SECTIONS = (
    (str(ORG.Membership), "Memberships"),
    (str(NG.NormStance), "Stances on norms"),
    (str(NG.RoleAttribution), "Role conceptions"),
    (str(NG.Event), "Events"),
    (str(NG.Figure), "Figures"),
    (str(NG.OfficeHolding), "Offices"),
    (str(NG.Agreement), "Agreements"),
)
OTHER_FACTS = "Other facts"
#: Facts that happen in time: their pages say "date not stated" where the source gives no date.
TIMED = {str(ORG.Membership), str(NG.Event), str(NG.OfficeHolding)}
_DATE_PROPERTIES = (str(NG.date), str(NG.startDate), str(NG.endDate), str(NG.timeQualifier))
#: Most incoming links or claims listed on one page.
LIST_LIMIT = 500


@dataclass(frozen=True)
class Value:
    """One object of a statement: a link (``href`` local when under the base) or literal text."""

    text: str
    iri: str | None = None
    href: str | None = None
    note: str = ""  # datatype or language of a literal, a compact IRI for a link


@dataclass
class ClaimView:
    iri: Value
    statement: str = ""
    claim_type: Value | None = None
    claimant: Value | None = None
    claimant_description: str = ""
    source: Value | None = None
    quotes: list[tuple[str, str]] = field(default_factory=list)  # (exact words, "start-end")
    quotation: str = ""


@dataclass
class FactView:
    node: Value
    kinds: list[Value]
    statements: list[tuple[Value, list[Value]]]
    when: str
    claims: list[ClaimView]
    sort_key: str = ""


@dataclass
class EntityView:
    iri: str
    label: str
    alt_labels: list[str]
    kinds: list[Value]
    statements: list[tuple[Value, list[Value]]]
    sections: list[tuple[str, list[FactView]]]
    claims: list[ClaimView]  # claims supporting the entity (a fact node), or the claim itself
    claims_made: list[ClaimView]
    incoming: list[tuple[Value, Value]]
    incoming_cut: bool = False  # more resources link here than the page lists
    claims_title: str = "Supported by"


class Site:
    """Reads pages from one store; ``base_iri`` is what the server's root path stands for."""

    def __init__(self, store: ox.Store, base_iri: str) -> None:
        self.store = store
        self.base_iri = base_iri
        self._engine = OxigraphEngine(store)
        self._names = PrefixedNames()

    # -- terms ------------------------------------------------------------------------------

    def href(self, iri: str) -> str:
        """A local path for IRIs under the base, the IRI itself otherwise."""
        if iri.startswith(self.base_iri):
            rest = iri[len(self.base_iri) :]
            return "/" + rest
        return iri

    def compact(self, iri: str) -> str:
        return self._names.display(iri)

    def values(self, terms: list[object]) -> list[Value]:
        """Result terms as :class:`Value`, IRIs labelled."""
        iris = [t.value for t in terms if isinstance(t, ox.NamedNode)]
        names = labels(self._engine, iris) if iris else {}
        out = []
        for term in terms:
            if isinstance(term, ox.NamedNode):
                short = self.compact(term.value)
                out.append(Value(names.get(term.value, short), term.value, self.href(term.value), short))
            elif isinstance(term, ox.Literal):
                note = term.language or ("" if term.datatype.value.endswith("#string") else self.compact(term.datatype.value))
                out.append(Value(" ".join(term.value.split()), note=note))
            else:
                out.append(Value(f"_:{term.value}"))
        return out

    def values_of_terms(self, terms: tuple[Term | None, ...]) -> list[Value | None]:
        """A result row (of :class:`normgraph.terms.Term`) as values, None where unbound."""
        converted = [None if t is None else t.to_oxigraph() for t in terms]
        present = self.values([t for t in converted if t is not None])
        found = iter(present)
        return [None if t is None else next(found) for t in converted]

    def value(self, term: object) -> Value:
        return self.values([term])[0]

    def _select(self, text: str, iri: str) -> list[ox.QuerySolution]:
        prologue = "".join(f"PREFIX {p}: <{n}>\n" for p, n in PREFIXES.items())
        return list(self.store.query(prologue + text.replace("$ENTITY", str(ox.NamedNode(iri)))))

    def exists(self, iri: str) -> bool:
        """Does the graph say anything about ``iri`` (as subject)?"""
        try:
            node = ox.NamedNode(iri)
        except ValueError:
            return False
        return next(iter(self.store.quads_for_pattern(node, None, None)), None) is not None

    def statements(self, iri: str, skip: set[str] = frozenset()) -> list[tuple[Value, list[Value]]]:
        """The entity's own statements, grouped by property (labels and types left to the header)."""
        grouped: dict[str, list[object]] = defaultdict(list)
        for quad in self.store.quads_for_pattern(ox.NamedNode(iri), None, None):
            if quad.predicate.value not in skip:
                grouped[quad.predicate.value].append(quad.object)
        result = []
        for predicate in sorted(grouped, key=self.compact):
            objects = sorted(grouped[predicate], key=str)
            result.append((self.value(ox.NamedNode(predicate)), self.values(objects)))
        return result

    def rdf(self, iri: str) -> list[ox.Triple]:
        """The entity's description for RDF clients: its own statements and the links to it."""
        node = ox.NamedNode(iri)
        triples = [q.triple for q in self.store.quads_for_pattern(node, None, None)]
        triples += [q.triple for q in self.store.quads_for_pattern(None, None, node) if q.subject != node]
        return triples

    # -- claims -----------------------------------------------------------------------------

    _CLAIMS = """
        SELECT ?claim ?statement ?type ?claimant ?description ?source ?exact ?start ?end ?quotation WHERE {
          ?claim a ng:Claim .
          %s
          OPTIONAL { ?claim ng:statement ?statement }
          OPTIONAL { ?claim ng:claimType ?type }
          OPTIONAL { ?claim ng:claimant ?claimant }
          OPTIONAL { ?claim ng:claimantDescription ?description }
          OPTIONAL { ?claim dcterms:source ?source }
          OPTIONAL { ?claim ng:quotation ?quotation }
          OPTIONAL {
            ?claim ng:hasEvidence ?evidence .
            ?evidence oa:hasSelector ?quote . ?quote a oa:TextQuoteSelector ; oa:exact ?exact .
            OPTIONAL { ?evidence oa:hasSelector ?position . ?position oa:start ?start ; oa:end ?end }
          }
        } LIMIT %d
    """

    def _claims(self, pattern: str, iri: str, key: str) -> dict[str, list[ClaimView]]:
        """Claims matching ``pattern`` (about ``$ENTITY``), grouped by the term bound to ``key``."""
        variables = f"?{key} " if key != "claim" else ""
        text = self._CLAIMS.replace("SELECT ", f"SELECT {variables}", 1) % (pattern, LIST_LIMIT * 4)
        by_claim: dict[str, ClaimView] = {}
        groups: dict[str, list[ClaimView]] = defaultdict(list)
        for row in self._select(text, iri):
            claim_iri = row["claim"].value
            view = by_claim.get(claim_iri)
            if view is None:
                view = by_claim[claim_iri] = ClaimView(self.value(row["claim"]))
                view.statement = row["statement"].value if row["statement"] else ""
                view.claim_type = self.value(row["type"]) if row["type"] else None
                view.claimant = self.value(row["claimant"]) if row["claimant"] else None
                view.claimant_description = row["description"].value if row["description"] else ""
                view.source = self.value(row["source"]) if row["source"] else None
                view.quotation = " ".join(row["quotation"].value.split()) if row["quotation"] else ""
            if row["exact"] is not None:
                span = f"{row['start'].value}–{row['end'].value}" if row["start"] is not None else ""
                quote = (" ".join(row["exact"].value.split()), span)
                if quote not in view.quotes:
                    view.quotes.append(quote)
            group = row[key].value
            if view not in groups[group]:
                groups[group].append(view)
        return groups

    # -- the entity page --------------------------------------------------------------------

    def _when(self, node: str) -> tuple[str, str]:
        found: dict[str, str] = {}
        for predicate in _DATE_PROPERTIES:
            objects = [q.object.value for q in self.store.quads_for_pattern(ox.NamedNode(node), ox.NamedNode(predicate), None)]
            if objects:
                found[predicate] = min(objects)
        date, start, end, qualifier = (found.get(p, "") for p in _DATE_PROPERTIES)
        if date:
            text = date
        elif start or end:
            text = f"{start or 'start not stated'} – {end or 'open'}" if end else f"from {start}"
        else:
            text = ""
        if qualifier:
            text = f"{text} ({qualifier})" if text else qualifier
        return text, date or start or end or "9999"

    def entity(self, iri: str) -> EntityView:
        """Everything the entity page of ``iri`` shows."""
        node = ox.NamedNode(iri)
        label = labels(self._engine, [iri]).get(iri, self.compact(iri))
        alt = sorted({q.object.value for q in self.store.quads_for_pattern(node, ox.NamedNode(str(SKOS.altLabel)), None)})
        kinds = self.values(sorted((q.object for q in self.store.quads_for_pattern(node, ox.NamedNode(str(RDF.type)), None)), key=str))
        skip = {str(RDF.type), str(SKOS.prefLabel), str(SKOS.altLabel)}
        statements = self.statements(iri, skip)

        facts = self._select(
            "SELECT DISTINCT ?fact ?class WHERE { ?fact ?p $ENTITY . ?claim ng:supports ?fact . ?fact a ?class } ", iri
        )
        classes: dict[str, set[str]] = defaultdict(set)
        for row in facts:
            classes[row["fact"].value].add(row["class"].value)
        fact_claims = self._claims("?claim ng:supports ?fact . ?fact ?p $ENTITY .", iri, "fact") if classes else {}
        sections: dict[str, list[FactView]] = defaultdict(list)
        titles = dict(SECTIONS)
        for fact, its_classes in classes.items():
            section = next((titles[c] for c, _ in SECTIONS if c in its_classes), OTHER_FACTS)
            when, sort_key = self._when(fact)
            timed = bool(its_classes & TIMED)
            view = FactView(
                node=self.value(ox.NamedNode(fact)),
                kinds=self.values([ox.NamedNode(c) for c in sorted(its_classes)]),
                statements=self.statements(fact, {str(RDF.type), *_DATE_PROPERTIES}),
                when=when or ("date not stated" if timed else ""),
                claims=fact_claims.get(fact, []),
                sort_key=sort_key,
            )
            sections[section].append(view)
        ordered = [(title, sorted(sections[title], key=lambda f: (f.sort_key, f.node.text))) for _, title in SECTIONS if sections.get(title)]
        if sections.get(OTHER_FACTS):
            ordered.append((OTHER_FACTS, sorted(sections[OTHER_FACTS], key=lambda f: f.node.text)))

        own_claims = self._claims("?claim ng:supports $ENTITY . BIND($ENTITY AS ?self)", iri, "self").get(iri, [])
        is_claim = str(NG.Claim) in {kind.iri for kind in kinds}
        if is_claim:  # a claim's page shows it with its evidence
            own_claims = self._claims("FILTER(?claim = $ENTITY) BIND($ENTITY AS ?self)", iri, "self").get(iri, [])
        made = self._claims("?claim ng:claimant $ENTITY . BIND($ENTITY AS ?self)", iri, "self").get(iri, [])
        fact_nodes = set(classes)
        incoming_rows = self._select(f"SELECT ?s ?p WHERE {{ ?s ?p $ENTITY }} LIMIT {LIST_LIMIT * 4}", iri)
        links = [row for row in incoming_rows if row["s"].value not in fact_nodes and row["s"].value != iri]
        incoming = [(self.value(row["s"]), self.value(row["p"])) for row in links[:LIST_LIMIT]]
        incoming.sort(key=lambda pair: (pair[1].text, pair[0].text))
        cut = len(links) > LIST_LIMIT or len(incoming_rows) == LIST_LIMIT * 4
        title = "The claim and its evidence" if is_claim else "Supported by"
        return EntityView(iri, label, alt, kinds, statements, ordered, own_claims, made, incoming, cut, title)

    # -- the landing page -------------------------------------------------------------------

    def overview(self) -> dict[str, object]:
        """Counts, sources and organisations for the landing page."""
        prologue = "".join(f"PREFIX {p}: <{n}>\n" for p, n in PREFIXES.items())

        def count(pattern: str) -> int:
            rows = list(self.store.query(prologue + f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {pattern} }}"))
            return int(rows[0]["n"].value)

        counts = [
            ("statements", len(self.store)),
            ("organisations", count("?x a/rdfs:subClassOf* ng:Organisation")),
            ("states", count("?x a ng:State")),
            ("people", count("?x a ng:Person")),
            ("claims", count("?x a ng:Claim")),
            ("memberships", count("?x a org:Membership")),
            ("stances on norms", count("?x a ng:NormStance")),
            ("role conceptions", count("?x a ng:RoleAttribution")),
            ("events", count("?x a ng:Event")),
            ("figures", count("?x a ng:Figure")),
        ]
        sources = [r["x"] for r in self.store.query(prologue + "SELECT DISTINCT ?x WHERE { ?x a ng:SourceText } ORDER BY ?x")]
        organisations = [
            r["x"] for r in self.store.query(prologue + "SELECT DISTINCT ?x WHERE { ?x a/rdfs:subClassOf* ng:Organisation . FILTER NOT EXISTS { ?x a ng:OrganisationBody } }")
        ]
        return {
            "counts": counts,
            "sources": self.values(sources),
            "organisations": sorted(self.values(organisations), key=lambda v: v.text.lower()),
        }

    def ontology_terms(self, namespace: str) -> list[tuple[Value, str, list[Value]]]:
        """Terms defined in ``namespace``: link, definition, kinds."""
        rows = self.store.query(
            f"SELECT DISTINCT ?t WHERE {{ ?t ?p ?o . FILTER(STRSTARTS(STR(?t), {ox.Literal(namespace)})) }} ORDER BY ?t"
        )
        terms = []
        for row in rows:
            term = row["t"]
            definition = next(
                (q.object.value for p in (SKOS.definition, RDFS.comment) for q in self.store.quads_for_pattern(term, ox.NamedNode(str(p)), None)),
                "",
            )
            kinds = self.values([q.object for q in self.store.quads_for_pattern(term, ox.NamedNode(str(RDF.type)), None)])
            terms.append((self.value(term), definition, kinds))
        return terms
