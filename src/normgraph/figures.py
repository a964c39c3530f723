"""Figures drawn from the graph's memberships, as deterministic SVG or PNG.

* ``overlaps`` rebuilds Figure 9.1 of Chatterje-Doody 2015, "Russia in overlapping multinational
  organisations", from the claims: a matrix of the organisations a state (default Russia) is a
  member of against every state those organisations count, each cell coloured by the membership
  role, with the number of states per organisation above and the number of those organisations
  each state shares on the right.
* ``timeline`` shows one state's or one organisation's memberships over time: a bar from the
  stated start (to the stated end, or on with no end stated), a change of status (observer, then
  member) as two marks on one row, and memberships the texts do not date in a separate
  "date not stated" column, never at a guessed year.
* ``network`` draws the bipartite network of states and organisations, edges coloured by role.

Every figure carries a caption naming the sources of the memberships it draws. The same graph
gives the same bytes: fixed fonts and sizes, a fixed SVG hash salt, no creation date, the Agg
backend, and text kept as text in SVG (so tests and search engines can read it).
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, URIRef

from .entities import resolve, short_name
from .errors import UsageError
from .memberships import ROLE_CLASS_ORDER, MembershipRecord, membership_records, source_names
from .namespaces import compact

#: Colours per role class (colour-blind-safe Okabe–Ito palette).
ROLE_COLOURS = {
    "member": "#0072B2",
    "observer or partner": "#E69F00",
    "aspirant": "#009E73",
    "former member": "#CC79A7",
    "other": "#999999",
}
#: Settings that make output byte-identical between runs and machines with the same matplotlib.
_RC = {
    "svg.hashsalt": "normgraph",
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 11,
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "path.simplify": True,
}
_METADATA = {".svg": {"Date": None, "Creator": "normgraph"}, ".png": {"Software": "normgraph"}}


@dataclass(frozen=True)
class FigureSpec:
    """A figure the command line offers: its parameters (name -> default) and what it shows."""

    name: str
    summary: str
    params: Mapping[str, str]
    draw: Callable


#: Height of the caption band at the foot of every figure, in inches.
_CAPTION_INCHES = 0.75


def _label(text: str, width_chars: int) -> str:
    """A tick label on lines of about ``width_chars``, broken only between words: a name such as
    "Russia–India–China" stays whole rather than splitting as "Chi" / "na"."""
    return textwrap.fill(text, width_chars, break_long_words=False, break_on_hyphens=False)


#: Inches a tick label's character takes at matplotlib's default 10-point sans-serif, with room.
_INCHES_PER_CHAR = 0.085


def _caption(fig, graph: Graph, records: list[MembershipRecord], lead: str, width_chars: int = 150) -> None:
    sources = "; ".join(source_names(graph, records)) or "none"
    text = f"{lead} Sources: {sources}. Drawn by normgraph from the claims; nothing is added."
    fig.text(0.01, 0.01, textwrap.fill(text, width_chars), ha="left", va="bottom", fontsize=7, wrap=False)


def _legend(ax, classes: list[str], **kwargs) -> None:
    from matplotlib.lines import Line2D  # noqa: PLC0415

    handles = [Line2D([], [], marker="o", linestyle="", color=ROLE_COLOURS[c], label=c) for c in ROLE_CLASS_ORDER if c in classes]
    ax.legend(handles=handles, frameon=False, **kwargs)


# ---------------------------------------------------------------------------------------------
# Figure 9.1 rebuilt: overlapping memberships
# ---------------------------------------------------------------------------------------------


def draw_overlaps(graph: Graph, params: Mapping[str, str]):
    """The organisations ``state`` is a member of, and every state each of them counts."""
    import matplotlib.pyplot as plt  # noqa: PLC0415

    state = str(resolve(graph, params["state"]))
    records = membership_records(graph)
    organisations = sorted({r.organisation for r in records if r.member == state and r.role_class == "member"},
                           key=lambda o: next(r.organisation_label for r in records if r.organisation == o))
    if not organisations:
        raise UsageError(f"{compact(state)} is a member of no organisation in the graph")
    shown = [r for r in records if r.organisation in organisations]
    org_label = {r.organisation: r.organisation_label for r in shown}
    member_label = {r.member: r.member_label for r in shown}
    cells: dict[tuple[str, str], set[str]] = {}
    for r in shown:
        cells.setdefault((r.member, r.organisation), set()).add(r.role_class)
    shared = {m: sum(1 for o in organisations if "member" in cells.get((m, o), ())) for m in member_label}
    members = sorted(member_label, key=lambda m: (m != state, -shared[m], -sum(1 for o in organisations if (m, o) in cells), member_label[m]))

    from matplotlib.ticker import MaxNLocator  # noqa: PLC0415

    short = {o: short_name(graph, URIRef(o)) for o in organisations}
    bottom = _CAPTION_INCHES + 1.6
    height = bottom + 2.3 + 0.26 * len(members)
    names_inches = max(1.4, 0.2 + _INCHES_PER_CHAR * max(len(member_label[m]) for m in members))  # every name whole
    width = 6.6 + names_inches
    fig = plt.figure(figsize=(width, height))
    grid = fig.add_gridspec(2, 2, width_ratios=(len(organisations), 2.4), height_ratios=(1.4, 0.26 * len(members)),
                            left=names_inches / width, right=0.97, top=1 - 0.75 / height, bottom=bottom / height, wspace=0.05, hspace=0.04)
    matrix = fig.add_subplot(grid[1, 0])
    bars = fig.add_subplot(grid[0, 0], sharex=matrix)
    side = fig.add_subplot(grid[1, 1], sharey=matrix)
    key = fig.add_subplot(grid[0, 1])
    key.axis("off")
    y = {m: i for i, m in enumerate(members)}
    x = {o: i for i, o in enumerate(organisations)}
    for (m, o), classes in sorted(cells.items()):
        ordered = [c for c in ROLE_CLASS_ORDER if c in classes]
        for k, c in enumerate(ordered):
            offset = (k - (len(ordered) - 1) / 2) * 0.22
            matrix.scatter(x[o] + offset, y[m], s=60, color=ROLE_COLOURS[c], zorder=3)
    for m in members:  # a faint line joins the organisations a state shares, as in an UpSet plot
        full = [x[o] for o in organisations if "member" in cells.get((m, o), ())]
        if len(full) > 1:
            matrix.plot([min(full), max(full)], [y[m], y[m]], color=ROLE_COLOURS["member"], linewidth=1.2, alpha=0.5, zorder=2)
    matrix.set_yticks(range(len(members)), [member_label[m] for m in members])
    # One line per name where it fits, at 45 degrees: neighbouring names then never touch.
    matrix.set_xticks(range(len(organisations)), [_label(short[o], 24) for o in organisations], rotation=45, ha="right", rotation_mode="anchor")
    matrix.set_ylim(len(members) - 0.5, -0.5)
    matrix.set_xlim(-0.6, len(organisations) - 0.4)
    matrix.grid(True, color="#dddddd", linewidth=0.5)
    matrix.set_axisbelow(True)
    for o in organisations:  # one stacked segment per role, each member counted once, by its first role
        counts = {c: 0 for c in ROLE_CLASS_ORDER}
        for m in members:
            if (m, o) in cells:
                counts[next(c for c in ROLE_CLASS_ORDER if c in cells[(m, o)])] += 1
        height = 0
        for c in ROLE_CLASS_ORDER:
            bars.bar(x[o], counts[c], bottom=height, color=ROLE_COLOURS[c], width=0.6)
            height += counts[c]
        full, other = counts["member"], height - counts["member"]
        bars.text(x[o], height + 0.2, f"{full}+{other}" if other else f"{full}", ha="center", va="bottom", fontsize=7)
    bars.set_ylabel("members")
    bars.yaxis.set_major_locator(MaxNLocator(integer=True))
    bars.tick_params(labelbottom=False)
    bars.spines[["top", "right"]].set_visible(False)
    fig.suptitle(
        f"{member_label[state]} in overlapping multinational organisations\n"
        "Chatterje-Doody 2015, Figure 9.1, rebuilt from the claims", x=0.01, ha="left", fontsize=11,
    )
    side.barh([y[m] for m in members], [shared[m] for m in members], color=ROLE_COLOURS["member"], height=0.6)
    side.set_xlabel(f"member of n of\n{member_label[state]}'s organisations", fontsize=7)
    side.tick_params(labelleft=False)
    side.spines[["top", "right"]].set_visible(False)
    _legend(key, sorted({c for cs in cells.values() for c in cs}), loc="center", fontsize=7, title="membership role", title_fontsize=7)
    names = "; ".join(f"{short[o]}: {org_label[o]}" for o in organisations if short[o] != org_label[o])
    _caption(
        fig, graph, shown,
        f"Each dot: a membership a claim states, coloured by role (two dots: two statuses). Bars above: the members of "
        f"each organisation by role (full members + others); bars right: how many of these organisations each state is a member of. {names}.",
        width_chars=140,
    )
    return fig


# ---------------------------------------------------------------------------------------------
# Timeline
# ---------------------------------------------------------------------------------------------


def draw_timeline(graph: Graph, params: Mapping[str, str]):
    """The memberships of one state, or of one organisation, over time."""
    import matplotlib.pyplot as plt  # noqa: PLC0415
    from matplotlib.ticker import MaxNLocator  # noqa: PLC0415

    entity = str(resolve(graph, params["entity"]))
    records = membership_records(graph)
    mine = [r for r in records if entity in (r.member, r.organisation)]
    if not mine:
        raise UsageError(f"{compact(entity)} has no memberships in the graph")
    by_state = any(r.member == entity for r in mine)
    row_of = (lambda r: r.organisation) if by_state else (lambda r: r.member)
    label_of = (lambda r: r.organisation_label) if by_state else (lambda r: r.member_label)
    rows = sorted({row_of(r) for r in mine}, key=lambda k: (min((r.start or "~") for r in mine if row_of(r) == k), next(label_of(r) for r in mine if row_of(r) == k)))
    labels = {row_of(r): _label(short_name(graph, URIRef(row_of(r))), 22) for r in mine}
    years = [y for r in mine for y in (r.start_year, r.end_year) if y is not None]
    first, last = (min(years) - 3, max(years) + 3) if years else (2000, 2010)
    if last - first < 10:
        first, last = first - (10 - (last - first)) // 2, first - (10 - (last - first)) // 2 + 10
    name = next(r.member_label if by_state else r.organisation_label for r in mine)
    undated_rows: dict[str, list[MembershipRecord]] = {}
    for r in mine:
        if r.start_year is None and r.end_year is None:
            undated_rows.setdefault(row_of(r), []).append(r)
    # The undated column is as wide as its longest row of "● role" entries, in characters.
    chars = max([12] + [sum(len(r.role_label) + 4 for r in group) for group in undated_rows.values()])

    height = _CAPTION_INCHES + 1.5 + 0.36 * len(rows)
    width = 10.0
    fig = plt.figure(figsize=(width, height))
    grid = fig.add_gridspec(1, 2, width_ratios=(5.2, max(1.2, chars * 0.075)), left=1.8 / width, right=0.98,
                            top=1 - 0.75 / height, bottom=(_CAPTION_INCHES + 0.55) / height, wspace=0.03)
    axis = fig.add_subplot(grid[0, 0])
    undated = fig.add_subplot(grid[0, 1], sharey=axis)
    y = {k: i for i, k in enumerate(rows)}
    for k, group in undated_rows.items():
        position = 1.0
        for r in sorted(group, key=lambda r: (ROLE_CLASS_ORDER.index(r.role_class), r.role_label)):
            undated.scatter(position, y[k], s=40, color=ROLE_COLOURS[r.role_class], zorder=3)
            undated.text(position + 0.9, y[k], r.role_label, va="center", fontsize=7)
            position += len(r.role_label) + 4
    for r in mine:
        colour = ROLE_COLOURS[r.role_class]
        if r.start_year is not None:
            stop = r.end_year if r.end_year is not None else last
            axis.plot([r.start_year, stop], [y[row_of(r)]] * 2, color=colour, linewidth=5, solid_capstyle="butt", alpha=0.85 if r.end_year else 0.45)
            axis.scatter(r.start_year, y[row_of(r)], s=45, color=colour, zorder=3)
            until = f"–{r.end}" if r.end else ""
            leftward = r.start_year > first + 0.75 * (last - first)  # near the right edge: the label goes left of its dot
            axis.annotate(f"{r.role_label} {r.start}{until}", (r.start_year, y[row_of(r)]), xytext=(-3 if leftward else 3, 5),
                          textcoords="offset points", fontsize=7, ha="right" if leftward else "left")
        elif r.end_year is not None:  # only the end is stated
            axis.scatter(r.end_year, y[row_of(r)], s=45, marker="|", color=colour, zorder=3)
            axis.annotate(f"{r.role_label} until {r.end}", (r.end_year, y[row_of(r)]), xytext=(3, 5), textcoords="offset points", fontsize=7)
    axis.set_yticks(range(len(rows)), [labels[k] for k in rows])
    axis.set_ylim(len(rows) - 0.5, -0.7)
    axis.set_xlim(first, last)
    axis.xaxis.set_major_locator(MaxNLocator(integer=True))
    axis.grid(True, axis="x", color="#dddddd", linewidth=0.5)
    axis.set_axisbelow(True)
    axis.set_xlabel("year as the texts state it (a bar fades on where no end is stated)")
    fig.suptitle(f"Memberships of {name} over time" if by_state else f"Members of {name} over time", x=0.01, ha="left", fontsize=11)
    undated.set_xlim(0, chars)
    undated.set_xticks([])
    undated.set_xlabel("date not stated")
    undated.tick_params(left=False, labelleft=False)
    undated.set_facecolor("#f5f5f5")
    _legend(axis, sorted({r.role_class for r in mine}), loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=4, fontsize=7)
    _caption(fig, graph, mine, "Each bar starts at the year a claim states; memberships no claim dates stand in the right-hand column.")
    return fig


# ---------------------------------------------------------------------------------------------
# Bipartite network
# ---------------------------------------------------------------------------------------------


def draw_network(graph: Graph, params: Mapping[str, str]):
    """Members (states, and the organisations that are members of others) on the left,
    organisations on the right, an edge per membership and role class."""
    import matplotlib.pyplot as plt  # noqa: PLC0415

    records = membership_records(graph)
    states = sorted({r.member for r in records}, key=lambda m: next(r.member_label for r in records if r.member == m))
    organisations = sorted({r.organisation for r in records}, key=lambda o: next(r.organisation_label for r in records if r.organisation == o))
    n = max(len(states), len(organisations))
    height = _CAPTION_INCHES + 1.3 + 0.26 * n
    fig, ax = plt.subplots(figsize=(9.0, height))
    fig.subplots_adjust(left=0.02, right=0.98, top=1 - 0.9 / height, bottom=(_CAPTION_INCHES + 0.1) / height)

    def spread(items: list[str]) -> dict[str, float]:
        step = (n - 1) / max(len(items) - 1, 1)
        return {item: i * step for i, item in enumerate(items)}

    ys, yo = spread(states), spread(organisations)
    edges = sorted({(r.member, r.organisation, r.role_class) for r in records})
    roles_of: dict[tuple[str, str], list[str]] = {}
    for m, o, c in edges:
        roles_of.setdefault((m, o), []).append(c)
    for (m, o), classes in roles_of.items():  # one line per role; a pair's several roles side by side, never on top
        ordered = [c for c in ROLE_CLASS_ORDER if c in classes]
        for k, c in enumerate(ordered):
            offset = (k - (len(ordered) - 1) / 2) * 0.16
            ax.plot([0.3, 0.7], [ys[m] + offset, yo[o] + offset], color=ROLE_COLOURS[c], linewidth=1.0, alpha=0.75, zorder=1)
    for m in states:
        ax.scatter(0.3, ys[m], s=30, color="#333333", zorder=2)
        ax.text(0.29, ys[m], next(r.member_label for r in records if r.member == m), ha="right", va="center", fontsize=8)
    for o in organisations:
        ax.scatter(0.7, yo[o], s=50, marker="s", color="#333333", zorder=2)
        ax.text(0.71, yo[o], next(r.organisation_label for r in records if r.organisation == o), ha="left", va="center", fontsize=8)
    ax.set_xlim(0, 1)
    ax.set_ylim(n - 0.5, -0.8)
    ax.axis("off")
    fig.suptitle("Members (states, and organisations that are members) and the organisations they belong to,\nby membership role", x=0.01, ha="left", fontsize=11)
    _legend(ax, sorted({c for _, _, c in edges}), loc="lower center", ncols=5, fontsize=7, bbox_to_anchor=(0.5, 1.0))
    _caption(fig, graph, records, "Each line: a membership a claim states (dated or not), coloured by role.")
    return fig


FIGURES = {
    spec.name: spec
    for spec in (
        FigureSpec("overlaps", "Figure 9.1 rebuilt: a state's organisations and the states they share, by role", {"state": "state:RUS"}, draw_overlaps),
        FigureSpec("timeline", "one state's or organisation's memberships over time, undated ones apart", {"entity": "state:IND"}, draw_timeline),
        FigureSpec("network", "the bipartite network of states and organisations, coloured by role", {}, draw_network),
    )
}


def make_figure(graph: Graph, name: str, params: Mapping[str, str] | None = None):
    """The matplotlib figure ``name`` with ``params`` over the defaults (caller closes it)."""
    spec = FIGURES.get(name)
    if spec is None:
        raise UsageError(f"no figure {name!r} (choose from {', '.join(FIGURES)})")
    unknown = sorted(set(params or {}) - set(spec.params))
    if unknown:
        accepted = ", ".join(spec.params) or "none"
        raise UsageError(f"figure {name} has no parameter {', '.join(map(repr, unknown))} (its parameters: {accepted})")
    return spec.draw(graph, {**spec.params, **(params or {})})


def save_figure(graph: Graph, name: str, out: str | Path, params: Mapping[str, str] | None = None) -> Path:
    """Draw figure ``name`` into ``out`` (``.svg`` or ``.png``), byte for byte reproducibly."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in _METADATA:
        raise UsageError(f"{out}: write a figure to a .svg or .png file")
    import matplotlib  # noqa: PLC0415

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    with matplotlib.rc_context(_RC):
        fig = make_figure(graph, name, params)
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            fig.savefig(out, format=suffix[1:], metadata=_METADATA[suffix])
        except OSError as exc:
            raise UsageError(f"{out}: cannot write the figure: {exc.strerror}") from None
        finally:
            plt.close(fig)
    return out
