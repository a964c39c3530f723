"""The graph a server answers from, and the pool of workers that answer its queries.

The server gets its graph only through :func:`open_store`, so switching to another loader
changes one function. Queries run through :func:`normgraph.worker.execute`, the same checked,
time-limited and row-capped path as ``normgraph sparql``: each engine of the pool owns one worker
process (forked with the store), so a slow query holds one worker while the others keep
answering, and a query over the time limit is stopped by killing its worker, which the next query
replaces. Requests wait for a free engine, never for another query to finish elsewhere.
"""

from __future__ import annotations

import queue
from collections.abc import Iterator
from contextlib import contextmanager

import pyoxigraph as ox

from ..engines import OxigraphEngine, QueryResult
from ..layout import Layout
from ..sparql_check import PreparedQuery
from ..worker import execute, retire

#: Worker processes answering queries at once; more requests wait for a free one.
DEFAULT_WORKERS = 4


def open_store(layout: Layout) -> ox.Store:
    """Ontology, vocabularies and data of ``layout`` in one in-memory Oxigraph store, in its
    default graph (where SPARQL clients look), from the quads the one loader parsed."""
    from ..load import load_parts

    store = ox.Store()
    store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object) for q in load_parts(layout).quads("ontology", "data"))
    return store


class QueryPool:
    """``workers`` engines over one store, each with its own worker process, lent one per query."""

    def __init__(self, store: ox.Store, workers: int = DEFAULT_WORKERS, *, timeout: float, max_rows: int) -> None:
        if workers < 1:
            raise ValueError("a query pool needs at least one worker")
        self.store = store
        self.timeout = timeout
        self.max_rows = max_rows
        self.size = workers
        self._idle: queue.Queue[OxigraphEngine] = queue.Queue()
        for _ in range(workers):
            self._idle.put(OxigraphEngine(store))

    @contextmanager
    def _engine(self) -> Iterator[OxigraphEngine]:
        engine = self._idle.get()
        try:
            yield engine
        finally:
            self._idle.put(engine)

    def run(self, query: PreparedQuery) -> QueryResult:
        """Answer ``query`` in a free worker (blocking the calling thread, not the others)."""
        with self._engine() as engine:
            return execute(engine, query, timeout=self.timeout, max_rows=self.max_rows)

    def start(self) -> None:
        """Fork every worker now, before the server starts threads, with a trivial query each."""
        from ..sparql_check import prepare

        engines = [self._idle.get() for _ in range(self.size)]
        try:
            for engine in engines:
                execute(engine, prepare("ASK {}", origin="start-up", prefixes={}), timeout=max(self.timeout, 60.0), max_rows=1)
        finally:
            for engine in engines:
                self._idle.put(engine)

    def close(self) -> None:
        """Stop every worker process (at server shutdown); idle engines only, so call it once
        no request is being answered."""
        while True:
            try:
                retire(self._idle.get_nowait())
            except queue.Empty:
                return
