"""The tree's graph on disk: parsed once, opened by every later command while its files are unchanged.

Reparsing a large tree costs seconds for every ``normgraph query``; an Oxigraph store on disk
opens in milliseconds. :func:`tree_store` keeps one store per tree under the cache folder
(:func:`normgraph.reporting.cache_dir`) and brings it up to date before handing out its path:

* **content-addressed**: each input file's triples sit in a named graph named by its part and
  the SHA-256 of its bytes (``urn:normgraph:file:data:<sha256>``); the default graph holds their
  union, which is what queries see. ``manifest.json`` lists the graphs present and their sizes;
* **incremental**: a file whose bytes changed is a new graph; the graphs no file has any more are
  removed, each of their triples leaving the default graph unless another graph still holds it,
  and the new ones are parsed by the one loader (:func:`normgraph.load.read_quads`, bounds and
  all) and added. Unchanged files are not read beyond hashing them;
* **never trusted blindly**: the manifest is marked incomplete while the store changes, so an
  interrupted update is noticed and the store rebuilt; a store that fails to open (a damaged
  file) or disagrees with its manifest in size is rebuilt too, as is one written by another
  normgraph store format or pyoxigraph version, or under other input bounds;
* **safe for concurrent commands**: an update holds an exclusive lock on the tree's folder;
  checking that the store is current and opening it read-only (:func:`open_read_only`) hold a
  shared one, so readers never open a store while it is written, and do not wait for each other.

Commands that evaluate queries (``query``, ``sparql``) open the store read-only through
:class:`normgraph.engines.OxigraphEngine` (:meth:`~normgraph.engines.OxigraphEngine.on_disk`),
in the worker process that runs the query. Validation does not use it: pySHACL works on rdflib
graphs built from the parsed files.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path

import pyoxigraph as ox

from . import bounds
from .layout import Layout
from .load import read_quads
from .reporting import cache_dir

#: Bump when the layout of a store folder changes: older stores are then rebuilt.
STORE_FORMAT = 1
#: The parts of a tree a store holds: what queries see.
STORED_PARTS = ("ontology", "data")
_FILE_GRAPH = "urn:normgraph:file:"


def _graph_name(part: str, sha256: str) -> str:
    return f"{part}:{sha256}"


def _graph_node(name: str) -> ox.NamedNode:
    return ox.NamedNode(_FILE_GRAPH + name)


def _fingerprint() -> dict[str, object]:
    """What a store's contents depend on besides the files: a store made under anything else is
    rebuilt."""
    return {
        "format": STORE_FORMAT,
        "pyoxigraph": version("pyoxigraph"),
        "bounds": {bound.variable: bound.value() for bound in bounds.ALL},
    }


def _wanted(layout: Layout) -> dict[str, Path]:
    """Each input file's graph name (part and SHA-256), and the file it comes from."""
    wanted: dict[str, Path] = {}
    files = {"ontology": layout.ontology_files(), "data": layout.data_files()}
    for part in STORED_PARTS:
        for path in files[part]:
            try:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                digest = "unreadable:" + str(path)  # read_quads reports it with the file's name
            wanted.setdefault(_graph_name(part, digest), path)
    return wanted


def store_folder(layout: Layout) -> Path:
    """Where the store of the tree at ``layout.root`` lives."""
    tree = hashlib.sha256(str(layout.root.resolve()).encode()).hexdigest()[:32]
    return cache_dir() / "stores" / tree


@contextmanager
def _locked(folder: Path, *, exclusive: bool) -> Iterator[None]:
    """The tree's store lock: exclusive while a command writes the store, shared while one opens
    it. Opening a RocksDB store for writing replaces its MANIFEST file, so a read-only open at
    the same moment would find it gone."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def open_read_only(path: Path) -> ox.Store:
    """The store at ``path`` (from :func:`tree_store`), opened read-only while no command writes it."""
    with _locked(path.parent, exclusive=False):
        return ox.Store.read_only(str(path))


def _current(folder: Path, wanted: dict[str, Path]) -> bool:
    """Whether the store needs no change: its manifest is usable, lists exactly the wanted
    graphs, and the store opens read-only with the size the manifest gives."""
    manifest = _read_manifest(folder)
    if manifest is None or set(manifest["graphs"]) != set(wanted):
        return False
    try:
        return _default_size(ox.Store.read_only(str(folder / "oxigraph"))) == manifest["triples"]
    except (OSError, RuntimeError):  # damaged: rebuilt under the exclusive lock
        return False


def _read_manifest(folder: Path) -> dict | None:
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get("complete") is not True or manifest.get("fingerprint") != _fingerprint():
        return None
    return manifest


def _write_manifest(folder: Path, graphs: dict[str, int], triples: int, *, complete: bool) -> None:
    temporary = folder / "manifest.json.part"
    manifest = {"fingerprint": _fingerprint(), "complete": complete, "triples": triples, "graphs": dict(sorted(graphs.items()))}
    temporary.write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    os.replace(temporary, folder / "manifest.json")


def _open(folder: Path, manifest: dict | None) -> tuple[ox.Store, dict[str, int], int]:
    """The store, the graphs its manifest lists and its default graph's size; an empty new
    store when there is no usable manifest or the store does not match it in size."""
    path = folder / "oxigraph"
    if manifest is not None:
        try:
            store = ox.Store(str(path))
            if _default_size(store) == manifest["triples"]:
                return store, dict(manifest["graphs"]), manifest["triples"]
            del store
        except (OSError, RuntimeError):  # pyoxigraph reports a damaged store as either
            pass
    shutil.rmtree(path, ignore_errors=True)
    return ox.Store(str(path)), {}, 0


def _default_size(store: ox.Store) -> int:
    """How many triples the default graph holds (counted by Oxigraph, not in Python)."""
    solution = next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))
    return int(solution["n"].value)


def _remove_graph(store: ox.Store, name: str) -> None:
    """Drop a file's graph; each of its triples leaves the default graph unless another file's
    graph holds it too."""
    node = _graph_node(name)
    for quad in list(store.quads_for_pattern(None, None, None, node)):
        holders = sum(1 for _ in store.quads_for_pattern(quad.subject, quad.predicate, quad.object, None))
        if holders <= 2:  # this graph's copy and the default graph's: no other file has it
            store.remove(ox.Quad(quad.subject, quad.predicate, quad.object, ox.DefaultGraph()))
    store.remove_graph(node)


def _add_graph(store: ox.Store, quads: list[ox.Quad]) -> int:
    """A file's quads (in its own graph) added to the store and to its default graph; how many
    triples the file holds."""
    store.bulk_extend(quads)
    store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in quads)
    return len({(q.subject, q.predicate, q.object) for q in quads})


def tree_store(layout: Layout) -> Path:
    """The path of the tree's up-to-date store, to open with ``pyoxigraph.Store.read_only``.

    Raises :class:`normgraph.errors.InputError` for a file the loader refuses; the store then keeps
    every graph it could bring up to date and lists exactly those.
    """
    folder = store_folder(layout)
    wanted = _wanted(layout)
    with _locked(folder, exclusive=False):
        if _current(folder, wanted):  # the usual case: checked without writing, beside other readers
            return folder / "oxigraph"
    with _locked(folder, exclusive=True):
        store, graphs, triples = _open(folder, _read_manifest(folder))
        stale = sorted(set(graphs) - set(wanted))
        new = sorted(set(wanted) - set(graphs))
        if stale or new:
            _write_manifest(folder, graphs, triples, complete=False)
            try:
                for name in stale:
                    _remove_graph(store, name)
                    del graphs[name]
                for name in new:
                    # Parsed here, not in a helper that holds the store: a refused file's
                    # traceback must not keep the store open (a second open would fail).
                    quads = read_quads(wanted[name], _graph_node(name))
                    graphs[name] = _add_graph(store, quads)
            finally:
                store.flush()
                _write_manifest(folder, graphs, _default_size(store), complete=True)
                del store  # closed before the lock is released, also when a file was refused
        else:
            del store
    return folder / "oxigraph"
