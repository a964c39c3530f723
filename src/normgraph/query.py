"""Stored and ad-hoc SPARQL queries: load, check, bind, and run on rdflib or Oxigraph.

One path for every query, trusted or not, each step in a module of its own:

1. **Read.** A stored query is a ``queries/*.rq`` file whose leading ``#+`` comment lines are
   grlc-style decorators and whose parameters are BASIL-style variables
   (:mod:`normgraph.sparql_text`). :func:`load_query` reads one, :func:`stored_queries` all of a
   tree.
2. **Check and bind.** :func:`normgraph.sparql_check.prepare` refuses updates, ``SERVICE`` and
   ``FROM``, and binds parameter values as RDF terms in a ``VALUES`` block.
3. **Run.** :mod:`normgraph.engines` answers on rdflib or Oxigraph behind one interface;
   :func:`normgraph.worker.execute` runs the query in a worker process under a wall-clock limit
   and a row cap.

Writing results out (tables for people, the W3C result formats for tools) is the job of
:mod:`normgraph.results`. :func:`run_query` and :func:`run_file` take a query from text or file to
its answer in one call.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from .engines import Engine, QueryResult, make_engine
from .errors import InputError, UsageError
from .layout import Layout
from .query_options import DEFAULT_ENGINE
from .sparql_check import MAX_QUERY_CHARS, PreparedQuery, check_query, prepare, translate
from .sparql_text import Header, Parameter, declared_parameters, parse_header
from .worker import execute


@dataclass(frozen=True)
class StoredQuery:
    """One ``queries/*.rq`` file: its name (the file stem), header, parameters and text."""

    name: str
    path: Path
    text: str
    header: Header
    parameters: tuple[Parameter, ...]
    form: str

    @property
    def summary(self) -> str:
        return self.header.summary

    def prepare(self, params: Mapping[str, str] | None = None) -> PreparedQuery:
        """Bind ``params`` (and the defaults) with the query's own prefixes only."""
        return prepare(self.text, params, origin=str(self.path), header=self.header, prefixes={})


def read_query_file(path: Path) -> str:
    """The text of a query file, refused if unreadable, not UTF-8 or over the size limit."""
    try:
        size = path.stat().st_size
        if size > MAX_QUERY_CHARS * 4:
            raise InputError(path, f"query file is {size} bytes, over the limit")
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise InputError(path, f"cannot read query: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise InputError(path, "query file is not valid UTF-8") from None
    return text


def load_query(path: str | os.PathLike[str]) -> StoredQuery:
    """Read and check one query file. It must be standalone SPARQL: every prefix declared."""
    path = Path(path)
    text = read_query_file(path)
    header = parse_header(text, path)
    checked = check_query(text, str(path), prefixes={})
    translate(checked.parsed, {}, str(path))
    return StoredQuery(path.stem, path, text, header, declared_parameters(checked.tokens, header, path), checked.form)


def stored_queries(layout: Layout) -> list[StoredQuery]:
    """Every stored query of the tree (``queries/*.rq``, not the checks), by name."""
    return [load_query(path) for path in sorted(layout.queries_dir.glob("*.rq"))]


def find_query(layout: Layout, name: str) -> StoredQuery:
    """The stored query called ``name`` (with or without ``.rq``)."""
    stem = name[:-3] if name.endswith(".rq") else name
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", stem):
        raise UsageError(f"{name!r} is not a stored query name")
    path = layout.queries_dir / f"{stem}.rq"
    if not path.is_file():
        names = sorted(p.stem for p in layout.queries_dir.glob("*.rq"))
        close = [n for n in names if stem in n or n in stem][:5]
        hint = f"; did you mean {', '.join(close)}?" if close else "; 'normgraph queries' lists them"
        raise UsageError(f"no stored query {stem!r}{hint}")
    return load_query(path)


def run_query(
    graph_or_engine: Graph | Engine,
    text: str,
    params: Mapping[str, str] | None = None,
    *,
    engine: str = DEFAULT_ENGINE,
    timeout: float | None = None,
    max_rows: int | None = None,
    origin: str = "query",
) -> QueryResult:
    """Check, bind and run SPARQL ``text`` over a graph (or an engine built once and reused)."""
    runner = make_engine(graph_or_engine, engine) if isinstance(graph_or_engine, Graph) else graph_or_engine
    return execute(runner, prepare(text, params, origin=origin), timeout=timeout, max_rows=max_rows)


def run_file(
    graph_or_engine: Graph | Engine,
    path: str | os.PathLike[str],
    params: Mapping[str, str] | None = None,
    *,
    engine: str = DEFAULT_ENGINE,
    timeout: float | None = None,
    max_rows: int | None = None,
) -> QueryResult:
    """Run a query file (a stored query, a check, or any ``.rq``) and return its result."""
    stored = load_query(path)
    runner = make_engine(graph_or_engine, engine) if isinstance(graph_or_engine, Graph) else graph_or_engine
    return execute(runner, stored.prepare(params), timeout=timeout, max_rows=max_rows)
