"""Running a prepared query under a wall-clock limit and a row cap.

pyoxigraph has no query timeout in its Python API and a Python thread cannot be stopped, but a
process can: :func:`execute` sends the query to a worker process that holds the engine's graph,
and kills it when the limit passes. The worker cannot open network connections from Python.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import socket
import weakref

from . import bounds
from .engines import Engine, QueryResult
from .errors import NormgraphError
from .sparql_check import PreparedQuery
from .terms import Term


def default_timeout() -> float:
    """The wall-clock limit in seconds (0 for none): :data:`normgraph.bounds.QUERY_TIMEOUT`."""
    return float(bounds.QUERY_TIMEOUT.value())


def default_max_rows() -> int:
    """The row cap: :data:`normgraph.bounds.MAX_ROWS`."""
    return int(bounds.MAX_ROWS.value())


class QueryTimeout(NormgraphError):
    """The query ran into the wall-clock limit and was stopped."""

    exit_code = 3


class QueryFailed(NormgraphError):
    """The engine could not evaluate a syntactically valid query."""

    exit_code = 1


def _no_network(*_args, **_kwargs):
    raise OSError("network access is disabled while a query runs")


def _forbid_network() -> None:
    """In the worker process only: make any Python-level connection attempt fail."""
    socket.socket.connect = _no_network  # type: ignore[method-assign]
    socket.socket.connect_ex = _no_network  # type: ignore[method-assign]
    socket.create_connection = _no_network  # type: ignore[assignment]
    socket.getaddrinfo = _no_network  # type: ignore[assignment]


def _evaluate(engine: Engine, query: PreparedQuery, max_rows: int) -> QueryResult:
    """Run the query here; any failure of the engine becomes a :class:`QueryFailed`."""
    try:
        return engine.run(query, max_rows)
    except NormgraphError:
        raise
    except RecursionError:
        raise QueryFailed(f"{query.origin}: the query is nested too deeply to evaluate") from None
    except MemoryError:
        raise QueryFailed(f"{query.origin}: the query needs more memory than is available") from None
    except Exception as exc:  # noqa: BLE001 - any engine failure becomes a message, not a traceback
        raise QueryFailed(f"{query.origin}: the query could not be evaluated: {type(exc).__name__}: {exc}") from None


def _to_wire(result: QueryResult) -> tuple:
    """The result as plain tuples, which pickle many times faster than named tuples; a term that
    recurs is one object, so the pickle holds it once."""
    seen: dict[Term, tuple] = {}

    def plain(term: Term | None) -> tuple | None:
        if term is None:
            return None
        found = seen.get(term)
        if found is None:
            found = seen[term] = tuple(term)
        return found

    rows = tuple(tuple(map(plain, row)) for row in result.rows)
    triples = tuple(tuple(map(plain, triple)) for triple in result.triples)
    return (result.form, result.variables, rows, result.boolean, triples, result.truncated)


def _from_wire(wire: tuple) -> QueryResult:
    form, variables, rows, boolean, triples, truncated = wire
    made: dict[int, Term] = {}

    def term(plain: tuple | None) -> Term | None:
        if plain is None:
            return None
        found = made.get(id(plain))
        if found is None:
            found = made[id(plain)] = Term._make(plain)
        return found

    return QueryResult(
        form,
        variables,
        tuple(tuple(map(term, row)) for row in rows),
        boolean,
        tuple(tuple(map(term, triple)) for triple in triples),
        truncated,
    )


#: How often an idle worker checks that the process that started it is still there.
_PARENT_CHECK_SECONDS = 1.0


def _serve(engine: Engine, connection) -> None:
    """The worker's loop: answer each (query, row cap) sent to it until the pipe closes or the
    process that started it is gone.

    The pipe alone does not tell: a forked worker inherits the parent's ends of its own and of
    earlier workers' pipes, so it can outlive a server killed by a signal. It also drops signal
    handlers inherited from the server (uvicorn's, when it replaces a worker), so that a SIGTERM
    or SIGINT ends it.
    """
    parent = os.getppid()
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    _forbid_network()
    while True:
        try:
            if not connection.poll(_PARENT_CHECK_SECONDS):
                if os.getppid() != parent:
                    return
                continue
            query, max_rows = connection.recv()
        except (EOFError, OSError):
            return
        try:
            outcome: tuple = ("ok", _to_wire(_evaluate(engine, query, max_rows)))
        except NormgraphError as exc:  # sent as text: not every error class survives pickling
            outcome = ("error", str(exc), exc.exit_code)
        connection.send(outcome)


def _context():
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


class _Worker:
    """A child process that holds one engine's graph and answers its queries one at a time.

    Forking a large graph and touching its pages in a fresh child costs far more than most queries
    (about 0.1 s per GB of memory, and a slower first pass), so the child is started once per
    engine and reused; it is killed when a query overruns, when the engine is garbage-collected,
    and when the interpreter exits.
    """

    def __init__(self, engine: Engine) -> None:
        context = _context()
        self.connection, child_end = context.Pipe()
        self.process = context.Process(target=_serve, args=(engine, child_end), daemon=True)
        self.process.start()
        child_end.close()

    def ask(self, query: PreparedQuery, max_rows: int, timeout: float) -> tuple | None:
        """The worker's outcome; None when it did not answer within ``timeout`` seconds, and
        an empty tuple when it died without answering."""
        try:
            self.connection.send((query, max_rows))
        except OSError:  # the worker has died since it was last asked
            return ()
        if not self.connection.poll(timeout):
            return None
        try:
            return self.connection.recv()
        except (EOFError, OSError):
            return ()

    def close(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.connection.close()


_WORKERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _worker_for(engine: Engine) -> _Worker:
    worker = _WORKERS.get(engine)
    if worker is None or not worker.process.is_alive():
        worker = _WORKERS[engine] = _Worker(engine)
        weakref.finalize(engine, worker.close)
    return worker


def retire(engine: Engine) -> None:
    """Stop ``engine``'s worker process, if it has one (the next guarded query starts another)."""
    worker = _WORKERS.pop(engine, None)
    if worker is not None:
        worker.close()


def execute(
    engine: Engine,
    query: PreparedQuery,
    *,
    timeout: float | None = None,
    max_rows: int | None = None,
) -> QueryResult:
    """Run ``query`` on ``engine`` and return at most ``max_rows`` rows.

    With a ``timeout`` (seconds; default :func:`default_timeout`, ``0`` for none) the query runs in
    the engine's worker process, which is killed when the limit passes (:class:`QueryTimeout`)
    and replaced at the next query. The worker is forked from this process and so answers over
    the graph as it was when the engine's first guarded query ran: build a new engine after
    changing a graph. It cannot open network connections from Python. Where fork is unavailable
    the worker is spawned and receives the graph serialised.
    """
    timeout = default_timeout() if timeout is None else timeout
    max_rows = default_max_rows() if max_rows is None else max_rows
    if not timeout:
        return _evaluate(engine, query, max_rows)
    worker = _worker_for(engine)
    try:
        outcome = worker.ask(query, max_rows, timeout)
    except BaseException:  # interrupted: the worker may still be busy with this query
        retire(engine)
        raise
    if outcome is None:
        retire(engine)
        raise QueryTimeout(
            f"{query.origin}: stopped after {timeout:g} s, the wall-clock limit; narrow the query, "
            "or raise the limit with --timeout or $NORMGRAPH_QUERY_TIMEOUT"
        )
    if not outcome:
        status = worker.process.exitcode
        retire(engine)
        raise QueryFailed(f"{query.origin}: the query engine stopped without an answer (exit status {status})")
    if outcome[0] == "ok":
        return _from_wire(outcome[1])
    error = QueryFailed(outcome[1])
    error.exit_code = outcome[2]
    raise error
