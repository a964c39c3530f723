"""Exports for the field's tools: the membership network and a state-year panel.

* :func:`edge_list_csv`: one row per membership (member, organisation, role, dates, claims,
  sources), with labels beside identifiers; any spreadsheet, pandas or networkx reads it.
* :func:`graphml`: the same network as GraphML (networkx writes it; Gephi, Cytoscape and igraph
  open it): nodes with label, kind and IRI, one edge per membership with role, role class, dates
  as stated, claims and sources.
* :func:`panel_csv` and :func:`panel_codebook`: a state x organisation x year panel in the layout
  of the Correlates of War IGO data (one row per state-year, one column per organisation), filled
  only with what the claims state; see :data:`PANEL_CODES` and the codebook for the rule.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass

from pathlib import Path

from rdflib import Graph

from .errors import UsageError
from .memberships import MembershipRecord, membership_records, source_names
from .namespaces import PREFIXES, compact

#: Panel codes, as in the COW IGO data where it has one (1 full member, 2 associate member; 0 no
#: membership), with -9 where the claims state nothing for that state, organisation and year.
PANEL_CODES = {
    1: "full member (member or founding member) in that year, as the claims state it",
    2: "observer, dialogue partner or associate in that year, as the claims state it",
    0: "no membership: the year is before a membership the claims date as beginning later, or after one they date as ended",
    -9: "not stated: the claims give no membership for that year (no claim about the pair, or only claims without a date)",
}
_STATE = PREFIXES["state"]
_CLASS_CODE = {"member": 1, "observer or partner": 2}
EDGE_COLUMNS = (
    "member", "memberLabel", "organisation", "organisationLabel", "role", "roleLabel", "roleClass",
    "start", "end", "membership", "claims", "sources",
)


def edge_list_csv(records: Iterable[MembershipRecord]) -> str:
    """The membership network as a CSV edge list (RFC 4180, CRLF), one row per membership.

    ``start`` and ``end`` are empty where no claim states them; ``claims`` and ``sources`` hold
    space-separated IRIs."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EDGE_COLUMNS)
    for r in records:
        writer.writerow([
            r.member, r.member_label, r.organisation, r.organisation_label, r.role, r.role_label, r.role_class,
            r.start or "", r.end or "", r.iri, " ".join(r.claims), " ".join(r.sources),
        ])
    return out.getvalue()


def network(records: Iterable[MembershipRecord]):
    """The membership network as a networkx ``MultiDiGraph``: member -> organisation, one edge
    per membership (a state can be observer and, later, member of one organisation)."""
    import networkx as nx  # noqa: PLC0415 - only exports need it

    records = list(records)
    graph = nx.MultiDiGraph(name="normgraph membership network")
    nodes = sorted({(r.member, r.member_label) for r in records} | {(r.organisation, r.organisation_label) for r in records})
    for iri, label in nodes:
        kind = "state" if iri.startswith(_STATE) else "organisation"
        graph.add_node(compact(iri), label=label, iri=iri, kind=kind)
    for r in records:
        attributes = {
            "role": compact(r.role), "roleLabel": r.role_label, "roleClass": r.role_class,
            "membership": r.iri, "claims": " ".join(r.claims), "sources": " ".join(r.sources),
        }
        if r.start:
            attributes["start"] = r.start
        if r.end:
            attributes["end"] = r.end
        graph.add_edge(compact(r.member), compact(r.organisation), key=compact(r.iri), **attributes)
    return graph


def graphml(records: Iterable[MembershipRecord]) -> str:
    """The membership network as GraphML text (see :func:`network`)."""
    import networkx as nx  # noqa: PLC0415

    return "\n".join(nx.generate_graphml(network(records))) + "\n"


# ---------------------------------------------------------------------------------------------
# The state-year panel
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Panel:
    """The panel: column names, rows (state, state label, year, codes...), and what it covers."""

    columns: tuple[str, ...]
    rows: tuple[tuple, ...]
    organisations: tuple[tuple[str, str, str], ...]  # (column, IRI, name)
    years: tuple[int, int]


def _code(pair: list[MembershipRecord], year: int) -> int:
    """The code for one state, organisation and year (see :data:`PANEL_CODES`)."""
    covering = [
        _CLASS_CODE[r.role_class]
        for r in pair
        if r.role_class in _CLASS_CODE and r.start_year is not None and r.start_year <= year and (r.end_year is None or year <= r.end_year)
    ]
    if covering:
        return min(covering)  # 1 (full member) wins over 2 (observer) in a year both cover
    if any(r.start_year is None and r.end_year is None for r in pair):
        return -9  # an undated status may hold in this year: not stated
    before = any(r.start_year is not None and year < r.start_year for r in pair if r.role_class in _CLASS_CODE)
    after = any(r.end_year is not None and year > r.end_year for r in pair)
    return 0 if before or after else -9


def _column(iri: str) -> str:
    return iri.rsplit("/", 1)[-1].replace("-", "_")


def build_panel(records: list[MembershipRecord], first: int | None = None, last: int | None = None) -> Panel:
    """The state x organisation x year panel over the years ``first``..``last`` (default: the
    first to the last year any membership claim states)."""
    states = sorted({(r.member, r.member_label) for r in records if r.member.startswith(_STATE)})
    organisations = sorted({(r.organisation, r.organisation_label) for r in records}, key=lambda o: _column(o[0]))
    years = [y for r in records for y in (r.start_year, r.end_year) if y is not None]
    if not years and (first is None or last is None):
        raise UsageError("no membership states a year: give the panel's years")
    first = min(years) if first is None else first
    last = max(years) if last is None else last
    if first > last:
        raise UsageError(f"the panel's first year {first} is after its last year {last}")
    pairs: dict[tuple[str, str], list[MembershipRecord]] = {}
    for r in records:
        pairs.setdefault((r.member, r.organisation), []).append(r)
    columns = ("state", "stateLabel", "year") + tuple(_column(o) for o, _ in organisations)
    rows = tuple(
        (iri.rsplit("/", 1)[-1], label, year) + tuple(_code(pairs.get((iri, o), []), year) for o, _ in organisations)
        for iri, label in states
        for year in range(first, last + 1)
    )
    return Panel(columns, rows, tuple((_column(o), o, name) for o, name in organisations), (first, last))


def panel_csv(panel: Panel) -> str:
    """The panel as CSV (RFC 4180, CRLF), one row per state-year."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(panel.columns)
    writer.writerows(panel.rows)
    return out.getvalue()


def panel_codebook(panel: Panel, graph: Graph, records: list[MembershipRecord], data_file: str = "panel.csv") -> str:
    """The panel's codebook in Markdown: unit, columns, codes, the filling rule, sources."""
    first, last = panel.years
    states = len({row[0] for row in panel.rows})
    lines = [
        "# normgraph state-year membership panel: codebook",
        "",
        f"`{data_file}` has one row per state and year ({states} states x {last - first + 1} years, "
        f"{first}-{last}: {len(panel.rows)} rows) and one column per organisation ({len(panel.organisations)}), "
        "in the layout of the Correlates of War (COW) Intergovernmental Organizations data, "
        "state-year form. It is derived from normgraph's membership claims and holds nothing else.",
        "",
        "## Columns",
        "",
        "| column | meaning |",
        "|---|---|",
        "| `state` | ISO 3166-1 alpha-3 code (the normgraph identifier `state:CODE`; COW country codes are not in the sources) |",
        "| `stateLabel` | the state's name |",
        "| `year` | calendar year |",
    ]
    lines += [f"| `{column}` | {name} (<{iri}>) |" for column, iri, name in panel.organisations]
    lines += ["", "## Codes", "", "| code | meaning |", "|---|---|"]
    lines += [f"| {code} | {meaning} |" for code, meaning in PANEL_CODES.items()]
    lines += [
        "",
        "## How cells are filled",
        "",
        "Only what the claims state. A membership a claim dates (\"joined in 2001\", \"admitted as members "
        "in 2017\") fills the years from its start to its stated end, or to the panel's last year when no "
        "end is stated; a full membership wins over an observer status in a year both cover. The years "
        "before a dated start, or after a stated end, are 0, unless the claims also give an undated "
        "status for that pair (India was an SCO observer, year not stated), which may hold then: -9. "
        "Memberships no claim dates (most of Chatterje-Doody 2015's) are never placed at a guessed year: "
        "their cells are -9. Aspirations to join are not memberships. The COW codes for \"state not in "
        "the system\" and \"IGO not in existence\" are not used: the sources do not state them.",
        "",
        "## Sources",
        "",
    ]
    lines += [f"* {source}" for source in source_names(graph, records)]
    lines += ["", "Every membership, with its claims, quotes and dates, is in the edge list export "
              "(`normgraph export edges`) and in the graph itself (`normgraph describe state:CODE`).", ""]
    return "\n".join(lines)


#: Each export and the file suffix its --out must have.
EXPORTS = {"edges": ".csv", "graphml": ".graphml", "panel": ".csv"}


def export(graph: Graph, name: str, out: str | Path) -> list[Path]:
    """Write export ``name`` to ``out`` (for ``panel`` also its codebook beside it, as
    ``<stem>.codebook.md``) and return the paths written."""
    suffix = EXPORTS.get(name)
    if suffix is None:
        raise UsageError(f"no export {name!r} (choose from {', '.join(EXPORTS)})")
    out = Path(out)
    if out.suffix.lower() != suffix:
        raise UsageError(f"{out}: the {name} export is written to a {suffix} file")
    records = membership_records(graph)
    if name == "edges":
        files = {out: edge_list_csv(records)}
    elif name == "graphml":
        files = {out: graphml(records)}
    else:
        panel = build_panel(records)
        files = {out: panel_csv(panel), out.with_suffix(".codebook.md"): panel_codebook(panel, graph, records, out.name)}
    for path, text in files.items():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="")
        except OSError as exc:
            raise UsageError(f"{path}: cannot write the export: {exc.strerror}") from None
    return list(files)
