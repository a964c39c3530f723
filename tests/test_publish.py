"""Publishing: deterministic serialisation, the release folder and its gate, the VoID/DCAT
description, the documentation, interoperability with independent parsers, and the version
statements that move together."""

from __future__ import annotations

import hashlib
import html.parser
import json
import os
import shutil
import socket
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path
from urllib.parse import urldefrag

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, OWL, RDF, VOID, XSD

from normgraph import docs as docs_module
from normgraph.errors import NormgraphError
from normgraph.layout import Layout, locate
from normgraph.load import parse_file
from normgraph.publish import PublishError, Release, committed_data, load_inputs, publish, release_gate
from normgraph.engines import OxigraphEngine, comparable_result
from normgraph.query import stored_queries
from normgraph.worker import execute
from normgraph.serialize import (
    SerializationError,
    normal_term,
    ntriples_digest,
    to_jsonld,
    to_ntriples,
    to_turtle,
    write_ntriples,
    write_turtle,
)
from normgraph.version import bump_version, read_versions, version_problems
from normgraph.void import DCAT, SPDX

from .conftest import FIXTURES, ROOT, run_cli

VERSION = read_versions(locate(ROOT)).version
OX_FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES, ".jsonld": ox.RdfFormat.JSON_LD}
RDFLIB_FORMATS = {".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld"}


def normalised(graph: Graph) -> Graph:
    """``graph`` with literals in their RDF 1.1 form, as every dump writes them."""
    result = Graph()
    for s, p, o in graph:
        result.add((s, p, normal_term(o)))
    return result


def from_oxigraph(path: Path) -> Graph:
    """Parse ``path`` with Oxigraph (an independent parser) and hand the triples to rdflib."""
    lines = "".join(f"{q.subject} {q.predicate} {q.object} .\n" for q in ox.parse(path=str(path), format=OX_FORMATS[path.suffix]))
    return Graph().parse(data=lines, format="nt")


# ==============================================================================================
# Deterministic serialisation
# ==============================================================================================

SMALL = """
@prefix ng: <https://w3id.org/normgraph/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix state: <https://w3id.org/normgraph/id/state/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
state:RUS skos:prefLabel "Russia"@EN ; a ng:State ; skos:notation "RUS"^^xsd:string ;
    skos:altLabel "Russian Federation"@en , "\\"Rossiya\\"\\ttab"@en ;
    ng:population "146"^^xsd:integer ; ng:share 0.50 ; ng:flag true ; ng:since "1991"^^xsd:gYear .
<https://w3id.org/normgraph/id/evidence/src/1-2> a ng:Thing .
"""

SMALL_TURTLE = """\
@prefix ng: <https://w3id.org/normgraph/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix state: <https://w3id.org/normgraph/id/state/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

<https://w3id.org/normgraph/id/evidence/src/1-2>
    a ng:Thing .

state:RUS
    a ng:State ;
    skos:altLabel "Russian Federation"@en , "\\"Rossiya\\"\\ttab"@en ;
    skos:notation "RUS" ;
    skos:prefLabel "Russia"@en ;
    ng:flag true ;
    ng:population 146 ;
    ng:share 0.50 ;
    ng:since "1991"^^xsd:gYear .
"""

SMALL_NTRIPLES = """\
<https://w3id.org/normgraph/id/evidence/src/1-2> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/normgraph/ontology#Thing> .
<https://w3id.org/normgraph/id/state/RUS> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/normgraph/ontology#State> .
<https://w3id.org/normgraph/id/state/RUS> <http://www.w3.org/2004/02/skos/core#altLabel> "Russian Federation"@en .
<https://w3id.org/normgraph/id/state/RUS> <http://www.w3.org/2004/02/skos/core#altLabel> "\\"Rossiya\\"\\ttab"@en .
<https://w3id.org/normgraph/id/state/RUS> <http://www.w3.org/2004/02/skos/core#notation> "RUS" .
<https://w3id.org/normgraph/id/state/RUS> <http://www.w3.org/2004/02/skos/core#prefLabel> "Russia"@en .
<https://w3id.org/normgraph/id/state/RUS> <https://w3id.org/normgraph/ontology#flag> "true"^^<http://www.w3.org/2001/XMLSchema#boolean> .
<https://w3id.org/normgraph/id/state/RUS> <https://w3id.org/normgraph/ontology#population> "146"^^<http://www.w3.org/2001/XMLSchema#integer> .
<https://w3id.org/normgraph/id/state/RUS> <https://w3id.org/normgraph/ontology#share> "0.50"^^<http://www.w3.org/2001/XMLSchema#decimal> .
<https://w3id.org/normgraph/id/state/RUS> <https://w3id.org/normgraph/ontology#since> "1991"^^<http://www.w3.org/2001/XMLSchema#gYear> .
"""

# Blank nodes of every shape: nested property lists, RDF lists (also of blank nodes), a node
# shared by two subjects, a two-node cycle, a self-loop, an empty [] and an unreferenced subject.
BLANKS = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:S a sh:NodeShape ;
    sh:property [ sh:path ex:p ; sh:minCount 1 ; sh:in ( "a" "b" [ ex:q 2.50 ] ) ;
                  sh:or ( [ sh:class ex:A ] [ sh:class ex:B ] ) ] ,
                [ sh:path ( ex:a [ sh:inversePath ex:b ] ) ;
                  sh:message "tab\\there \\"quoted\\" back\\\\slash\\nnew \\u0001 \\u007F é" ] .
_:shared ex:v 1 . ex:x ex:r _:shared . ex:y ex:r _:shared .
_:c1 ex:next _:c2 . _:c2 ex:next _:c1 .
_:self ex:next _:self .
ex:z ex:r [] .
[] a ex:Loose ; ex:v 2 .
"""

BLANKS_TURTLE = '''\
@prefix sh: <http://www.w3.org/ns/shacl#> .

<http://example.org/S>
    a sh:NodeShape ;
    sh:property [
        sh:in ( "a" "b" [ <http://example.org/q> 2.50 ] ) ;
        sh:minCount 1 ;
        sh:or ( [ sh:class <http://example.org/A> ] [ sh:class <http://example.org/B> ] ) ;
        sh:path <http://example.org/p>
    ] , [
        sh:message """tab\\there \\"quoted\\" back\\\\slash
new \\u0001 \\u007F é""" ;
        sh:path ( <http://example.org/a> [ sh:inversePath <http://example.org/b> ] )
    ] .
'''


def blank_graph() -> Graph:
    return Graph().parse(data=BLANKS, format="turtle")


SHACL_PREFIXES = {"sh": "http://www.w3.org/ns/shacl#"}


def test_turtle_is_sorted_with_only_the_prefixes_it_uses():
    graph = Graph().parse(data=SMALL, format="turtle")
    # foaf: is declared in the input and in normgraph's prefixes, but nothing uses it.
    assert to_turtle(graph) == SMALL_TURTLE


def test_ntriples_are_canonical_and_sorted():
    assert to_ntriples(Graph().parse(data=SMALL, format="turtle")) == SMALL_NTRIPLES


def test_turtle_header_comment_comes_first():
    text = to_turtle(Graph().parse(data=SMALL, format="turtle"), header="States\n\nnames only")
    assert text.startswith("# States\n#\n# names only\n\n@prefix ng: ")


def test_tree_shaped_blank_nodes_are_written_inline_and_lists_as_collections():
    text = to_turtle(blank_graph(), prefixes=SHACL_PREFIXES)
    assert text.startswith(BLANKS_TURTLE)
    # Shared and cyclic blank nodes need a label: the RDFC-1.0 canonical one.
    assert "<http://example.org/x>\n    <http://example.org/r> _:c14n" in text
    assert "<http://example.org/z>\n    <http://example.org/r> [] ." in text
    assert text.endswith("[\n    a <http://example.org/Loose> ;\n    <http://example.org/v> 2\n] .\n")


def test_ntriples_blank_node_labels_are_the_rdfc_canonical_ones():
    graph = blank_graph()
    ours = to_ntriples(graph)
    dataset = ox.Dataset(ox.parse(BLANKS.encode(), format=ox.RdfFormat.TURTLE))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    theirs = "".join(sorted(f"{q.subject} {q.predicate} {q.object} .\n" for q in dataset))
    assert ours == theirs
    assert ours.count("\n") == len(graph)


@pytest.mark.parametrize("writer, fmt", [(to_turtle, "turtle"), (to_ntriples, "nt"), (to_jsonld, "json-ld")])
@pytest.mark.parametrize("source", [SMALL, BLANKS], ids=["small", "blank-nodes"])
def test_every_writer_reads_back_as_the_same_graph_in_rdflib_and_oxigraph(writer, fmt, source, tmp_path):
    graph = Graph().parse(data=source, format="turtle")
    text = writer(graph)
    assert isomorphic(Graph().parse(data=text, format=fmt), normalised(graph))
    suffix = {"turtle": ".ttl", "nt": ".nt", "json-ld": ".jsonld"}[fmt]
    path = tmp_path / f"dump{suffix}"
    path.write_text(text, encoding="utf-8")
    assert isomorphic(from_oxigraph(path), normalised(graph))


def test_output_does_not_depend_on_input_order_or_hash_seed(tmp_path):
    script = tmp_path / "write.py"
    script.write_text(
        "import random, sys\n"
        "from rdflib import Graph\n"
        "from normgraph.serialize import to_turtle, to_ntriples, to_jsonld\n"
        "lines = sys.stdin.read().splitlines()\n"
        "random.Random(int(sys.argv[1])).shuffle(lines)\n"
        "graph = Graph().parse(data='\\n'.join(lines), format='nt')\n"
        "sys.stdout.write(to_turtle(graph) + to_ntriples(graph) + to_jsonld(graph))\n",
        encoding="utf-8",
    )
    source = to_ntriples(blank_graph()) + to_ntriples(Graph().parse(data=SMALL, format="turtle"))
    outputs = set()
    for seed in ("1", "2", "3"):
        done = subprocess.run(
            [sys.executable, str(script), seed],
            input=source,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
            check=True,
        )
        outputs.add(done.stdout)
    assert len(outputs) == 1


def test_ntriples_sort_spills_to_disk_and_merges_to_the_same_bytes(tmp_path):
    graph = Graph()
    for i in range(50):
        graph.add((URIRef(f"http://example.org/s{i % 7}"), URIRef(f"http://example.org/p{i % 3}"), Literal(i)))
    write_ntriples(graph, tmp_path / "small-runs.nt", chunk=4)
    write_ntriples(graph, tmp_path / "one-run.nt")
    assert (tmp_path / "small-runs.nt").read_bytes() == (tmp_path / "one-run.nt").read_bytes()
    lines = (tmp_path / "one-run.nt").read_text(encoding="utf-8").splitlines()
    assert lines == sorted(lines) and len(lines) == 50


def test_literals_that_rdf_treats_as_equal_are_written_once():
    graph = Graph()
    subject, predicate = URIRef("http://example.org/s"), URIRef("http://example.org/p")
    graph.add((subject, predicate, Literal("x")))
    graph.add((subject, predicate, Literal("x", datatype=XSD.string)))
    graph.add((subject, predicate, Literal("y", lang="en-GB")))
    graph.add((subject, predicate, Literal("y", lang="en-gb")))
    assert to_ntriples(graph) == (
        '<http://example.org/s> <http://example.org/p> "x" .\n<http://example.org/s> <http://example.org/p> "y"@en-gb .\n'
    )
    assert to_turtle(graph) == '<http://example.org/s>\n    <http://example.org/p> "x" , "y"@en-gb .\n'


def test_ntriples_digest_identifies_the_graph_up_to_blank_node_labels():
    first, second = blank_graph(), blank_graph()
    assert set(first.all_nodes()) != set(second.all_nodes())  # fresh blank nodes per parse
    assert ntriples_digest(first) == ntriples_digest(second)
    assert ntriples_digest(first)[0] == hashlib.sha256(to_ntriples(first).encode()).hexdigest()
    second.add((URIRef("http://example.org/extra"), RDF.type, OWL.Thing))
    assert ntriples_digest(first) != ntriples_digest(second)


@pytest.mark.parametrize(
    "subject, message",
    [
        ("http://example.org/a b", "contains a space or a character IRIs forbid"),
        ("2001", "RDF subjects are IRIs or blank nodes"),
    ],
    ids=["iri-with-space", "literal-subject"],
)
def test_what_rdf_cannot_say_is_refused_and_the_old_file_kept(subject, message, tmp_path):
    target = tmp_path / "kept.ttl"
    target.write_text("old\n", encoding="utf-8")
    graph = Graph()
    node = URIRef(subject) if subject.startswith("http") else Literal(subject, datatype=XSD.gYear)
    graph.add((node, RDF.type, OWL.Thing))
    for writer in (write_turtle, write_ntriples):
        with pytest.raises(SerializationError, match=message):
            writer(graph, target)
    assert target.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.ttl"]


def test_jsonld_has_an_inline_context_and_parses_without_network(monkeypatch):
    text = to_jsonld(Graph().parse(data=SMALL, format="turtle"))
    document = json.loads(text)
    assert document["@context"] == {
        "ng": "https://w3id.org/normgraph/ontology#",
        "skos": "http://www.w3.org/2004/02/skos/core#",
        "state": "https://w3id.org/normgraph/id/state/",
        "xsd": "http://www.w3.org/2001/XMLSchema#",
    }

    def refuse(*_args, **_kwargs):
        raise AssertionError("the JSON-LD parser tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    graph = Graph().parse(data=text, format="json-ld")
    assert isomorphic(graph, normalised(Graph().parse(data=SMALL, format="turtle")))


# ==============================================================================================
# A release of a small tree
# ==============================================================================================


def make_tree(root: Path, data: Path = FIXTURES / "publish" / "entities.ttl") -> Layout:
    """A normgraph tree: the repository's ontology, shapes, rules, queries, pyproject.toml and
    CHANGELOG.md, with ``data`` as its only data file."""
    for folder in ("ontology", "shapes", "rules", "queries"):
        shutil.copytree(ROOT / folder, root / folder)
    (root / "data").mkdir()
    shutil.copy(data, root / "data" / data.name)
    for name in ("pyproject.toml", "CHANGELOG.md"):
        shutil.copy(ROOT / name, root / name)
    return Layout(root, bundled=False)


@pytest.fixture(scope="module")
def small_tree(tmp_path_factory) -> Layout:
    return make_tree(tmp_path_factory.mktemp("tree"))


@pytest.fixture(scope="module")
def small_release(small_tree, tmp_path_factory) -> Release:
    return publish(small_tree, tmp_path_factory.mktemp("dist"), inferred=True)


def tree_bytes(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_release_holds_the_expected_files(small_release):
    assert small_release.status == "built"
    assert small_release.folder.name == f"normgraph-{VERSION}"
    vocabularies = sorted(p.stem for p in (ROOT / "ontology").glob("*.ttl") if p.name != "normgraph.ttl")
    assert sorted(tree_bytes(small_release.folder)) == sorted(
        [
            "SHA256SUMS",
            "docs/index.html",
            "docs/ontology.html",
            "docs/shapes.html",
            *[f"docs/vocab/{name}.html" for name in vocabularies],
            f"normgraph-{VERSION}.jsonld",
            f"normgraph-{VERSION}.nt",
            f"normgraph-{VERSION}.ttl",
            f"normgraph-inferred-{VERSION}.nt",
            f"normgraph-inferred-{VERSION}.ttl",
            f"normgraph-ontology-{VERSION}.ttl",
            f"normgraph-shapes-{VERSION}.ttl",
            "void.ttl",
        ]
    )
    assert [f.name for f in small_release.files] == sorted(tree_bytes(small_release.folder))
    assert not [p for p in small_release.folder.parent.iterdir() if p.name.startswith(".")]


def test_dumps_hold_ontology_vocabularies_and_data_and_nothing_inferred(small_release, small_tree):
    folder = small_release.folder
    inputs = load_inputs(small_tree)
    expected = normalised(inputs.parts.union())
    for suffix in (".ttl", ".nt", ".jsonld"):
        path = folder / f"normgraph-{VERSION}{suffix}"
        assert isomorphic(Graph().parse(path, format=RDFLIB_FORMATS[suffix]), expected), path.name
        assert isomorphic(from_oxigraph(path), expected), path.name
    ontology = folder / f"normgraph-ontology-{VERSION}.ttl"
    assert isomorphic(Graph().parse(ontology, format="turtle"), normalised(inputs.parts.ontology))
    shapes = folder / f"normgraph-shapes-{VERSION}.ttl"
    assert isomorphic(Graph().parse(shapes, format="turtle"), normalised(inputs.parts.shapes))
    # The closure is published apart: nothing in it is asserted, and it is not empty.
    inferred = Graph().parse(folder / f"normgraph-inferred-{VERSION}.nt", format="nt")
    assert len(inferred) > 0
    assert not [t for t in inferred if t in expected]
    assert (URIRef("https://w3id.org/normgraph/id/state/RUS"), RDF.type, URIRef("http://xmlns.com/foaf/0.1/Agent")) in inferred


def void_of(release: Release) -> Graph:
    return Graph().parse(release.folder / "void.ttl", format="turtle")


def count_of(graph: Graph, subject, predicate) -> int:
    values = list(graph.objects(subject, predicate))
    assert len(values) == 1, (subject, predicate, values)
    return int(values[0])


def test_void_counts_match_the_dumps(small_release):
    base = f"https://w3id.org/normgraph/release/{VERSION}/"
    void = void_of(small_release)
    dataset = URIRef(base + "void.ttl#dataset")
    # Count the N-Triples dump with Oxigraph, independently of the code that wrote void.ttl.
    quads = list(ox.parse(path=str(small_release.folder / f"normgraph-{VERSION}.nt"), format=ox.RdfFormat.N_TRIPLES))
    subjects = {q.subject for q in quads}
    assert count_of(void, dataset, VOID.triples) == len(quads) == small_release.triples
    assert count_of(void, dataset, VOID.entities) == sum(1 for s in subjects if isinstance(s, ox.NamedNode))
    assert count_of(void, dataset, VOID.distinctSubjects) == len(subjects)
    assert count_of(void, dataset, VOID.distinctObjects) == len({q.object for q in quads})
    properties = Counter(q.predicate.value for q in quads)
    partitions = {str(void.value(node, VOID.property)): int(void.value(node, VOID.triples)) for node in void.objects(dataset, VOID.propertyPartition)}
    assert partitions == properties
    assert count_of(void, dataset, VOID.properties) == len(properties)
    members: dict[str, set] = {}
    for q in quads:
        if q.predicate.value == str(RDF.type) and isinstance(q.subject, ox.NamedNode):
            members.setdefault(q.object.value, set()).add(q.subject)
    classes = {str(void.value(node, VOID["class"])): int(void.value(node, VOID.entities)) for node in void.objects(dataset, VOID.classPartition)}
    assert classes == {cls: len(found) for cls, found in members.items()}
    assert count_of(void, dataset, VOID.classes) == len(members)
    ontology = URIRef(base + "void.ttl#ontology")
    ontology_dump = small_release.folder / f"normgraph-ontology-{VERSION}.ttl"
    assert count_of(void, ontology, VOID.triples) == sum(1 for _ in ox.parse(path=str(ontology_dump), format=ox.RdfFormat.TURTLE))
    inferred = URIRef(base + "void.ttl#inferred")
    inferred_dump = small_release.folder / f"normgraph-inferred-{VERSION}.nt"
    assert count_of(void, inferred, VOID.triples) == sum(1 for _ in ox.parse(path=str(inferred_dump), format=ox.RdfFormat.N_TRIPLES))


def test_void_describes_version_licence_dates_vocabularies_and_examples(small_release, small_tree):
    void = void_of(small_release)
    base = f"https://w3id.org/normgraph/release/{VERSION}/"
    dataset = URIRef(base + "void.ttl#dataset")
    ontology = parse_file(small_tree.ontology_files()[0])
    header = URIRef("https://w3id.org/normgraph/ontology")
    assert (dataset, RDF.type, VOID.Dataset) in void and (dataset, RDF.type, DCAT.Dataset) in void
    assert void.value(dataset, DCAT.version) == Literal(VERSION)
    assert void.value(dataset, DCTERMS.license) == ontology.value(header, DCTERMS.license)
    assert void.value(dataset, DCTERMS.issued) == ontology.value(header, DCTERMS.issued)
    assert void.value(dataset, DCTERMS.modified) == ontology.value(header, DCTERMS.modified)
    assert void.value(dataset, DCTERMS.conformsTo) is not None
    vocabularies = {str(v) for v in void.objects(dataset, VOID.vocabulary)}
    assert {"https://w3id.org/normgraph/ontology#", "http://www.w3.org/2004/02/skos/core#", "http://www.w3.org/2002/07/owl#"} <= vocabularies
    assert set(void.objects(dataset, VOID.exampleResource)) == {
        URIRef("https://w3id.org/normgraph/id/org/sco"),
        URIRef("https://w3id.org/normgraph/id/state/CHN"),
    }
    assert (dataset, VOID.subset, URIRef(base + "void.ttl#ontology")) in void
    assert (URIRef(base + "void.ttl#inferred"), URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"), dataset) in void


def test_every_distribution_has_media_type_size_and_checksum_of_its_file(small_release):
    void = void_of(small_release)
    media = {".ttl": "text/turtle", ".nt": "application/n-triples", ".jsonld": "application/ld+json"}
    distributions = sorted(void.subjects(RDF.type, DCAT.Distribution))
    described = set()
    for dist in distributions:
        name = str(void.value(dist, DCAT.downloadURL)).rsplit("/", 1)[-1]
        path = small_release.folder / name
        described.add(name)
        assert void.value(dist, DCAT.mediaType) == URIRef("https://www.iana.org/assignments/media-types/" + media[path.suffix])
        assert int(void.value(dist, DCAT.byteSize)) == path.stat().st_size
        checksum = void.value(dist, SPDX.checksum)
        assert void.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        assert str(void.value(checksum, SPDX.checksumValue)) == hashlib.sha256(path.read_bytes()).hexdigest()
    dumps = {p.name for p in small_release.folder.iterdir() if p.suffix in media and p.name != "void.ttl"}
    assert described == dumps


def test_sha256sums_lists_every_other_file(small_release):
    folder = small_release.folder
    listed = {}
    for line in (folder / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, name = line.split("  ", 1)
        listed[name] = digest
    files = tree_bytes(folder)
    del files["SHA256SUMS"]
    assert listed == {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    assert list(listed) == sorted(listed)


@pytest.mark.slow
def test_rebuild_in_a_fresh_process_gives_identical_bytes(small_release, small_tree, tmp_path):
    # Another process, another hash seed, another folder: the same bytes.
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    done = run_cli("--root", str(small_tree.root), "publish", "--out", str(tmp_path), "--inferred", env=env)
    assert done.returncode == 0, done.stderr
    folder = tmp_path / small_release.folder.name
    assert tree_bytes(folder) == tree_bytes(small_release.folder)
    # The command says where the release is and lists every file with its size.
    assert done.stdout.startswith(f"normgraph {VERSION}: built: {folder}\n{small_release.triples} triples in the main dump\n")
    listed = {line.split()[0]: int(line.split()[1].replace(",", "")) for line in done.stdout.splitlines()[2:]}
    assert listed == {name: len(data) for name, data in tree_bytes(folder).items()}
    assert "Traceback" not in done.stderr and "validating" not in done.stderr  # progress is for terminals, not pipes
    # Rebuilding into a folder that already holds the release leaves it alone.
    before = {p: p.stat().st_mtime_ns for p in folder.rglob("*")}
    again = publish(small_tree, tmp_path, inferred=True, gate=None)
    assert again.status == "unchanged"
    assert {p: p.stat().st_mtime_ns for p in folder.rglob("*")} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [folder.name]


def broken_tree(root: Path) -> Layout:
    """A tree whose data refers to an organisation that nothing describes: the shape for
    referenced entities (ngsh:ReferencedEntityShape) fails."""
    data = root / "broken.ttl"
    data.write_text(
        (FIXTURES / "publish" / "entities.ttl").read_text(encoding="utf-8")
        + "\norg-id:sco skos:related org-id:no-such-organisation .\n",
        encoding="utf-8",
    )
    return make_tree(root / "tree", data)


def test_gate_failure_writes_nothing_and_keeps_the_previous_release(small_release, tmp_path):
    out = tmp_path / "dist"
    shutil.copytree(small_release.folder, out / "normgraph-0.0.9")
    before = tree_bytes(out)
    layout = broken_tree(tmp_path)
    done = run_cli("--root", str(layout.root), "publish", "--out", str(out), "--quiet")
    assert done.returncode == 1
    assert "the tree is not releasable; nothing was written" in done.stderr
    assert "no-such-organisation is not described anywhere" in done.stderr
    assert "Traceback" not in done.stderr
    assert tree_bytes(out) == before


def test_gate_reports_disagreeing_version_statements(small_tree, tmp_path):
    layout = make_tree(tmp_path / "tree")
    pyproject = layout.root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text(encoding="utf-8").replace(f'version = "{VERSION}"', 'version = "9.9.9"'), encoding="utf-8")
    problems = release_gate(load_inputs(layout))
    assert problems == [f"version: pyproject.toml: version is '9.9.9', expected '{VERSION}'"]


def test_gate_reports_shape_violations_with_file_and_line(tmp_path):
    data = tmp_path / "untagged.ttl"
    text = (FIXTURES / "publish" / "entities.ttl").read_text(encoding="utf-8") + '\nstate:CHN skos:altLabel "Zhongguo" .\n'
    data.write_text(text, encoding="utf-8")
    layout = make_tree(tmp_path / "tree", data)
    line = text.count("\n")
    problems = release_gate(load_inputs(layout))
    assert any(
        p.startswith(f"validation: {layout.root / 'data' / 'untagged.ttl'}:{line}:") and "state:CHN skos:altLabel" in p for p in problems
    ), problems


def test_a_failure_while_building_leaves_nothing_partial(small_tree, tmp_path, monkeypatch):
    out = tmp_path / "dist"
    out.mkdir()
    (out / "keep.txt").write_text("a previous file\n", encoding="utf-8")

    def fail(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("normgraph.publish.write_documentation", fail)
    with pytest.raises(OSError, match="disk full"):
        publish(small_tree, out, gate=None)
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]
    # An output folder the build had to create is removed again.
    with pytest.raises(OSError, match="disk full"):
        publish(small_tree, tmp_path / "new" / "dist", gate=None)
    assert not (tmp_path / "new" / "dist").exists()


def test_a_different_release_of_the_same_version_is_refused_unless_replaced(small_release, small_tree, tmp_path):
    out = tmp_path / "dist"
    shutil.copytree(small_release.folder, out / small_release.folder.name)
    # Same version, different content: the build without --inferred lacks the closure files.
    with pytest.raises(PublishError, match="already holds a different release"):
        publish(small_tree, out, gate=None)
    assert tree_bytes(out / small_release.folder.name) == tree_bytes(small_release.folder)
    replaced = publish(small_tree, out, replace=True, gate=None)
    assert replaced.status == "replaced"
    assert not (out / small_release.folder.name / f"normgraph-inferred-{VERSION}.nt").exists()
    assert sorted(p.name for p in out.iterdir()) == [small_release.folder.name]


# ==============================================================================================
# Documentation
# ==============================================================================================


class _Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.fetched: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids.add(attributes["id"])
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        if tag in ("script", "img", "iframe") and attributes.get("src"):
            self.fetched.append(attributes["src"])
        if tag == "link" and attributes.get("rel") == "stylesheet":
            self.fetched.append(attributes.get("href", ""))


def parse_page(path: Path) -> _Links:
    page = _Links()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def test_documentation_pages_are_self_contained_and_their_links_resolve(small_release):
    docs = small_release.folder / "docs"
    pages = {p: parse_page(p) for p in docs.rglob("*.html")}
    assert len(pages) == 3 + len(list((ROOT / "ontology").glob("*.ttl"))) - 1
    for path, page in pages.items():
        assert page.fetched == [], path  # styles inline, nothing loaded from elsewhere
        for link in page.links:
            if link.startswith(("http://", "https://", "mailto:")):
                continue
            target, fragment = urldefrag(link)
            resolved = (path.parent / target).resolve() if target else path
            assert resolved.is_file(), f"{path.name}: broken link {link}"
            if fragment and resolved.suffix == ".html":
                assert fragment in pages[resolved].ids, f"{path.name}: no #{fragment} in {target or path.name}"


def test_documentation_shows_the_ontology_header_and_every_concept(small_release, small_tree):
    docs = small_release.folder / "docs"
    ontology_page = (docs / "ontology.html").read_text(encoding="utf-8")
    header = parse_file(small_tree.ontology_files()[0])
    title = str(header.value(URIRef("https://w3id.org/normgraph/ontology"), DCTERMS.title))
    assert f"<title>{title}</title>" in ontology_page
    assert f"ontology/{VERSION}" in ontology_page  # owl:versionIRI
    for path in small_tree.ontology_files()[1:]:
        vocabulary = parse_file(path)
        page = parse_page(docs / "vocab" / f"{path.stem}.html")
        text = (docs / "vocab" / f"{path.stem}.html").read_text(encoding="utf-8")
        concepts = {c for c in vocabulary.subjects(RDF.type, URIRef("http://www.w3.org/2004/02/skos/core#Concept"))}
        for concept in concepts:
            assert docs_module.fragment(str(concept)) in page.ids, concept
            # Every label is shown, however many a concept has.
            for label in vocabulary.objects(concept, URIRef("http://www.w3.org/2004/02/skos/core#altLabel")):
                assert html.escape(str(label)) in text, (concept, label)


SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ng: <https://w3id.org/normgraph/ontology#> .
@prefix ngsh: <https://w3id.org/normgraph/shapes#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ngsh:StateShape a sh:NodeShape ; sh:targetClass ng:State ; rdfs:label "state"@en ;
    sh:nodeKind sh:IRI ; sh:message "A state is named by an IRI."@en ;
    sh:property [ sh:path ( ng:holder [ sh:inversePath ng:member ] ) ; sh:in ( "a" "b" ) ] .
ngsh:State-prefLabel a sh:PropertyShape ; sh:targetClass ng:State ; sh:path skos:prefLabel ;
    sh:minCount 1 ; sh:severity sh:Warning ; sh:message "A state needs a preferred label."@en .
ngsh:NoLoopShape a sh:NodeShape ;
    sh:target [ a sh:SPARQLTarget ; sh:select "SELECT ?this WHERE { ?this ng:member ?this }" ] ;
    sh:sparql [ a sh:SPARQLConstraint ; sh:message "Nothing is a member of itself."@en ;
                sh:select "SELECT $this WHERE { $this ng:member $this }" ] .
"""


def test_shapes_page_groups_shapes_by_target_class_with_every_constraint():
    linker = docs_module.Linker({"https://w3id.org/normgraph/ontology#State": "ontology.html#state"}, {})
    page = docs_module.shapes_page(Graph().parse(data=SHAPES, format="turtle"), linker, version="1.2.3")
    assert '<li><a href="#class-State">ng:State</a> (2)</li>' in page
    assert '<section class="item" id="class-State"><h3><a href="ontology.html#state"><code>ng:State</code></a></h3>' in page
    assert '<div class="item" id="shape-ngsh-StateShape"><h4><code>ngsh:StateShape</code></h4>' in page
    assert '<dt>Message</dt><dd><span class="message">A state is named by an IRI.</span></dd>' in page
    # A nested property shape: its path in SPARQL notation, its sh:in list.
    assert '<code>ng:holder</code></a> / ^<a href="https://w3id.org/normgraph/ontology#member"><code>ng:member</code></a></td><td><code>sh:in</code> ( a b )</td>' in page
    # A property shape of its own: a row with an anchor, its severity when not a violation.
    assert (
        '<tr id="shape-ngsh-State-prefLabel"><td><a href="http://www.w3.org/2004/02/skos/core#prefLabel"><code>skos:prefLabel</code></a></td>'
        '<td><code>sh:minCount</code> 1</td><td><span class="message">A state needs a preferred label.</span><br><strong>warning</strong></td>'
    ) in page
    # Shapes selected by SPARQL show the query that selects them and the constraint they check.
    other = page[page.index('<h2 id="other-shapes">') :]
    assert '<dt><code>sh:target</code></dt><dd><pre><code>SELECT ?this WHERE { ?this ng:member ?this }</code></pre></dd>' in other
    assert '<p>SPARQL constraint: <span class="message">Nothing is a member of itself.</span></p>' in other


def test_documentation_is_generated_without_network(small_tree, tmp_path, monkeypatch):
    def refuse(*_args, **_kwargs):
        raise AssertionError("documentation tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    release = publish(small_tree, tmp_path, gate=None)
    assert (release.folder / "docs" / "ontology.html").is_file()


# ==============================================================================================
# Third-party parsers, when installed (Debian: raptor2-utils, serdi)
# ==============================================================================================


@pytest.mark.parametrize("tool", ["rapper", "serdi"])
def test_turtle_and_ntriples_dumps_parse_in_debian_tools(tool, small_release):
    program = shutil.which(tool)
    if program is None:
        pytest.skip(f"{tool} is not installed (Debian package {'raptor2-utils' if tool == 'rapper' else 'serdi'})")
    expected = normalised(Graph().parse(small_release.folder / f"normgraph-{VERSION}.nt", format="nt"))
    for suffix, name in ((".ttl", "turtle"), (".nt", "ntriples")):
        path = small_release.folder / f"normgraph-{VERSION}{suffix}"
        command = [program, "-i", name, "-o", "ntriples", str(path)]
        if tool == "rapper":
            command.insert(1, "-q")
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        assert isomorphic(Graph().parse(data=done.stdout, format="nt"), expected), (tool, path.name)


# ==============================================================================================
# The curated graph
# ==============================================================================================


@pytest.fixture(scope="module")
def curated_release(tmp_path_factory) -> Release:
    """The release of this repository's own tree, gate included."""
    return publish(locate(ROOT), tmp_path_factory.mktemp("curated"))


@pytest.fixture(scope="module")
def curated_graph() -> Graph:
    """This repository's own tree as publish loads it: what its release must hold. Do not modify it."""
    return load_inputs(locate(ROOT)).parts.union()


@pytest.mark.slow
def test_curated_graph_releases_and_reads_back_in_both_parsers(curated_release, curated_graph):
    expected = normalised(curated_graph)
    for suffix in (".ttl", ".nt", ".jsonld"):
        path = curated_release.folder / f"normgraph-{VERSION}{suffix}"
        assert isomorphic(Graph().parse(path, format=RDFLIB_FORMATS[suffix]), expected), path.name
        assert isomorphic(from_oxigraph(path), expected), path.name


@pytest.mark.slow
def test_stored_queries_answer_the_same_on_the_release_in_oxigraph(curated_release, curated_graph):
    """The release loses nothing a stored query reads: Oxigraph over the released dump answers as
    Oxigraph over the source tree. (Whether rdflib and Oxigraph agree is test_queries.py's
    portability test, once per query.)"""
    layout = locate(ROOT)
    queries = stored_queries(layout)
    if not queries:
        pytest.skip("no stored queries in queries/ yet")
    store = ox.Store()
    store.load(path=str(curated_release.folder / f"normgraph-{VERSION}.nt"), format=ox.RdfFormat.N_TRIPLES)
    released = OxigraphEngine(store)
    source = OxigraphEngine.from_graph(curated_graph)
    compared = 0
    for query in queries:
        if any(not p.optional and p.default is None for p in query.parameters):
            continue
        prepared = query.prepare()
        expected = execute(source, prepared, timeout=0, max_rows=1_000_000)
        answer = execute(released, prepared, timeout=0, max_rows=1_000_000)
        assert comparable_result(answer) == comparable_result(expected), query.name
        compared += 1
    assert compared > 0


# ==============================================================================================
# The version statements
# ==============================================================================================


def test_version_statements_agree(layout):
    found = read_versions(layout)
    assert version_problems(found) == []
    assert found.version == found.package
    assert found.version_iri == URIRef(f"https://w3id.org/normgraph/ontology/{found.version}")
    assert found.version in (found.changelog_versions or [])


def test_bump_version_moves_every_statement_and_nothing_else(tmp_path):
    layout = make_tree(tmp_path / "tree")
    turtle = [*layout.ontology_files(), *(layout.root / name for name in read_versions(layout).others if name.startswith("shapes/"))]
    before = {p: p.read_text(encoding="utf-8") for p in turtle}
    major, minor, _ = map(int, VERSION.split("."))
    new = f"{major}.{minor + 1}.0"
    changed = bump_version(layout, new, date(2031, 5, 17))
    assert sorted(changed) == sorted([*turtle, layout.root / "pyproject.toml", layout.root / "CHANGELOG.md"])
    found = read_versions(layout)
    assert version_problems(found) == []
    assert (found.version, found.package, found.issued, found.modified) == (new, new, date(2031, 5, 17), date(2031, 5, 17))
    assert found.prior_version == URIRef(f"https://w3id.org/normgraph/ontology/{VERSION}")
    assert set(found.others.values()) == {new}
    changelog = (layout.root / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## [Unreleased]\n\n## [{new}] - 2031-05-17\n" in changelog
    # Only the version lines moved: every other line of every Turtle file is as it was.
    for path in turtle:
        old_lines = before[path].splitlines()
        new_lines = path.read_text(encoding="utf-8").splitlines()
        removed = [line.strip().split()[0] for line in old_lines if line not in new_lines]
        added = [line.strip().split()[0] for line in new_lines if line not in old_lines]
        allowed = {"owl:versionIRI", "owl:versionInfo", "owl:priorVersion", "dcterms:issued", "dcterms:modified"}
        assert set(removed) <= allowed and set(added) <= allowed, path.name
    # A bumped tree publishes as the new version, dated from its header.
    release = publish(layout, tmp_path / "dist", gate=None)
    assert release.folder.name == f"normgraph-{new}"
    void = Graph().parse(release.folder / "void.ttl", format="turtle")
    dataset = URIRef(f"https://w3id.org/normgraph/release/{new}/void.ttl#dataset")
    assert void.value(dataset, DCTERMS.issued) == Literal("2031-05-17", datatype=XSD.date)
    assert void.value(dataset, DCAT.previousVersion) == URIRef(f"https://w3id.org/normgraph/release/{VERSION}/void.ttl#dataset")


def test_bump_version_refuses_an_older_version_or_a_disagreeing_tree(tmp_path):
    layout = make_tree(tmp_path / "tree")
    with pytest.raises(NormgraphError, match="must be greater than the current version"):
        bump_version(layout, VERSION, date(2031, 1, 1))
    done = run_cli("--root", str(layout.root), "bump-version", "not-a-version")
    assert done.returncode == 2 and "is not a version of the form MAJOR.MINOR.PATCH" in done.stderr
    vocabulary = layout.ontology_files()[1]
    vocabulary.write_text(vocabulary.read_text(encoding="utf-8").replace(f'owl:versionInfo "{VERSION}"', 'owl:versionInfo "0.0.1"'), encoding="utf-8")
    before = {p: p.read_bytes() for p in layout.root.rglob("*") if p.is_file()}
    done = run_cli("--root", str(layout.root), "bump-version", "99.0.0")
    assert done.returncode == 2
    assert f"ontology/{vocabulary.name}: owl:versionInfo is '0.0.1', expected '{VERSION}'" in done.stderr
    assert {p: p.read_bytes() for p in layout.root.rglob("*") if p.is_file()} == before
    check = run_cli("--root", str(layout.root), "version-check")
    assert check.returncode == 1 and f"ontology/{vocabulary.name}" in check.stdout


# --------------------------------------------------------------------------------------------
# Only committed data is released
# --------------------------------------------------------------------------------------------


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True)


def test_publish_refuses_uncommitted_data_unless_allowed(tmp_path):
    layout = make_tree(tmp_path / "tree")
    _git(layout.root, "init", "-q")
    _git(layout.root, "add", "-A")
    _git(layout.root, "-c", "user.name=Test", "-c", "user.email=test@example.org", "commit", "-q", "-m", "start")
    with (layout.data_dir / "entities.ttl").open("a", encoding="utf-8") as stream:
        stream.write('\norg-id:sco skos:altLabel "Shanghai Six"@en .\n')
    out = tmp_path / "dist"
    refused = run_cli("--root", str(layout.root), "publish", "--out", str(out), "--quiet")
    assert refused.returncode == 1
    assert refused.stderr == (
        "normgraph publish: error: data/ has uncommitted changes; commit them (or pass --allow-dirty to build anyway):\n"
        "   M data/entities.ttl\n"
    )
    assert not out.exists()
    allowed = run_cli("--root", str(layout.root), "publish", "--out", str(out), "--quiet", "--allow-dirty")
    assert allowed.returncode == 0, allowed.stderr
    assert allowed.stderr.startswith("normgraph publish: warning: building with uncommitted changes in data/ (--allow-dirty):\n   M data/entities.ttl\n")
    assert (out / f"normgraph-{VERSION}" / "SHA256SUMS").is_file()


def test_publish_outside_git_says_it_cannot_tell_and_goes_on(small_tree):
    assert committed_data(small_tree, allow_dirty=False) == (
        f"{small_tree.root} is not a git work tree: cannot tell whether data/ is committed; building anyway"
    )


@pytest.mark.slow
def test_the_index_page_says_what_the_release_holds_how_to_load_and_query_it_and_shows_figures(curated_release, curated_graph):
    folder = curated_release.folder
    page = (folder / "docs" / "index.html").read_text(encoding="utf-8")
    claims = len(set(curated_graph.subjects(RDF.type, URIRef("https://w3id.org/normgraph/ontology#Claim"))))
    assert f"source texts and {claims} claims" in page
    assert '<a href="https://w3id.org/normgraph/id/org/sco">Shanghai Cooperation Organisation</a>' in page
    assert '<a href="https://w3id.org/normgraph/id/state/RUS">Russia</a>' in page
    assert '<h2 id="load">Loading it into a triple store</h2>' in page and f"normgraph-{VERSION}.nt" in page
    assert '<h2 id="query">Querying it</h2>' in page and "normgraph describe org-id:csto" in page
    for name in ("overlaps-RUS.svg", "timeline-sco.svg", "network.svg"):
        assert f'<img src="figures/{name}"' in page
        svg = (folder / "docs" / "figures" / name).read_text(encoding="utf-8")
        assert svg.startswith("<?xml") and "Sources: Russia Rising?" in svg
    assert "docs/figures/network.svg" in (folder / "SHA256SUMS").read_text(encoding="utf-8")


def test_a_release_without_memberships_has_no_figures_section(small_release):
    page = (small_release.folder / "docs" / "index.html").read_text(encoding="utf-8")
    assert '<h2 id="holdings">What the graph holds</h2>' in page
    assert 'id="figures"' not in page and not (small_release.folder / "docs" / "figures").exists()
