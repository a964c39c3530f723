"""Benchmark: publishing a large synthetic graph against plain rdflib serialisation.

Builds a synthetic normgraph tree (the real ontology, vocabularies and shapes, plus generated
data of about ``--triples`` triples: organisations, states, memberships and the claims that
support them, split over several files as contributors would) and measures, each in a fresh
process so that neither inherits the other's memory:

* **baseline**: load the data with normgraph's parser, then serialise it with rdflib's own
  Turtle, N-Triples and JSON-LD serialisers: the least any release has to do;
* **publish**: ``normgraph.publish.publish`` on the same tree, without the validation gate (no
  shapes describe synthetic data, and validation is benchmarked with the validator): load, the
  three sorted, canonical dumps, the ontology and shapes dumps, every dump read back by
  Oxigraph and compared, the statistics of void.ttl, the documentation and SHA256SUMS.

Reported: wall-clock and CPU time (user + system; steadier than wall time on a shared machine)
and peak resident memory of each, per-phase wall times, and publish / baseline as ratios. Peak
memory is the child's ``ru_maxrss``. Memory stays bounded because the dumps are streamed to
disk, N-Triples are sorted in runs spilled to temporary files, and the release graph is the data
graph extended in place rather than copied.

    python bench/bench_publish.py                 # about 1,000,000 triples
    python bench/bench_publish.py --triples 100000
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Triples written per generated membership: five on the membership node, six on its claim.
TRIPLES_PER_UNIT = 11
#: Generated data files, as several contributors would add them.
FILES = 10

PREFIXES = """\
@prefix ng: <https://w3id.org/normgraph/ontology#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix mrole: <https://w3id.org/normgraph/vocab/membership-role/> .
@prefix ctype: <https://w3id.org/normgraph/vocab/claim-type/> .
@prefix org-id: <https://w3id.org/normgraph/id/org/> .
@prefix state: <https://w3id.org/normgraph/id/state/> .
@prefix membership: <https://w3id.org/normgraph/id/membership/> .
@prefix claim: <https://w3id.org/normgraph/id/claim/> .
@prefix source: <https://w3id.org/normgraph/id/source/> .
"""


def write_synthetic_tree(root: Path, triples: int) -> int:
    """A tree with the repository's ontology and shapes and about ``triples`` triples of data;
    returns the number of data triples written."""
    for folder in ("ontology", "shapes"):
        shutil.copytree(ROOT / folder, root / folder)
    (root / "queries").mkdir()
    data = root / "data"
    data.mkdir()
    units = max(1, triples // TRIPLES_PER_UNIT)
    organisations = max(1, units // 50)
    written = 0
    per_file = -(-units // FILES)
    for index in range(FILES):
        lines = [PREFIXES]
        for unit in range(index * per_file, min(units, (index + 1) * per_file)):
            org, state = unit % organisations, unit // organisations
            if state == 0:
                lines.append(
                    f'org-id:synthetic-{org} a ng:IntergovernmentalOrganisation ;\n'
                    f'    skos:prefLabel "Synthetic organisation {org}"@en ; skos:altLabel "SO{org}"@en .\n'
                )
                written += 3
            if org == 0:
                lines.append(f'state:S{state:06d} a ng:State ;\n    skos:prefLabel "Synthetic state {state}"@en ; skos:notation "S{state:06d}" .\n')
                written += 3
            lines.append(
                f"membership:s{unit} a org:Membership ;\n"
                f"    org:member state:S{state:06d} ; org:organization org-id:synthetic-{org} ;\n"
                f'    org:role mrole:member ; ng:startDate "{1950 + unit % 70}"^^xsd:gYear .\n'
                f"claim:s{unit} a ng:Claim ;\n"
                f"    ng:claimType ctype:authorial ; ng:supports membership:s{unit} ;\n"
                f'    ng:statement "Synthetic state {state} is a member of synthetic organisation {org}."@en ;\n'
                f"    dcterms:source source:synthetic ;\n"
                f'    ng:claimDate "{1950 + unit % 70}-{1 + unit % 12:02d}"^^xsd:gYearMonth .\n'
            )
            written += 11
        (data / f"synthetic-{index:02d}.ttl").write_text("".join(lines), encoding="utf-8")
    (data / "synthetic-source.ttl").write_text(
        PREFIXES + 'source:synthetic a ng:Source ;\n    dcterms:title "A synthetic source"@en .\n', encoding="utf-8"
    )
    return written + 2


BASELINE = """
import json, resource, sys, time
from pathlib import Path
from normgraph.layout import Layout
from normgraph.load import parse_files
root, out = Path(sys.argv[1]), Path(sys.argv[2])
layout = Layout(root, bundled=False)
phases = {}
start = time.perf_counter()
graph = parse_files(layout.ontology_files() + layout.data_files())
phases["load"] = time.perf_counter() - start
for fmt, suffix in (("turtle", "ttl"), ("nt", "nt"), ("json-ld", "jsonld")):
    began = time.perf_counter()
    graph.serialize(destination=str(out / f"baseline.{suffix}"), format=fmt, encoding="utf-8")
    phases[fmt] = time.perf_counter() - began
total = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": total, "cpu": usage.ru_utime + usage.ru_stime, "phases": phases, "peak_kib": usage.ru_maxrss, "triples": len(graph)}))
"""

PUBLISH = """
import json, resource, sys, time
from pathlib import Path
from normgraph.layout import Layout
from normgraph.publish import publish
root, out = Path(sys.argv[1]), Path(sys.argv[2])
phases, marks = {}, [("start", time.perf_counter())]
def progress(step):
    marks.append((step, time.perf_counter()))
start = time.perf_counter()
release = publish(Layout(root, bundled=False), out, gate=None, progress=progress)
total = time.perf_counter() - start
marks.append(("end", time.perf_counter()))
def phase(step):
    if step.startswith("writing docs"):
        return "documentation"
    if step in ("writing void.ttl", "writing SHA256SUMS"):
        return "void.ttl and SHA256SUMS"
    return {"loading": "load", "writing": "write dumps", "reading": "read back in Oxigraph", "counting": "statistics"}[step.split(" ")[0]]
for (step, began), (_, ended) in zip(marks[1:], marks[2:]):
    phases[phase(step)] = phases.get(phase(step), 0.0) + (ended - began)
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": total, "cpu": usage.ru_utime + usage.ru_stime, "phases": phases, "peak_kib": usage.ru_maxrss, "triples": release.triples}))
"""


def run(script: str, root: Path, out: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", script, str(root), str(out)], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"benchmark step failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000, help="approximate size of the synthetic data (default: %(default)s)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="normgraph-bench-") as scratch:
        root = Path(scratch) / "tree"
        root.mkdir()
        data_triples = write_synthetic_tree(root, args.triples)
        size = sum(p.stat().st_size for p in (root / "data").glob("*.ttl"))
        print(f"synthetic tree: {data_triples:,} data triples in {FILES + 1} files ({size / 2**20:.1f} MiB of Turtle)")
        (Path(scratch) / "baseline").mkdir()
        baseline = run(BASELINE, root, Path(scratch) / "baseline")
        published = run(PUBLISH, root, Path(scratch) / "dist")
        release = next((Path(scratch) / "dist").iterdir())
        release_size = sum(p.stat().st_size for p in release.rglob("*") if p.is_file())

    print(f"graph: {baseline['triples']:,} triples (ontology + vocabularies + data); release {release_size / 2**20:.1f} MiB")
    print()
    print(f"{'':36}{'wall s':>9}{'CPU s':>9}{'peak MiB':>10}")
    rows = (("baseline: rdflib load + serialise", baseline), ("normgraph publish (no gate)", published))
    for title, run_ in rows:
        print(f"{title:36}{run_['seconds']:>9.1f}{run_['cpu']:>9.1f}{run_['peak_kib'] / 1024:>10.0f}")
        for phase, seconds in run_["phases"].items():
            print(f"{'    ' + phase:36}{seconds:>9.1f}")
    print()
    print(
        f"ratio publish / baseline: CPU time {published['cpu'] / baseline['cpu']:.2f}, "
        f"wall time {published['seconds'] / baseline['seconds']:.2f}, peak memory {published['peak_kib'] / baseline['peak_kib']:.2f}"
    )
    if published["triples"] != baseline["triples"]:
        print(f"warning: the release holds {published['triples']} triples, the baseline graph {baseline['triples']}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
