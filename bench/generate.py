"""Write a deterministic synthetic normgraph tree of about N triples, for the scale benchmarks.

The tree is this repository's own, grown: the ontology, shapes, stored queries and rules are
copied as they are, the entity files of ``data/`` (states, organisations, people, territories,
sources, works) once, and the fact files (claims and everything they support) as many times as it
takes to reach the size asked for, each copy under new IRIs (``-c7`` appended to the name of every
node a fact file describes). Evidence anchors stay shared: an anchor's IRI is its source and
offsets, and every copy quotes the same passage, so each copy is as valid as the original and the
evidence rule is exercised on every claim. The source texts are copied into the tree's
``texts/`` folder, so the tree validates wherever it is written.

A stated number of known faults (three violations and a warning, by default) is then injected
into the last copy (:data:`INJECTIONS`), each breaking one rule on one node; ``expected.json``
lists them, so a benchmark can check that a validation finds exactly these and nothing else.

    python bench/generate.py OUT --triples 1000000
    python bench/generate.py OUT --triples 100000 --faults 0

Equal arguments give byte-identical trees.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from normgraph.layout import locate  # noqa: E402
from normgraph.load import read_quads  # noqa: E402

#: The data files that describe entities every copy refers to; they are written once.
ENTITY_FILES = ("states.ttl", "organisations.ttl", "people.ttl", "territories.ttl", "sources.ttl", "works.ttl")
ID = "https://w3id.org/normgraph/id/"
EVIDENCE = ID + "evidence/"
NG = "https://w3id.org/normgraph/ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"
NGSH = "https://w3id.org/normgraph/shapes#"
PREFIXES = {"ng": NG, "xsd": XSD}
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


@dataclass(frozen=True)
class Injection:
    """A known fault: on the first node of ``kind`` in the last copy, ``predicate`` gets
    ``value`` (or loses every value if ``value`` is None); ``shape`` names the shape it breaks,
    ``severity`` the result's severity."""

    kind: str
    predicate: str
    value: ox.Literal | ox.NamedNode | None
    shape: str
    severity: str = "Violation"


#: The faults injected, in order; ``--faults N`` takes the first N (cycling with new
#: nodes of the kind when N is larger than the list).
INJECTIONS = (
    Injection(NG + "Claim", NG + "hasEvidence", None, NGSH + "Claim-evidence-present"),
    Injection(NG + "Figure", NG + "referenceYear", ox.Literal("sometime", datatype=ox.NamedNode(XSD + "gYear")), NGSH + "DateFormShape"),
    Injection(NG + "Claim", NG + "claimType", None, NGSH + "Claim-claimType-one"),
    Injection(NG + "Claim", NG + "statement", None, NGSH + "Claim-statement-present", "Warning"),
)


def _renamed(term, suffix: str, own: set[str]):
    """``term`` under its copy's IRI if the fact files describe it, else as it is."""
    if isinstance(term, ox.NamedNode) and term.value in own:
        return ox.NamedNode(term.value + suffix)
    return term


def _anchor(quad: ox.Quad) -> bool:
    return isinstance(quad.subject, ox.NamedNode) and quad.subject.value.startswith(EVIDENCE)


def _fact_quads(data: Path) -> tuple[list[ox.Quad], list[ox.Quad], set[str]]:
    """The triples of the fact files without the evidence anchors, the anchors' triples, and the
    IRIs the fact files describe (anchors and the entities of the entity files excepted)."""
    entities = {q.subject.value for name in ENTITY_FILES for q in read_quads(data / name) if isinstance(q.subject, ox.NamedNode)}
    quads = [q for path in sorted(data.glob("*.ttl")) if path.name not in ENTITY_FILES for q in read_quads(path)]
    facts = [q for q in quads if not _anchor(q)]
    own = {q.subject.value for q in facts if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(ID)} - entities
    return facts, [q for q in quads if _anchor(q)], own


def _inject(triples: list[ox.Triple], count: int) -> list[dict[str, str]]:
    """Apply ``count`` injections to ``triples`` (one copy, changed in place); what was done."""
    done: list[dict[str, str]] = []
    used: set[str] = set()
    for index in range(count):
        injection = INJECTIONS[index % len(INJECTIONS)]
        kind = ox.NamedNode(injection.kind)
        nodes = sorted({t.subject.value for t in triples if t.predicate == RDF_TYPE and t.object == kind} - used)
        if not nodes:
            raise SystemExit(f"generate: no node of kind {injection.kind} left to break")
        node = nodes[0]
        used.add(node)
        predicate = ox.NamedNode(injection.predicate)
        triples[:] = [t for t in triples if not (t.subject.value == node and t.predicate == predicate)]
        if injection.value is not None:
            triples.append(ox.Triple(ox.NamedNode(node), predicate, injection.value))
        done.append({"focus": node, "path": injection.predicate, "shape": injection.shape, "severity": injection.severity})
    return done


def _write(triples: list, path: Path) -> None:
    """Turtle, in a stable order, so equal arguments give equal bytes."""
    ordered = sorted((ox.Triple(t.subject, t.predicate, t.object) for t in triples), key=str)
    ox.serialize(ordered, output=path, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)


def generate(out: Path, triples: int, faults: int) -> dict[str, object]:
    """Write the tree into ``out`` (which must not exist); a summary of what was written."""
    layout = locate(ROOT)
    out.mkdir(parents=True)
    for folder in ("ontology", "shapes", "queries", "rules"):
        shutil.copytree(ROOT / folder, out / folder)
    (out / "data").mkdir()
    for name in ENTITY_FILES:
        shutil.copy(layout.data_dir / name, out / "data" / name)
    seeds = layout.default_sources_dir()
    if seeds is None:
        raise SystemExit("generate: the source texts (../shared/seeds) are not beside the repository")
    shutil.copytree(seeds, out / "texts")
    facts, anchors, own = _fact_quads(layout.data_dir)
    _write(anchors, out / "data" / "evidence.ttl")
    base = len(anchors) + sum(len(read_quads(p)) for p in layout.ontology_files() + [out / "data" / n for n in ENTITY_FILES])
    copies = max(1, -(-(triples - base) // len(facts)))
    injected: list[dict[str, str]] = []
    for number in range(1, copies + 1):
        suffix = f"-c{number}"
        copy = [ox.Triple(_renamed(q.subject, suffix, own), q.predicate, _renamed(q.object, suffix, own)) for q in facts]
        if number == copies and faults:
            injected = _inject(copy, faults)
        _write(copy, out / "data" / f"copy-{number:05d}.ttl")
    summary = {"triples": base + copies * len(facts), "copies": copies, "facts_per_copy": len(facts), "faults": injected}
    (out / "expected.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="the folder to write (must not exist)")
    parser.add_argument("--triples", type=int, default=1_000_000, help="about how many triples (default 1,000,000)")
    parser.add_argument("--faults", type=int, default=len(INJECTIONS), help=f"known faults to inject (default {len(INJECTIONS)})")
    args = parser.parse_args(argv)
    if args.out.exists():
        parser.error(f"{args.out} exists; give a new folder")
    summary = generate(args.out, args.triples, args.faults)
    print(f"{args.out}: {summary['triples']} triples ({summary['copies']} copies of {summary['facts_per_copy']} fact triples), {len(summary['faults'])} known faults injected")
    return 0


if __name__ == "__main__":
    sys.exit(main())
