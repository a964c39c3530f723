"""Build a release: versioned dumps, their description, checksums and documentation.

A release is a folder ``normgraph-VERSION`` inside the output folder::

    normgraph-VERSION/
      normgraph-VERSION.ttl            ontology + vocabularies + data, Turtle
      normgraph-VERSION.nt             the same, sorted canonical N-Triples
      normgraph-VERSION.jsonld         the same, JSON-LD with an inline context
      normgraph-ontology-VERSION.ttl   the ontology and its SKOS vocabularies alone
      normgraph-shapes-VERSION.ttl     the SHACL shapes the data conforms to
      normgraph-inferred-VERSION.ttl   (--inferred) the OWL-RL entailments, never mixed into
      normgraph-inferred-VERSION.nt    the asserted dumps
      void.ttl                         VoID + DCAT description: counts, partitions, distributions
      SHA256SUMS                       checksum of every other file (sha256sum -c SHA256SUMS)
      docs/                            HTML documentation (index.html to start)

How a release stays trustworthy:

* **Validated first.** :func:`release_gate` (version agreement, the gate's rules, OWL-RL
  consistency) must report nothing, or nothing is written at all.
* **All or nothing.** The release is built in a hidden temporary folder inside the output folder
  and renamed into place only when complete, so a failure or an interruption leaves no partial
  release, and a release already in the folder is never touched. A published version does not
  change: rebuilding one that exists either reproduces it byte for byte (and leaves it alone) or
  is refused, unless ``replace`` is asked for.
* **Deterministic.** Writers from :mod:`normgraph.serialize`; dates from the ontology header
  (``dcterms:issued``, ``dcterms:modified``), never from the clock; file order sorted.
* **Read back.** Every dump is parsed again by an independent parser (Oxigraph), canonicalised,
  and must give exactly the triples of the canonical N-Triples, or the build fails.
"""

from __future__ import annotations

import filecmp
import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS

from .display import DISPLAY_PREFIXES
from .docs import write_documentation
from .errors import NormgraphError
from .layout import Layout
from .load import Parts
from .namespaces import ONTOLOGY_IRI, PREFIXES, bind_prefixes
from .reason import closure
from .serialize import ntriples_digest, sorted_unique, write_jsonld, write_ntriples, write_turtle
from .validate import Tree, load_tree
from .validation_report import one_line
from .version import read_versions, version_problems
from .void import DATASET_DESCRIPTION, DATASET_TITLE, RELEASE_URL, VOID_PREFIXES, Distribution, Part, ReleaseInfo, release_description, statistics
from .worktree import uncommitted

#: Media types of the files a release holds, by suffix.
MEDIA_TYPES = {".ttl": "text/turtle", ".nt": "application/n-triples", ".jsonld": "application/ld+json"}
FORMAT_NAMES = {".ttl": "Turtle", ".nt": "N-Triples", ".jsonld": "JSON-LD"}
_OX_FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES, ".jsonld": ox.RdfFormat.JSON_LD}

#: Entailments every OWL-RL reasoner adds for every resource (x owl:sameAs x, C rdfs:subClassOf C
#: ...). They say nothing about the data and are left out of the inferred dump.
_REFLEXIVE = (OWL.sameAs, RDFS.subClassOf, OWL.equivalentClass, RDFS.subPropertyOf, OWL.equivalentProperty)


class PublishError(NormgraphError):
    """The release cannot be built (the gate failed, a dump did not read back, the version
    exists with other content ...)."""

    exit_code = 1


@dataclass(frozen=True)
class ReleaseFile:
    """One file of a built release, relative to the release folder."""

    name: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Release:
    """The outcome of :func:`publish`. ``status`` is ``built``, ``unchanged`` (the same release
    was already there, byte for byte) or ``replaced``."""

    folder: Path
    version: str
    status: str
    files: tuple[ReleaseFile, ...]
    triples: int


# --------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------


@dataclass
class Inputs:
    """The tree as loaded once (:func:`normgraph.validate.load_tree`), and the ontology files
    one by one for the documentation."""

    tree: Tree
    ontology_files: list[tuple[Path, Graph]]
    _closure: Graph | None = None

    @property
    def parts(self) -> Parts:
        return self.tree.parts

    def closure(self) -> Graph:
        """The OWL-RL closure of ontology + data, for the inferred dump (computed on first use)."""
        if self._closure is None:
            self._closure = closure(self.parts.union())
        return self._closure


def load_inputs(layout: Layout) -> Inputs:
    """Load the tree once; the gate and the dumps then see exactly the same graphs."""
    tree = load_tree(layout)
    return Inputs(tree, list(tree.parts.file_graphs("ontology").items()))


def _one(graph: Graph, subject: URIRef, predicate: URIRef, what: str):
    values = sorted(graph.objects(subject, predicate))
    if len(values) != 1:
        raise PublishError(f"the ontology header needs exactly one {what}; it has {len(values)}")
    return values[0]


def release_info(ontology: Graph, release_url: str = RELEASE_URL) -> ReleaseInfo:
    """What the release says about itself, read from the ontology header, never the clock."""
    header = URIRef(ONTOLOGY_IRI)
    if (header, RDF.type, OWL.Ontology) not in ontology:
        raise PublishError(f"no owl:Ontology <{ONTOLOGY_IRI}> in the ontology files")

    def day(predicate: URIRef, what: str) -> date:
        value = _one(ontology, header, predicate, what)
        if not (isinstance(value, Literal) and isinstance(value.toPython(), date)):
            raise PublishError(f"the ontology header's {what} must be an xsd:date, not {value.n3()}")
        return value.toPython()

    prior = ontology.value(header, OWL.priorVersion)
    rights = ontology.value(header, DCTERMS.rights)
    return ReleaseInfo(
        version=str(_one(ontology, header, OWL.versionInfo, "owl:versionInfo")),
        version_iri=_one(ontology, header, OWL.versionIRI, "owl:versionIRI"),
        prior_version=str(prior).rsplit("/", 1)[-1] if prior is not None else None,
        title=str(_one(ontology, header, DCTERMS.title, "dcterms:title")),
        description=str(_one(ontology, header, DCTERMS.description, "dcterms:description")),
        license=_one(ontology, header, DCTERMS.license, "dcterms:license"),
        rights=str(rights) if rights is not None else None,
        creators=tuple(sorted(str(c) for c in ontology.objects(header, DCTERMS.creator))),
        publishers=tuple(sorted(str(p) for p in ontology.objects(header, DCTERMS.publisher))),
        issued=day(DCTERMS.issued, "dcterms:issued"),
        modified=day(DCTERMS.modified, "dcterms:modified"),
        release_url=release_url,
    )


# --------------------------------------------------------------------------------------------
# The gate
# --------------------------------------------------------------------------------------------


def release_gate(inputs: Inputs) -> list[str]:
    """Every reason not to release, empty when there is none.

    In order: the version statements must agree (:func:`normgraph.version.version_problems`);
    the data must break no rule of the gate (:func:`normgraph.gate.tree_report`, the rule set
    behind ``validate``, ``add`` and ``check``, every evidence anchor checked against its source
    text; warnings do not block a release); the OWL-RL closure of ontology + data must be
    consistent (:func:`normgraph.consistency.tree_inconsistencies`, as ``check`` runs it). All of it
    runs on the graphs the release is then built from.
    """
    from .consistency import tree_inconsistencies  # noqa: PLC0415 - the check that `normgraph check` runs
    from .gate import tree_report  # noqa: PLC0415 - the gate loads pySHACL; only a release pays it

    parts = inputs.parts
    problems = [f"version: {p}" for p in version_problems(read_versions(parts.layout, dict(inputs.ontology_files)))]
    problems.extend(f"validation: {one_line(result)}" for result in tree_report(inputs.tree).results if result.is_violation)
    problems.extend(f"OWL-RL: {message}" for message in tree_inconsistencies(parts))
    return problems


def committed_data(layout: Layout, *, allow_dirty: bool) -> str | None:
    """Whether ``data/`` is committed, so that a release can be traced to a commit. Raises
    :class:`PublishError` listing the uncommitted changes unless ``allow_dirty``; returns a
    warning to show when they are allowed, or when the tree is not a git work tree and so
    cannot tell."""
    changes = uncommitted(layout.root, layout.data_dir)
    if changes is None:
        return f"{layout.root} is not a git work tree: cannot tell whether data/ is committed; building anyway"
    if not changes:
        return None
    listed = "\n  ".join(changes)
    if not allow_dirty:
        raise PublishError(f"data/ has uncommitted changes; commit them (or pass --allow-dirty to build anyway):\n  {listed}")
    return f"building with uncommitted changes in data/ (--allow-dirty):\n  {listed}"


# --------------------------------------------------------------------------------------------
# Building
# --------------------------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _oxigraph_lines(path: Path) -> Iterator[str]:
    """The triples of ``path`` as Oxigraph parses them, as N-Triples lines with canonical blank
    node labels. RDFC-1.0 labels depend only on the triples that touch a blank node, so only
    those are held in memory and canonicalised; the rest stream straight through."""
    blank = []
    for quad in ox.parse(path=str(path), format=_OX_FORMATS[path.suffix]):
        if isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode):
            blank.append(quad)
        else:
            yield f"{quad.subject} {quad.predicate} {quad.object} .\n"
    if blank:
        dataset = ox.Dataset(blank)
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        for quad in dataset:
            yield f"{quad.subject} {quad.predicate} {quad.object} .\n"


def read_back(path: Path, expected: str) -> None:
    """Parse ``path`` with Oxigraph, canonicalise it, and require the SHA-256 of its sorted
    N-Triples to be ``expected``: the file holds exactly the graph that was meant."""
    digest = hashlib.sha256()
    try:
        for line in sorted_unique(_oxigraph_lines(path)):
            digest.update(line.encode("utf-8"))
    except (SyntaxError, ValueError, OSError) as exc:
        raise PublishError(f"{path.name} does not parse in Oxigraph: {exc}") from None
    if digest.hexdigest() != expected:
        raise PublishError(f"{path.name} does not read back in Oxigraph as the graph that was written")


def inferred_triples(graph: Graph, expanded: Graph) -> Graph:
    """What the OWL-RL closure of ``graph`` adds to it, less the reflexive triples every resource
    gets and the generalised triples about literals (``"2001"^^xsd:gYear a xsd:gYear``) that owlrl
    adds but RDF cannot state. ``expanded`` is the closure of ``graph``."""
    added = bind_prefixes(Graph())
    for s, p, o in expanded:
        if isinstance(s, Literal) or (s, p, o) in graph or (s == o and p in _REFLEXIVE):
            continue
        added.add((s, p, o))
    return added


@dataclass
class _Dump:
    graph: Graph
    title: str
    description: str
    fragment: str
    files: list[Path]


def _write_dump(
    folder: Path,
    stem: str,
    graph: Graph,
    suffixes: tuple[str, ...],
    progress: Callable[[str], None],
    prefixes: Mapping[str, str] = PREFIXES,
) -> tuple[list[Path], int]:
    """Write ``graph`` in each format, check the counts agree and that each file reads back."""
    paths, counts = [], {}
    for suffix in suffixes:
        path = folder / f"{stem}{suffix}"
        progress(f"writing {path.name}")
        if suffix == ".nt":
            counts[suffix] = write_ntriples(graph, path)
        elif suffix == ".ttl":
            counts[suffix] = write_turtle(graph, path, prefixes=prefixes)
        else:
            counts[suffix] = write_jsonld(graph, path, prefixes=prefixes)
        paths.append(path)
    if len(set(counts.values())) != 1:
        raise PublishError(f"the dumps of {stem} disagree on the number of triples: {counts}")
    expected = sha256_of(folder / f"{stem}.nt") if ".nt" in suffixes else ntriples_digest(graph)[0]
    for path in paths:
        progress(f"reading back {path.name}")
        read_back(path, expected)
    return paths, next(iter(counts.values()))


def _sums(folder: Path) -> list[ReleaseFile]:
    files = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = path.relative_to(folder).as_posix()
        if name != "SHA256SUMS":
            files.append(ReleaseFile(name, path.stat().st_size, sha256_of(path)))
    return files


def _build(folder: Path, inputs: Inputs, info: ReleaseInfo, inferred: bool, progress: Callable[[str], None]) -> int:
    """Write the whole release into ``folder``; return the triples in the main dump."""
    parts, version = inputs.parts, info.version
    # The data graph becomes the release graph in place: at a million triples a copy would double
    # the memory a release needs. Nothing reads parts.data as data-only after this point.
    release = parts.data
    release += parts.ontology
    dumps: list[_Dump] = []
    paths, triples = _write_dump(folder, f"normgraph-{version}", release, (".nt", ".ttl", ".jsonld"), progress)
    dumps.append(_Dump(release, DATASET_TITLE, DATASET_DESCRIPTION, "dataset", paths))
    paths, _ = _write_dump(folder, f"normgraph-ontology-{version}", parts.ontology, (".ttl",), progress)
    dumps.append(_Dump(parts.ontology, info.title, info.description, "ontology", paths))
    paths, _ = _write_dump(folder, f"normgraph-shapes-{version}", parts.shapes, (".ttl",), progress, DISPLAY_PREFIXES)
    dumps.append(
        _Dump(parts.shapes, "normgraph SHACL shapes", "The SHACL shapes that the data of this release conforms to.", "shapes", paths)
    )
    if inferred:
        progress("computing the OWL-RL closure")
        added = inferred_triples(release, inputs.closure())
        paths, _ = _write_dump(folder, f"normgraph-inferred-{version}", added, (".nt", ".ttl"), progress)
        dumps.append(
            _Dump(
                added,
                "normgraph OWL-RL entailments",
                "The triples the OWL-RL closure of this release adds to it (reflexive sameAs, "
                "subClassOf, subPropertyOf and equivalence triples left out). Load it beside the "
                "asserted dump to query with inference.",
                "inferred",
                paths,
            )
        )

    described: list[Part] = []
    downloads: list[Distribution] = []
    for dump in dumps:
        progress(f"counting {dump.fragment}")
        dists = tuple(
            Distribution(
                name=path.name,
                title=f"{dump.title}, {FORMAT_NAMES[path.suffix]}",
                media_type=MEDIA_TYPES[path.suffix],
                size=path.stat().st_size,
                sha256=sha256_of(path),
            )
            for path in dump.files
        )
        downloads.extend(dists)
        described.append(Part(info.part(dump.fragment), dump.title, dump.description, statistics(dump.graph), dists))
    if described[0].statistics.triples != triples:
        raise PublishError(f"the description counts {described[0].statistics.triples} triples, the dumps hold {triples}")

    progress("writing docs/")
    write_documentation(
        folder / "docs",
        info=info,
        ontology_files=inputs.ontology_files,
        shapes=parts.shapes,
        labels=release,
        downloads=downloads,
        progress=lambda name: progress(f"writing docs/{name}"),
    )
    progress("writing void.ttl")
    by_fragment = {part.iri.rsplit("#", 1)[-1]: part for part in described}
    description = release_description(
        info,
        main=by_fragment["dataset"],
        ontology=by_fragment["ontology"],
        shapes=by_fragment["shapes"],
        inferred=by_fragment.get("inferred"),
        documentation="docs/index.html",
    )
    write_turtle(description, folder / "void.ttl", prefixes=VOID_PREFIXES)
    progress("writing SHA256SUMS")
    sums = "".join(f"{f.sha256}  {f.name}\n" for f in _sums(folder))
    (folder / "SHA256SUMS").write_text(sums, encoding="utf-8", newline="\n")
    return triples


def _same_tree(left: Path, right: Path) -> bool:
    def listing(root: Path) -> list[str]:
        return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())

    names = listing(left)
    return names == listing(right) and all(filecmp.cmp(left / n, right / n, shallow=False) for n in names)


def _fix_modes(folder: Path) -> None:
    """mkdtemp makes a private folder; a release is meant to be read by others."""
    for path in [folder, *folder.rglob("*")]:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)


def publish(
    layout: Layout,
    out: Path,
    *,
    inferred: bool = False,
    replace: bool = False,
    gate: Callable[[Inputs], list[str]] | None = release_gate,
    release_url: str = RELEASE_URL,
    progress: Callable[[str], None] = lambda _: None,
) -> Release:
    """Build the release of ``layout`` as ``out/normgraph-VERSION``.

    ``gate`` decides whether the tree may be released (:func:`release_gate`); None skips it, for
    benchmarks of the writers on synthetic data that no shape describes. Raises
    :class:`PublishError` if the gate reports anything, a dump does not read back, or a different
    release of the same version is already in ``out`` and ``replace`` is false.
    """
    progress("loading the tree")
    inputs = load_inputs(layout)
    info = release_info(inputs.parts.ontology, release_url)
    if gate is not None:
        progress("validating")
        problems = gate(inputs)
        if problems:
            shown = "\n  ".join(problems[:50])
            more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
            raise PublishError(f"the tree is not releasable; nothing was written:\n  {shown}{more}")

    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"normgraph-{info.version}"
    staging = Path(tempfile.mkdtemp(prefix=f".normgraph-{info.version}.", suffix=".partial", dir=out))
    try:
        triples = _build(staging, inputs, info, inferred, progress)
        _fix_modes(staging)
        files = tuple(_sums(staging)) + (ReleaseFile("SHA256SUMS", (staging / "SHA256SUMS").stat().st_size, sha256_of(staging / "SHA256SUMS")),)
        if target.exists():
            if _same_tree(staging, target):
                shutil.rmtree(staging)
                return Release(target, info.version, "unchanged", tuple(sorted(files, key=lambda f: f.name)), triples)
            if not replace:
                raise PublishError(
                    f"{target} already holds a different release of {info.version}. A published version "
                    "never changes: bump the version (see docs/releasing.md), or pass --replace to overwrite it"
                )
            retired = Path(tempfile.mkdtemp(prefix=f".normgraph-{info.version}.", suffix=".old", dir=out))
            os.rename(target, retired / target.name)
            try:
                os.rename(staging, target)
            except OSError:
                os.rename(retired / target.name, target)
                raise
            shutil.rmtree(retired)
            status = "replaced"
        else:
            os.rename(staging, target)
            status = "built"
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if created and not any(out.iterdir()):
            out.rmdir()
        raise
    return Release(target, info.version, status, tuple(sorted(files, key=lambda f: f.name)), triples)
