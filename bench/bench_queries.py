"""How fast do the stored queries answer, on the curated graph and on a graph of ~1M triples?

For every stored query (with its default parameters) this prints the median time of repeated runs
of plain rdflib evaluation (``Graph.query``, the baseline) and of normgraph's query path
(``normgraph.worker.execute`` on the default engine, Oxigraph, with the wall-clock guard: the query
goes to the engine's worker process and its rows come back), and the ratio baseline / normgraph.
Both run in the same run on the same machine: compare ratios across machines, not times. Starting
an engine's worker (once per engine) is timed separately.

The large graph is synthetic. It follows the ontology's patterns exactly: states, organisations
and people; memberships, norm stances (with their shortcut triples), role attributions, events,
figures and office holdings, each supported by a claim with an evidence anchor (a quote selector
and a position selector) and sometimes a citation, a quotation in an office-holder's capacity or
a conflicting claim. Facts are spread over synthetic entities and the curated ones, so the
default parameters (Russia, the SCO, sovereignty ...) select a realistic share. It is generated
from a fixed seed, so every run queries the same graph.

Plain rdflib is slow at this size, so each baseline run is stopped after ``--baseline-cap``
seconds (shown as ">N", the ratio then a lower bound) and repeated only when it finishes within
a second. Runs in a few minutes on two cores; it is not part of the test suite.

    python bench/bench_queries.py [--triples 1000000] [--repeat 5] [--baseline-cap 3]
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS, XSD

from normgraph.engines import OxigraphEngine, make_engine
from normgraph.layout import locate
from normgraph.load import load_parts
from normgraph.namespaces import ID, NG, OA, ORG, VOCAB
from normgraph.query import stored_queries
from normgraph.query_options import DEFAULT_ENGINE
from normgraph.sparql_check import PreparedQuery, prepare
from normgraph.terms import to_oxigraph
from normgraph.worker import execute

Triple = tuple[URIRef, URIRef, URIRef | Literal]


def _vocab(scheme: str, *names: str) -> list[URIRef]:
    return [URIRef(f"{VOCAB}{scheme}/{name}") for name in names]


ROLES = _vocab("role", "great-power", "international-equal", "eurasian-bridge", "first-among-equals", "rising-power", "mediator", "great-power-concert", "dominant-power")
NORMS = _vocab("norm", "sovereignty", "territorial-integrity", "non-intervention", "multipolarity", "multilateralism", "democratic-conditionality", "consensus-over-binding-commitments", "regime-security")
STANCES = [(_vocab("stance", s)[0], NG[s]) for s in ("endorses", "promotes", "challenges")]
ARENAS = _vocab("arena", "economy", "politics", "military-security")
MROLES = _vocab("membership-role", "member", "founding-member", "observer", "dialogue-partner", "aspirant", "former-member")
ETYPES = _vocab("event-type", "founding", "accession", "summit", "signing", "sanctions", "military-exercise", "statement")
MEASURES = _vocab("measure", "population", "gdp", "goods-turnover", "share-of-world-gdp")
UNITS = _vocab("unit", "person", "us-dollar", "percent")
OFFICES = _vocab("office", "president", "prime-minister", "foreign-minister", "defence-minister", "envoy")
CTYPES = _vocab("claim-type", "authorial", "reported", "quoted")
ORG_CLASSES = [NG.IntergovernmentalOrganisation, NG.EconomicUnion, NG.MilitaryAlliance, NG.Forum]
CURATED_STATES = [URIRef(f"{ID}state/{code}") for code in ("RUS", "CHN", "IND", "KAZ", "KGZ", "TJK", "BLR", "ARM", "BRA", "ZAF")]
CURATED_ORGS = [URIRef(f"{ID}org/{slug}") for slug in ("sco", "csto", "cis", "brics", "eurasian-customs-union", "eu", "nato", "osce")]


def synthetic(triples: int, seed: int = 20150101) -> Iterator[Triple]:
    """About ``triples`` triples in the ontology's patterns, always the same for the same seed."""
    rng = random.Random(seed)
    facts = max(1, triples // 23)  # a supported fact, its claim and its anchor take about 23 triples
    n_states, n_orgs, n_people, n_sources = max(50, facts // 25), max(20, facts // 100), max(50, facts // 20), max(5, facts // 200)
    states = [URIRef(f"{ID}state/X{i:05d}") for i in range(n_states)]
    orgs = [URIRef(f"{ID}org/synthetic-{i}") for i in range(n_orgs)]
    people = [URIRef(f"{ID}person/synthetic-{i}") for i in range(n_people)]
    sources = [URIRef(f"{ID}source/synthetic-{i}") for i in range(n_sources)]
    for i, state in enumerate(states):
        yield state, RDF.type, NG.State
        yield state, SKOS.prefLabel, Literal(f"State {i}", lang="en")
        yield state, SKOS.notation, Literal(f"X{i:05d}")
    for i, organisation in enumerate(orgs):
        yield organisation, RDF.type, rng.choice(ORG_CLASSES)
        yield organisation, SKOS.prefLabel, Literal(f"Organisation {i}", lang="en")
    for i, person in enumerate(people):
        yield person, RDF.type, NG.Person
        yield person, SKOS.prefLabel, Literal(f"Person {i}", lang="en")
    for i, source in enumerate(sources):
        yield source, RDF.type, NG.SourceText
        yield source, DCTERMS.title, Literal(f"Source text {i}", lang="en")
        yield source, NG.fileName, Literal(f"synthetic-{i}.txt")

    state_pool = states + CURATED_STATES * max(1, n_states // 200)
    org_pool = orgs + CURATED_ORGS * max(1, n_orgs // 40)
    holdings: list[URIRef] = []
    claims: list[URIRef] = []

    def year() -> Literal:
        return Literal(str(rng.randint(1945, 2024)), datatype=XSD.gYear)

    def claim_for(node: URIRef, n: int) -> Iterator[Triple]:
        claim = URIRef(f"{ID}claim/synthetic-{n}")
        source = rng.choice(sources)
        start = rng.randint(0, 400_000)
        evidence = URIRef(f"{ID}evidence/{source.rsplit('/', 1)[-1]}/{start}-{start + 40}")
        kind = rng.choices(CTYPES, weights=(6, 3, 1))[0]
        yield claim, RDF.type, NG.Claim
        yield claim, NG.claimType, kind
        yield claim, NG.statement, Literal(f"Synthetic statement {n}.", lang="en")
        yield claim, NG.supports, node
        yield claim, DCTERMS.source, source
        yield claim, NG.hasEvidence, evidence
        if kind == CTYPES[0]:
            yield claim, NG.claimantDescription, Literal("the author", lang="en")
        else:
            yield claim, NG.claimant, rng.choice(people)
            if holdings and rng.random() < 0.5:
                yield claim, NG.inCapacity, rng.choice(holdings)
            if kind == CTYPES[2]:
                yield claim, NG.quotation, Literal(f"Quoted words {n}", lang="en")
                yield claim, NG.claimDate, year()
        if rng.random() < 0.3:
            citation = URIRef(f"{ID}citation/synthetic-{n}")
            yield claim, NG.citation, citation
            yield citation, RDF.type, NG.Citation
            yield citation, NG.citingSource, source
            yield citation, NG.footnoteNumber, Literal(rng.randint(1, 99), datatype=XSD.integer)
        if claims and rng.random() < 0.01:
            yield claim, NG.conflictsWith, rng.choice(claims)
        claims.append(claim)
        quote, position = URIRef(f"{evidence}/quote"), URIRef(f"{evidence}/position")
        yield evidence, RDF.type, OA.SpecificResource
        yield evidence, OA.hasSource, source
        yield evidence, OA.hasSelector, quote
        yield evidence, OA.hasSelector, position
        yield quote, RDF.type, OA.TextQuoteSelector
        yield quote, OA.exact, Literal(f"words of fact {n}")
        yield position, RDF.type, OA.TextPositionSelector
        yield position, OA.start, Literal(start, datatype=XSD.nonNegativeInteger)
        yield position, OA.end, Literal(start + 40, datatype=XSD.nonNegativeInteger)

    kinds = rng.choices(["membership", "stance", "role", "event", "figure", "office"], weights=(40, 14, 14, 14, 9, 9), k=facts)
    for n, kind in enumerate(kinds):
        node = URIRef(f"{ID}{kind}/synthetic-{n}")
        if kind == "membership":
            yield node, RDF.type, ORG.Membership
            yield node, ORG.organization, rng.choice(org_pool)
            yield node, ORG.member, rng.choice(state_pool)
            yield node, ORG.role, rng.choices(MROLES, weights=(10, 3, 2, 1, 1, 1))[0]
            if rng.random() < 0.6:
                yield node, NG.startDate, year()
            if rng.random() < 0.1:
                yield node, NG.endDate, Literal("2025", datatype=XSD.gYear)
        elif kind == "stance":
            holder = rng.choice(state_pool + org_pool)
            norm = rng.choice(NORMS)
            stance, shortcut = rng.choice(STANCES)
            yield node, RDF.type, NG.NormStance
            yield node, NG.holder, holder
            yield node, NG.stanceType, stance
            yield node, NG.norm, norm
            yield holder, shortcut, norm
            if rng.random() < 0.5:
                yield node, NG.inOrganisation, rng.choice(org_pool)
            if rng.random() < 0.5:
                yield node, NG.inArena, rng.choice(ARENAS)
        elif kind == "role":
            holder, role = rng.choice(state_pool), rng.choice(ROLES)
            yield node, RDF.type, NG.RoleAttribution
            yield node, NG.holder, holder
            yield node, NG.roleConception, role
            yield holder, NG.hasRoleConception, role
            if rng.random() < 0.6:
                yield node, NG.inOrganisation, rng.choice(org_pool)
            if rng.random() < 0.6:
                yield node, NG.inArena, rng.choice(ARENAS)
            if rng.random() < 0.1:
                yield node, NG.inRelationTo, rng.choice(org_pool)
        elif kind == "event":
            event_type = rng.choice(ETYPES)
            yield node, RDF.type, NG.Event
            yield node, NG.eventType, event_type
            yield node, SKOS.prefLabel, Literal(f"Event {n}", lang="en")
            if rng.random() < 0.8:
                yield node, NG.date, year()
            else:
                yield node, NG.timeQualifier, Literal("in those years", lang="en")
            yield node, NG.participant, rng.choice(state_pool)
            if event_type == ETYPES[0]:
                created = rng.choice(org_pool)
                yield node, NG.createdOrganisation, created
                if rng.random() < 0.3:
                    predecessor = rng.choice(org_pool)
                    yield node, NG.predecessor, predecessor
                    yield created, NG.hasPredecessor, predecessor
        elif kind == "figure":
            yield node, RDF.type, NG.Figure
            yield node, NG.measure, rng.choice(MEASURES)
            yield node, NG.value, Literal(f"{rng.randint(1, 10**6)}.5", datatype=XSD.decimal)
            yield node, NG.unit, rng.choice(UNITS)
            yield node, NG.figureOf, rng.choice(org_pool + state_pool)
            if rng.random() < 0.7:
                yield node, NG.referenceYear, year()
        else:
            yield node, RDF.type, NG.OfficeHolding
            yield node, NG.holder, rng.choice(people)
            yield node, NG.office, rng.choice(OFFICES)
            yield node, NG.officeIn, rng.choice(state_pool)
            holdings.append(node)
        yield from claim_for(node, n)


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000.0


def _in_child(function: Callable[[], int], cap: float) -> tuple[float | None, int | None]:
    """Run ``function`` in a forked child and return (seconds, rows), or (None, None) after ``cap``."""
    context = multiprocessing.get_context("fork")
    reader, writer = context.Pipe(duplex=False)

    def target() -> None:
        started = time.perf_counter()
        rows = function()
        writer.send((time.perf_counter() - started, rows))

    process = context.Process(target=target, daemon=True)
    process.start()
    writer.close()
    try:
        return reader.recv() if reader.poll(cap) else (None, None)
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        reader.close()


def plain_rdflib(graph: Graph, query: PreparedQuery) -> int:
    """The baseline: rdflib's own ``Graph.query`` on the same (parameter-bound) text."""
    return len(list(graph.query(query.text)))


def start_worker(engine) -> float:
    """Milliseconds to start the engine's worker process (fork, and a first trivial query)."""
    started = time.perf_counter()
    execute(engine, prepare("ASK { ?s ?p ?o }"))
    return (time.perf_counter() - started) * 1000.0


def time_normgraph(engine, query: PreparedQuery, repeat: int) -> tuple[float, int]:
    samples, rows = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        result = execute(engine, query)
        samples.append(time.perf_counter() - started)
        rows = {"SELECT": len(result.rows), "ASK": 1}.get(result.form, len(result.triples))
    return _median_ms(samples), rows


def time_baseline(graph: Graph, query: PreparedQuery, repeat: int, cap: float) -> float | None:
    samples = []
    for _ in range(repeat):
        seconds, _ = _in_child(lambda: plain_rdflib(graph, query), cap)
        if seconds is None:
            return None
        samples.append(seconds)
        if seconds > 1.0:  # slow enough that one run says enough
            break
    return _median_ms(samples)


def _row(name: str, baseline: float | None, ours: float, rows: int, cap: float) -> str:
    shown = f">{cap * 1000:.0f}" if baseline is None else f"{baseline:.1f}"
    ratio = f">{cap * 1000 / ours:.1f}x" if baseline is None else f"{baseline / ours:.1f}x"
    return f"{name:<34} {shown:>12} {ours:>12.1f} {ratio:>9} {rows:>7}"


def _header(title: str) -> None:
    print(title)
    print(f"{'query':<34} {'rdflib ms':>12} {'normgraph ms':>12} {'ratio':>9} {'rows':>7}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000, help="size of the synthetic graph (default 1,000,000)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per query for the median (default 5; 3 on the large graph)")
    parser.add_argument("--baseline-cap", type=float, default=3.0, help="seconds after which a plain-rdflib run on the large graph is stopped (default 3)")
    args = parser.parse_args(argv)
    if "fork" not in multiprocessing.get_all_start_methods():
        print("this benchmark needs the fork start method (Linux)", file=sys.stderr)
        return 2

    layout = locate(Path(__file__).resolve().parent.parent)
    curated = load_parts(layout).union()
    queries = [(stored.name, stored.prepare()) for stored in stored_queries(layout)]
    print(f"engine: {DEFAULT_ENGINE} (pyoxigraph {ox.__version__}); baseline: rdflib Graph.query; ratio = rdflib / normgraph")
    print(f"{len(queries)} stored queries, default parameters; times are medians of repeated runs\n")

    engine = make_engine(curated, DEFAULT_ENGINE)
    print(f"worker start on the curated graph: {start_worker(engine):.0f} ms (once per engine)")
    _header(f"curated graph: {len(curated):,} triples (ontology, vocabularies, data); median of {args.repeat} runs")
    for name, query in queries:
        ours, rows = time_normgraph(engine, query, args.repeat)
        baseline = time_baseline(curated, query, args.repeat, cap=60.0)
        print(_row(name, baseline, ours, rows, 60.0))

    started = time.perf_counter()
    store = ox.Store()
    store.bulk_extend(ox.Quad(*map(to_oxigraph, triple)) for triple in curated)
    store.bulk_extend(ox.Quad(*map(to_oxigraph, triple)) for triple in synthetic(args.triples))
    big_engine = OxigraphEngine(store)
    size = len(store)
    print(f"\nsynthetic graph: {size:,} triples, loaded into Oxigraph in {time.perf_counter() - started:.0f} s")
    print(f"worker start on the synthetic graph: {start_worker(big_engine):.0f} ms (once per engine)")
    big_times = {}
    for name, query in queries:
        big_times[name] = time_normgraph(big_engine, query, max(1, min(args.repeat, 3)))
    del big_engine, store
    gc.collect()

    started = time.perf_counter()
    graph = Graph()
    graph += curated
    for triple in synthetic(args.triples):
        graph.add(triple)
    print(f"the same graph loaded into rdflib in {time.perf_counter() - started:.0f} s")
    _header(f"synthetic graph, {size:,} triples; normgraph median of {max(1, min(args.repeat, 3))} runs, rdflib stopped after {args.baseline_cap:g} s")
    slow = []
    for name, query in queries:
        ours, rows = big_times[name]
        baseline = time_baseline(graph, query, max(1, min(args.repeat, 3)), cap=args.baseline_cap)
        print(_row(name, baseline, ours, rows, args.baseline_cap))
        if ours > 1000.0:
            slow.append(name)
    worst = max(big_times.items(), key=lambda item: item[1][0])
    print(f"\nslowest stored query on the synthetic graph: {worst[0]} ({worst[1][0]:.0f} ms); over 1 s: {', '.join(slow) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
