"""The tree's store on disk (:mod:`normgraph.store`): opened instead of reparsed, brought up to
date file by file, rebuilt when it cannot be trusted, and always holding exactly what a fresh
parse of the tree holds."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from normgraph import store as tree_stores
from normgraph.errors import InputError
from normgraph.layout import locate
from normgraph.load import load_parts, to_rdflib
from normgraph.store import store_folder, tree_store

from .conftest import ROOT, run_in_tree

FACTS = ROOT / "data" / "multilateral-security-excerpt.ttl"
PERSON = "https://w3id.org/normgraph/id/person/"


@pytest.fixture
def layout(tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A scratch tree with one fact file, and a cache folder of its own."""
    shutil.copy(FACTS, tree / "data" / FACTS.name)
    monkeypatch.setenv("NORMGRAPH_CACHE_DIR", str(tmp_path / "cache"))
    return locate(tree)


def stored(path: Path) -> Graph:
    """The default graph of the store at ``path`` (what queries see), as a graph to compare."""
    store = ox.Store.read_only(str(path))
    return to_rdflib(store.quads_for_pattern(None, None, None, ox.DefaultGraph()), Graph())


def parsed(layout) -> Graph:
    """Ontology, vocabularies and data of the tree as a fresh parse gives them, through a store
    of their own (which keeps literals in the same canonical form)."""
    fresh = ox.Store()
    fresh.bulk_extend(ox.Quad(q.subject, q.predicate, q.object) for q in load_parts(layout).quads("ontology", "data"))
    return to_rdflib(fresh, Graph())


def same(left: Graph, right: Graph) -> bool:
    """Equal up to blank node labels, which every parse draws anew."""
    return len(left) == len(right) and isomorphic(left, right)


def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files the store parses from now on, by name."""
    seen: list[str] = []
    original = tree_stores.read_quads

    def recording(path, graph=None):
        seen.append(Path(path).name)
        return original(path, graph)

    monkeypatch.setattr(tree_stores, "read_quads", recording)
    return seen


def test_the_store_holds_what_a_fresh_parse_holds(layout) -> None:
    assert same(stored(tree_store(layout)), parsed(layout))


def test_an_unchanged_tree_is_opened_without_parsing_anything(layout, monkeypatch: pytest.MonkeyPatch) -> None:
    tree_store(layout)
    seen = reads(monkeypatch)
    assert same(stored(tree_store(layout)), parsed(layout))
    assert seen == []


def test_a_changed_file_is_the_only_one_parsed_again(layout, monkeypatch: pytest.MonkeyPatch) -> None:
    tree_store(layout)
    people = layout.data_dir / "people.ttl"
    people.write_text(people.read_text(encoding="utf-8").replace('skos:prefLabel "Medvedev"@en', 'skos:prefLabel "President Medvedev"@en'), encoding="utf-8")
    seen = reads(monkeypatch)
    assert same(stored(tree_store(layout)), parsed(layout))
    assert seen == ["people.ttl"]


def test_a_triple_two_files_share_stays_when_one_of_them_goes(layout) -> None:
    shared = layout.data_dir / "copy.ttl"
    shutil.copy(layout.data_dir / "people.ttl", shared)
    tree_store(layout)
    (layout.data_dir / "people.ttl").unlink()
    after = stored(tree_store(layout))
    assert same(after, parsed(layout))
    assert any(str(s).startswith(PERSON) for s in after.subjects())
    shared.unlink()
    gone = stored(tree_store(layout))
    assert same(gone, parsed(layout))
    assert not any(str(s).startswith(PERSON) for s in gone.subjects())


def test_an_interrupted_update_is_noticed_and_the_store_rebuilt(layout, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tree_store(layout)
    manifest = store_folder(layout) / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    # An update that died half-way: the manifest still says so, and the store lost triples.
    data["complete"] = False
    manifest.write_text(json.dumps(data), encoding="utf-8")
    writable = ox.Store(str(path))
    writable.remove(next(iter(writable.quads_for_pattern(None, None, None, ox.DefaultGraph()))))
    writable.flush()
    del writable
    seen = reads(monkeypatch)
    assert same(stored(tree_store(layout)), parsed(layout))
    assert len(seen) == len(layout.ontology_files()) + len(layout.data_files())


def test_a_store_that_disagrees_with_its_manifest_is_rebuilt(layout) -> None:
    path = tree_store(layout)
    writable = ox.Store(str(path))
    writable.remove(next(iter(writable.quads_for_pattern(None, None, None, ox.DefaultGraph()))))
    writable.flush()
    del writable
    assert same(stored(tree_store(layout)), parsed(layout))


def test_a_damaged_store_is_rebuilt(layout) -> None:
    path = tree_store(layout)
    for file in path.iterdir():
        if file.is_file():
            file.write_bytes(b"not a store")
    assert same(stored(tree_store(layout)), parsed(layout))


def test_a_store_made_under_other_bounds_is_rebuilt(layout, monkeypatch: pytest.MonkeyPatch) -> None:
    tree_store(layout)
    monkeypatch.setenv("NORMGRAPH_MAX_LITERAL", "20000")
    seen = reads(monkeypatch)
    tree_store(layout)
    assert "people.ttl" in seen


def test_a_broken_file_is_a_clean_error_and_the_store_stays_usable(layout) -> None:
    tree_store(layout)
    broken = layout.data_dir / "broken.ttl"
    broken.write_text("@prefix ng: <https://w3id.org/normgraph/ontology#> .\nng:a ng:b .\nng:c ng:d\n", encoding="utf-8")
    with pytest.raises(InputError) as refused:
        tree_store(layout)
    assert str(refused.value).startswith(f"{broken}:")
    broken.unlink()
    assert same(stored(tree_store(layout)), parsed(layout))


def test_query_answers_from_the_store_and_follows_an_edit(tree: Path) -> None:
    shutil.copy(FACTS, tree / "data" / FACTS.name)
    shutil.copytree(ROOT / "queries", tree / "queries")
    first = run_in_tree(tree, "query", "organisations-by-kind", "--format", "csv")
    assert first.returncode == 0, first.stderr
    again = run_in_tree(tree, "query", "organisations-by-kind", "--format", "csv")
    assert again.stdout == first.stdout
    organisations = tree / "data" / "organisations.ttl"
    organisations.write_text(
        organisations.read_text(encoding="utf-8")
        + '\n<https://w3id.org/normgraph/id/org/test-union> a <https://w3id.org/normgraph/ontology#IntergovernmentalOrganisation> .\n',
        encoding="utf-8",
    )
    edited = run_in_tree(tree, "query", "organisations-by-kind", "--format", "csv")
    assert edited.returncode == 0, edited.stderr
    assert edited.stdout != first.stdout
    assert (tree.parent / "cache" / "stores").is_dir()


def test_an_unchanged_store_is_checked_without_writing_it(layout):
    """Regression: every command opened the store for writing just to check it, which replaces
    RocksDB's MANIFEST file; a command opening it read-only at that moment found the file gone
    ("MANIFEST-000005: No such file or directory")."""
    path = tree_store(layout)
    before = sorted(p.name for p in path.iterdir())
    assert tree_store(layout) == path
    assert sorted(p.name for p in path.iterdir()) == before


def test_a_read_only_open_waits_while_the_store_is_written(layout):
    """Readers take the shared lock, the writer the exclusive one: no read-only open can meet a
    store half-written."""
    path = tree_store(layout)
    opened = threading.Event()

    def reader() -> None:
        tree_stores.open_read_only(path)
        opened.set()

    with tree_stores._locked(path.parent, exclusive=True):
        thread = threading.Thread(target=reader)
        thread.start()
        assert not opened.wait(0.5)  # blocked by the writer's lock
    assert opened.wait(30)
    thread.join()
