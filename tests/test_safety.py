"""Contributed data is untrusted. Validating or adding it never touches the network, never runs
anything the data asks for, and turns every unusable input (too big, too deep, too many
triples, wrong format, not UTF-8, unreadable) into one clear message with exit code 2, never a
traceback, leaving data/ byte for byte as it was.

Every test runs the command line on a copy of the tree; the real data/ is never written."""

from __future__ import annotations

import shutil

import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from .conftest import run_in_tree, snapshot


# --------------------------------------------------------------------------------------------
# Harness
# --------------------------------------------------------------------------------------------


class _Recorder(BaseHTTPRequestHandler):
    """Answers anything with a small Turtle document, and records that it was asked."""

    def _answer(self) -> None:
        self.server.seen.append(f"{self.command} {self.path}")  # type: ignore[attr-defined]
        body = b"<http://127.0.0.1/x> <http://127.0.0.1/p> <http://127.0.0.1/y> .\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/turtle")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_POST = do_HEAD = _answer

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        return


@pytest.fixture
def loopback() -> Iterator[ThreadingHTTPServer]:
    """An HTTP server on 127.0.0.1 and a free port, recording every request in ``.seen``."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.seen = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def refused(root: Path, path: Path, **env: str) -> str:
    """Run validate and add on ``path``; both must exit 2 with the same one-line error and no
    traceback, and data/ must not change. Returns the error."""
    before = snapshot(root)
    messages = []
    for command in ("validate", "add"):
        done = run_in_tree(root, command, str(path), **env)
        assert done.returncode == 2, (command, done.stdout, done.stderr)
        assert done.stdout == ""
        assert "Traceback" not in done.stderr
        assert done.stderr.count("\n") == 1, done.stderr
        messages.append(done.stderr.split(": error: ", 1)[1])
    assert messages[0] == messages[1]
    assert snapshot(root) == before
    return messages[0]


# --------------------------------------------------------------------------------------------
# No network, nothing the data asks for
# --------------------------------------------------------------------------------------------


def _remote_contribution(folder: Path, port: int) -> Path:
    """Data that asks, every way Turtle and SHACL allow, for something to be fetched or run."""
    base = f"http://127.0.0.1:{port}"
    path = folder / "remote.ttl"
    path.write_text(
        f"""@base <{base}/base/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix ng: <https://w3id.org/normgraph/ontology#> .

<https://w3id.org/normgraph/id/org/fixture-remote>
    a ng:Forum ;
    skos:prefLabel "Fixture remote forum"@en ;
    owl:imports <{base}/imported.ttl> ;
    rdfs:seeAlso <{base}/see-also.ttl> ;
    sh:shapesGraph <{base}/shapes.ttl> .

<{base}/evil-shape>
    a sh:NodeShape ;
    sh:targetClass ng:Forum ;
    sh:sparql [ sh:select "SELECT $this WHERE {{ SERVICE <{base}/sparql> {{ ?s ?p ?o }} }}" ] ;
    sh:target [ a sh:SPARQLTarget ; sh:select "SELECT ?this WHERE {{ SERVICE <{base}/target> {{ ?this ?p ?o }} }}" ] ;
    sh:rule [ a sh:SPARQLRule ; sh:construct "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{base}/rule> {{ ?s ?p ?o }} }}" ] .

<{base}/ontology> a owl:Ontology ; owl:imports <{base}/ontology-import.ttl> .
""",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("engine", ["normgraph", pytest.param("pyshacl", marks=pytest.mark.slow)])
def test_validating_contributed_data_makes_no_request(tree: Path, loopback: ThreadingHTTPServer, engine: str) -> None:
    path = _remote_contribution(tree.parent, loopback.server_address[1])
    done = run_in_tree(tree, "validate", "--no-cache", "--engine", engine, str(path))
    assert done.returncode == 1, done.stderr  # the remote resources are also invalid data
    assert "Traceback" not in done.stderr
    assert loopback.seen == []  # type: ignore[attr-defined]
    # The recorder works: a request made on purpose is seen.
    urllib.request.urlopen(f"http://127.0.0.1:{loopback.server_address[1]}/control", timeout=10).read()
    assert loopback.seen == ["GET /control"]  # type: ignore[attr-defined]


def test_adding_data_with_owl_imports_makes_no_request(tree: Path, loopback: ThreadingHTTPServer) -> None:
    port = loopback.server_address[1]
    path = tree.parent / "imports.ttl"
    path.write_text(
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        "<https://w3id.org/normgraph/id/org/fixture-importing> a <https://w3id.org/normgraph/ontology#Forum> ;\n"
        '    skos:prefLabel "Fixture importing forum"@en ;\n'
        f"    owl:imports <http://127.0.0.1:{port}/imported.ttl> .\n",
        encoding="utf-8",
    )
    done = run_in_tree(tree, "add", str(path))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "owl:imports is not a property normgraph uses" in done.stdout
    shutil.copy(path, tree / "data" / path.name)  # as if it had been written there by hand
    for command in (("validate", "--no-cache"), ("check",)):
        checked = run_in_tree(tree, *command)
        assert checked.returncode == 1 and "owl:imports is not a property normgraph uses" in checked.stdout, command
    assert loopback.seen == []  # type: ignore[attr-defined]


# --------------------------------------------------------------------------------------------
# Bounds and unusable input
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("opening", ["[ <http://x/p> ", "( "], ids=["blank-nodes", "lists"])
def test_deep_nesting_is_refused_with_its_position(tree: Path, opening: str) -> None:
    path = tree.parent / "deep.ttl"
    closing = " ]" if opening.startswith("[") else " )"
    path.write_text("<http://x/s> <http://x/p>\n" + opening * 100_000 + "<http://x/o>" + closing * 100_000 + " .\n", encoding="utf-8")
    message = refused(tree, path)
    column = 1 + len(opening) * 64
    assert message == f"{path}:2:{column}: blank nodes and lists are nested more than 64 deep (set NORMGRAPH_MAX_DEPTH to raise the limit)\n"


def test_nesting_beyond_the_bound_no_longer_reaches_a_recursive_parser(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The loader's parser (Oxigraph) keeps its own stack: with the nesting bound lifted, a file
    nested 20,000 deep loads instead of exhausting Python's."""
    from normgraph.load import read_quads

    path = tree.parent / "deeper.ttl"
    path.write_text("<http://x/s> <http://x/p> " + "[ <http://x/p> " * 20_000 + "<http://x/o>" + " ]" * 20_000 + " .\n", encoding="utf-8")
    monkeypatch.setenv("NORMGRAPH_MAX_DEPTH", "1000000")
    assert len(read_quads(path)) == 20_001


def test_an_oversized_file_is_refused_before_it_is_read(tree: Path) -> None:
    path = tree.parent / "big.ttl"
    path.write_text("<http://x/s> <http://x/p> " + '"' + "x" * 400 + '" .\n', encoding="utf-8")
    message = refused(tree, path, NORMGRAPH_MAX_BYTES="300")
    assert message == f"{path}: file is {path.stat().st_size} bytes, over the limit of 300 bytes (set NORMGRAPH_MAX_BYTES to raise it)\n"


def test_too_many_triples_are_refused(tree: Path) -> None:
    path = tree.parent / "many.nt"
    path.write_text("".join(f"<http://x/s{i}> <http://x/p> <http://x/o> .\n" for i in range(10)), encoding="utf-8")
    message = refused(tree, path, NORMGRAPH_MAX_TRIPLES="5")
    assert message == f"{path}: file holds 10 triples, over the limit of 5\n"


@pytest.mark.parametrize("suffix", [".jsonld", ".rdf", ".owl", ".xml", ".n3", ".trig", ""])
def test_formats_that_can_fetch_or_expand_are_refused(tree: Path, suffix: str) -> None:
    path = tree.parent / f"contribution{suffix}"
    path.write_text('{"@context": "http://127.0.0.1:9/context.jsonld"}\n', encoding="utf-8")
    message = refused(tree, path)
    assert message.startswith(f"{path}: unsupported format ")
    assert message.endswith("normgraph accepts .nt, .ttl (Turtle, N-Triples)\n")


def test_json_ld_disguised_as_turtle_is_a_syntax_error(tree: Path) -> None:
    path = tree.parent / "disguised.ttl"
    path.write_text('{"@context": "http://127.0.0.1:9/context.jsonld", "@id": "http://x/a"}\n', encoding="utf-8")
    assert refused(tree, path).startswith(f"{path}:1:1: Turtle syntax error: ")


def test_a_file_that_is_not_utf8_is_refused_with_its_position(tree: Path) -> None:
    path = tree.parent / "latin1.ttl"
    path.write_bytes(b'<http://x/s> <http://x/p> "caf\xe9" .\n')
    assert refused(tree, path) == f"{path}:1:31: file is not valid UTF-8\n"


def test_missing_and_unreadable_files_are_refused(tree: Path) -> None:
    missing = tree.parent / "missing.ttl"
    assert refused(tree, missing) == f"{missing}: cannot read file: No such file or directory\n"
    folder = tree.parent / "folder.ttl"
    folder.mkdir()
    assert refused(tree, folder) == f"{folder}: cannot read file: Is a directory\n"


def test_the_cache_never_reads_oversized_inputs(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Hashing for the cache must not read a file the size bound would refuse."""
    from normgraph import reporting
    from normgraph.layout import locate

    path = tree.parent / "contribution.ttl"
    path.write_text("<http://x/s> <http://x/p> <http://x/o> .\n", encoding="utf-8")
    assert reporting.cache_key(locate(tree), [path], "normgraph") is not None
    monkeypatch.setattr(reporting, "CACHE_MAX_INPUT_BYTES", 1000)
    assert reporting.cache_key(locate(tree), [path], "normgraph") is None
