"""Query results written out: tables for people, the W3C result formats for tools, RDF for graphs.

:mod:`normgraph.query` parses, prepares and runs queries; this module turns their
:class:`~normgraph.engines.QueryResult` into text.

* **Tables for people** (:func:`to_table`, drawn by rich): every IRI shown as its label with a
  short identifier (``Shanghai Cooperation Organisation (org-id:sco)``), cells wrapped at word
  boundaries to fit a given width. A stored query returns one row per supporting claim; the table
  shows one row per *fact* instead, with its claims summarised (how many, which sources, which
  footnotes of the source they cite), and a legend naming each source. ``claims=True`` keeps one
  row per claim.
* **Tools** (:func:`to_csv`, :func:`to_tsv`, :func:`to_json`): W3C SPARQL 1.1 Query Results CSV
  (header without ``?``), TSV (header with ``?``, terms in Turtle syntax) and JSON.
  :func:`labelled` adds a ``<name>Label`` column beside each column holding IRIs, for the CSV and
  TSV the command line writes.
* **Graphs** (:func:`to_graph_text`): CONSTRUCT and DESCRIBE answers as Turtle, N-Triples or
  JSON-LD, written by :mod:`normgraph.serialize` so that the same graph gives the same bytes.
  Table formats are refused for graphs, and RDF formats for tables, with the reason.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from rdflib.namespace import DCTERMS, RDFS, SKOS

from .engines import Engine, QueryResult
from .errors import UsageError
from .namespaces import NG, compact
from .query_options import DEFAULT_TABLE_WIDTH, GRAPH_FORMATS, RESULT_FORMATS, TABLE_FORMATS
from .terms import Row, Term

#: Columns that say *who supports a fact and where*, not what the fact is. Rows that differ only
#: in these are one fact backed by several claims.
EVIDENCE_COLUMNS = ("claim", "claimant", "claimType", "source", "footnote", "quote", "conflictingClaim", "citedWork")
#: Columns whose presence means the rows are about claims themselves (their words), not facts.
_CLAIM_TEXT_COLUMNS = ("statement", "quotation")
#: The suffix of the label column written beside each IRI column in CSV and TSV.
LABEL_SUFFIX = "Label"

_LABEL_PROPERTIES = (str(SKOS.prefLabel), str(RDFS.label), str(DCTERMS.title), str(DCTERMS.bibliographicCitation))
#: The heading of the column that summarises a fact's claims.
_EVIDENCE_HEADING = "evidence"
#: A hyphen at a line break in a quoted passage ("non-\nintervention") joins the two lines.
_LINE_BREAK_HYPHEN = re.compile(r"-[ \t]*\r?\n\s*")


# ---------------------------------------------------------------------------------------------
# Labels
# ---------------------------------------------------------------------------------------------


def labels(engine: Engine, iris: Iterable[str]) -> dict[str, str]:
    """A human label for each IRI that has one: skos:prefLabel, else rdfs:label, else
    dcterms:title, else the reference a source prints for a cited work; English preferred, then
    untagged, then any language."""
    found: dict[str, str] = {}
    for iri in sorted(set(iris)):
        for predicate in _LABEL_PROPERTIES:
            candidates = [t for t in engine.objects(iri, predicate) if t.kind == "literal"]
            if candidates:
                best = min(candidates, key=lambda t: ({"en": 0, None: 1}.get(t.language, 2), t.value))
                found[iri] = best.value
                break
    return found


def result_iris(result: QueryResult) -> set[str]:
    """Every IRI in a SELECT result's rows (to look their labels up once)."""
    return {t.value for row in result.rows for t in row if t is not None and t.kind == "iri"}


def labelled(result: QueryResult, names: Mapping[str, str]) -> QueryResult:
    """``result`` with a ``<name>Label`` column right after each column that holds an IRI.

    The label is a plain literal, unbound where the IRI has none. Columns without IRIs get no
    label column, so a tool reading the file finds each label next to the identifier it names.
    """
    _need_table(result, "csv")
    iri_columns = [any(row[i] is not None and row[i].kind == "iri" for row in result.rows) for i in range(len(result.variables))]
    variables: list[str] = []
    for variable, has_iri in zip(result.variables, iri_columns):
        variables.append(variable)
        if has_iri:
            variables.append(variable + LABEL_SUFFIX)
    rows: list[Row] = []
    for row in result.rows:
        cells: list[Term | None] = []
        for term, has_iri in zip(row, iri_columns):
            cells.append(term)
            if has_iri:
                name = names.get(term.value) if term is not None and term.kind == "iri" else None
                cells.append(Term("literal", name) if name is not None else None)
        rows.append(tuple(cells))
    return QueryResult("SELECT", tuple(variables), tuple(rows), truncated=result.truncated)


# ---------------------------------------------------------------------------------------------
# W3C SPARQL 1.1 result formats and RDF
# ---------------------------------------------------------------------------------------------


def _need_table(result: QueryResult, fmt: str) -> None:
    if result.form == "SELECT":
        return
    if result.form == "ASK":
        raise UsageError(f"ASK results have no {fmt.upper()} form in the W3C result formats; use --format json or table")
    raise UsageError(
        f"{result.form} results are a graph, not a table: --format {fmt} does not apply; "
        f"choose --format {', '.join(GRAPH_FORMATS[:-1])} or {GRAPH_FORMATS[-1]}"
    )


def to_csv(result: QueryResult) -> str:
    """SPARQL 1.1 Query Results CSV: a header of bare variable names, plain values, CRLF line
    ends, RFC 4180 quoting."""
    _need_table(result, "csv")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow(["" if t is None else (f"_:{t.value}" if t.kind == "bnode" else t.value) for t in row])
    return out.getvalue()


def to_tsv(result: QueryResult) -> str:
    """SPARQL 1.1 Query Results TSV: a header of ``?var`` names, terms in Turtle syntax, LF ends."""
    _need_table(result, "tsv")
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    lines.extend("\t".join("" if t is None else t.n3() for t in row) for row in result.rows)
    return "\n".join(lines) + "\n"


def _json_term(term: Term) -> dict[str, str]:
    if term.kind == "iri":
        return {"type": "uri", "value": term.value}
    if term.kind == "bnode":
        return {"type": "bnode", "value": term.value}
    value = {"type": "literal", "value": term.value}
    if term.language:
        value["xml:lang"] = term.language
    elif term.datatype:
        value["datatype"] = term.datatype
    return value


def to_json(result: QueryResult) -> str:
    """SPARQL 1.1 Query Results JSON (``application/sparql-results+json``)."""
    if result.form == "ASK":
        return json.dumps({"head": {}, "boolean": bool(result.boolean)}, indent=2) + "\n"
    _need_table(result, "json")
    bindings = [{v: _json_term(t) for v, t in zip(result.variables, row) if t is not None} for row in result.rows]
    document = {"head": {"vars": list(result.variables)}, "results": {"bindings": bindings}}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def to_graph_text(result: QueryResult, fmt: str = "turtle") -> str:
    """A CONSTRUCT or DESCRIBE result as Turtle, N-Triples or JSON-LD, deterministically."""
    from .serialize import to_jsonld, to_ntriples, to_turtle  # noqa: PLC0415 - only graphs need it

    if result.form not in ("CONSTRUCT", "DESCRIBE"):
        raise UsageError(
            f"{result.form} results are a table, not a graph: --format {fmt} does not apply; "
            f"choose --format {', '.join(TABLE_FORMATS[:-1])} or {TABLE_FORMATS[-1]}"
        )
    writers = {"turtle": to_turtle, "ntriples": to_ntriples, "jsonld": to_jsonld}
    return writers[fmt](result.graph())


# ---------------------------------------------------------------------------------------------
# Tables for people
# ---------------------------------------------------------------------------------------------


def cell_text(term: Term | None, names: Mapping[str, str]) -> str:
    """One value as a person reads it: an IRI as 'label (prefix:name)', text on one line."""
    if term is None:
        return ""
    if term.kind == "iri":
        short = compact(term.value)
        return f"{names[term.value]} ({short})" if term.value in names else short
    if term.kind == "bnode":
        return f"_:{term.value}"
    return " ".join(_LINE_BREAK_HYPHEN.sub("-", term.value).split())


def fact_columns(variables: Sequence[str]) -> tuple[str, ...] | None:
    """The columns that state a fact, when a result's rows are facts with their evidence.

    None when rows are not to be grouped: no evidence columns, no fact columns, the first
    column is evidence (a list of claims or sources), or the rows carry the claims' own words.
    """
    evidence = [v for v in variables if v in EVIDENCE_COLUMNS]
    facts = tuple(v for v in variables if v not in EVIDENCE_COLUMNS)
    if not evidence or not facts or variables[0] in EVIDENCE_COLUMNS:
        return None
    if any(v in _CLAIM_TEXT_COLUMNS for v in variables):
        return None
    return facts


@dataclass(frozen=True)
class TableView:
    """A result laid out for people: column headings, rows of cell text, and notes below."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    notes: tuple[str, ...] = ()
    unit: str = "row"


def _footnotes(engine: Engine | None, claims: Iterable[str]) -> dict[str, set[str]]:
    """The footnote numbers each claim's citations carry (the source's own notes)."""
    found: dict[str, set[str]] = {}
    if engine is None:
        return found
    for claim in claims:
        for citation in engine.objects(claim, str(NG.citation)):
            if citation.kind == "iri":
                numbers = {t.value for t in engine.objects(citation.value, str(NG.footnoteNumber))}
                found.setdefault(claim, set()).update(numbers)
    return found


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _evidence_summary(
    group: Sequence[Mapping[str, Term]], footnotes: Mapping[str, set[str]], numbers_of: Mapping[str, int], names: Mapping[str, str]
) -> str:
    """'2 claims by X, Y' (who says so), the sources as the numbers of the notes below the table,
    'fn 21, 23'."""
    claims = sorted({row["claim"].value for row in group if "claim" in row})
    claimants = sorted({names.get(row["claimant"].value, compact(row["claimant"].value)) for row in group if "claimant" in row and row["claimant"].kind == "iri"})
    sources = [f"[{n}]" for n in sorted({numbers_of[row["source"].value] for row in group if "source" in row})]
    numbers: set[str] = {row["footnote"].value for row in group if "footnote" in row}
    for claim in claims:
        numbers |= footnotes.get(claim, set())
    parts = [_plural(len(claims), "claim") + (f" by {', '.join(claimants)}" if claimants else "")] if claims else []
    if sources:
        parts.append("source " + " ".join(sources) if len(sources) == 1 else "sources " + " ".join(sources))
    if numbers:
        parts.append("fn " + ", ".join(sorted(numbers, key=lambda n: (len(n), n))))
    return "\n".join(parts)


def table_view(result: QueryResult, engine: Engine | None = None, *, claims: bool = False) -> TableView:
    """Lay ``result`` out for people: one row per fact with its evidence summarised (see
    :func:`fact_columns`), or with ``claims`` one row per row of the answer."""
    names = labels(engine, result_iris(result)) if engine is not None else {}
    facts = None if claims else fact_columns(result.variables)
    sources = sorted({t.value for row in result.rows for v, t in zip(result.variables, row) if v == "source" and t is not None})
    if facts is None:
        notes = tuple(f"{compact(s)}: {names[s]}" for s in sources if s in names)
        rows = tuple(tuple(cell_text(t, names) for t in row) for row in result.rows)
        return TableView(tuple(result.variables), rows, notes)
    numbers_of = {source: number for number, source in enumerate(sources, start=1)}
    notes = tuple(f"[{numbers_of[s]}] {cell_text(Term('iri', s), names)}" for s in sources)
    groups: dict[tuple, list[dict[str, Term]]] = {}
    for row in result.dicts():
        groups.setdefault(tuple(row.get(v) for v in facts), []).append(row)
    all_claims = {row["claim"].value for group in groups.values() for row in group if "claim" in row}
    footnotes = _footnotes(engine, sorted(all_claims))
    heading = _EVIDENCE_HEADING
    rows = [tuple(cell_text(t, names) for t in key) + (_evidence_summary(group, footnotes, numbers_of, names),) for key, group in groups.items()]
    # Columns empty in every row are left out (and named in a note); an empty answer keeps them all.
    kept = [i for i in range(len(facts)) if not rows or any(row[i] for row in rows)] + [len(facts)]
    empty = [facts[i] for i in range(len(facts)) if i not in kept]
    if empty:
        notes = (f"no values in this answer: {', '.join(empty)}",) + notes
    columns = tuple((facts + (heading,))[i] for i in kept)
    return TableView(columns, tuple(tuple(row[i] for i in kept) for row in rows), notes, unit="fact")


def to_table(
    result: QueryResult,
    engine: Engine | None = None,
    *,
    width: int = DEFAULT_TABLE_WIDTH,
    claims: bool = False,
) -> str:
    """A table for people, ``width`` characters wide at most, cells wrapped at word boundaries;
    ASK answers as ``yes`` or ``no``."""
    if result.form == "ASK":
        return ("yes" if result.boolean else "no") + "\n"
    _need_table(result, "table")
    return draw_table(table_view(result, engine, claims=claims), width=width, truncated=result.truncated)


def _column_widths(view: TableView, room: int) -> list[int] | None:
    """Widths for the columns that keep every word whole where ``room`` allows, or None if the
    table fits as it is.

    rich wraps at spaces but, when a table is too wide, narrows its widest columns without regard
    to their words, so an identifier such as ``org-id:russia-india-china-consultations`` broke
    mid-word. Here each column gets at least its longest word, and the rest of the room is shared
    out evenly, columns that need least first; only where even the longest words do not fit
    are the longest of them shortened (and rich folds them).
    """
    texts = [(heading, *(row[i] for row in view.rows)) for i, heading in enumerate(view.columns)]
    natural = [max((len(line) for text in column for line in text.splitlines()), default=0) for column in texts]
    if sum(natural) <= room:
        return None
    floor = [max((len(word) for text in column for word in text.split()), default=1) for column in texts]
    if sum(floor) >= room:  # cap the longest words alone, so that short columns stay whole
        cap = max(floor)
        while cap > 1 and sum(min(f, cap) for f in floor) > room:
            cap -= 1
        return [min(f, cap) for f in floor]
    spare = room - sum(floor)
    wanted = [n - f for n, f in zip(natural, floor)]
    widths = list(floor)
    order = sorted(range(len(wanted)), key=lambda i: wanted[i])  # least need first: short columns stay on one line
    for place, index in enumerate(order):
        given = min(wanted[index], spare // (len(order) - place))
        widths[index] += given
        spare -= given
    return widths


def draw_table(view: TableView, *, width: int = DEFAULT_TABLE_WIDTH, truncated: bool = False) -> str:
    """Draw a :class:`TableView` with rich, as plain text (no colour, no trailing spaces)."""
    from rich import box  # noqa: PLC0415 - rich is needed only when a table is drawn
    from rich.console import Console  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415
    from rich.text import Text  # noqa: PLC0415

    if width < 20:
        raise UsageError(f"--width {width} is too narrow for a table (at least 20)")
    out = io.StringIO()
    console = Console(
        file=out, width=width, color_system=None, force_terminal=False, force_jupyter=False, force_interactive=False,
        highlight=False, markup=False, emoji=False, legacy_windows=False, no_color=True,
    )
    table = Table(box=box.SIMPLE_HEAD, show_lines=True, pad_edge=False, collapse_padding=True, show_edge=False)
    widths = _column_widths(view, width - 2 * (len(view.columns) - 1))  # a space and a rule between columns
    for index, column in enumerate(view.columns):
        table.add_column(column, overflow="fold", width=None if widths is None else widths[index])
    for row in view.rows:
        table.add_row(*(Text(cell) for cell in row))
    console.print(table)
    count = len(view.rows)
    console.print(Text(f"({_plural(count, view.unit)}{', truncated' if truncated else ''})"))
    for note in view.notes:
        console.print(Text(note))
    lines = [line.rstrip() for line in out.getvalue().splitlines()]
    return "\n".join(lines).strip("\n") + "\n"


def vet_format(form: str, fmt: str | None) -> None:
    """Refuse, before a query runs, an output format its answers cannot take."""
    if fmt is None:
        return
    if form in ("CONSTRUCT", "DESCRIBE") and fmt not in GRAPH_FORMATS:
        raise UsageError(
            f"a {form} query answers with a graph, not a table: --format {fmt} does not apply; "
            f"choose --format {', '.join(GRAPH_FORMATS[:-1])} or {GRAPH_FORMATS[-1]}"
        )
    if form in ("SELECT", "ASK") and fmt in GRAPH_FORMATS:
        raise UsageError(
            f"a {form} query answers with a table, not a graph: --format {fmt} does not apply; "
            f"choose --format {', '.join(TABLE_FORMATS[:-1])} or {TABLE_FORMATS[-1]}"
        )
    if form == "ASK" and fmt in ("csv", "tsv"):
        raise UsageError(f"ASK results have no {fmt.upper()} form in the W3C result formats; use --format json or table")


def render(
    result: QueryResult,
    fmt: str | None = None,
    engine: Engine | None = None,
    *,
    width: int = DEFAULT_TABLE_WIDTH,
    claims: bool = False,
) -> str:
    """``result`` in ``fmt``. By default a table for SELECT and ASK, Turtle for graphs. With an
    ``engine``, CSV and TSV carry a label column beside each IRI column."""
    if fmt is None:
        fmt = "turtle" if result.form in ("CONSTRUCT", "DESCRIBE") else "table"
    if fmt not in RESULT_FORMATS:
        raise UsageError(f"unknown format {fmt!r} (choose from {', '.join(RESULT_FORMATS)})")
    vet_format(result.form, fmt)
    if fmt in GRAPH_FORMATS:
        return to_graph_text(result, fmt)
    if fmt == "table":
        return to_table(result, engine, width=width, claims=claims)
    if fmt == "json":
        return to_json(result)
    _need_table(result, fmt)
    if engine is not None:
        result = labelled(result, labels(engine, result_iris(result)))
    return to_csv(result) if fmt == "csv" else to_tsv(result)
