"""Figures: drawn from the memberships the claims state, reproducible byte for byte, captioned
with their sources. Compared by SVG structure (elements and text), not by pixels."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from normgraph.errors import UsageError
from normgraph.figures import FIGURES, save_figure
from normgraph.memberships import membership_records

from .conftest import run_cli

SVG = "{http://www.w3.org/2000/svg}"
SOURCES = "Sources: Russia Rising? The normative renaissance of multinational organisations (source:chatterje-doody-2015)"


def _texts(path) -> str:
    """All text of an SVG, as one string (text is kept as text: svg.fonttype none)."""
    root = ET.parse(path).getroot()
    return " ".join(" ".join(element.itertext()) for element in root.iter(f"{SVG}text"))


@pytest.mark.parametrize(
    ("name", "params", "expected"),
    [
        ("overlaps", {}, ["Russia in overlapping multinational organisations", "Figure 9.1", "BRICS", "CSTO", "SCO", "Uzbekistan", "Sri Lanka", "former member"]),
        ("timeline", {"entity": "state:IND"}, ["Memberships of India over time", "member 2017", "date not stated", "observer", "aspirant", "founding member"]),
        ("timeline", {"entity": "org-id:sco"}, ["Members of Shanghai Cooperation Organisation over time", "member 2001", "dialogue partner"]),
        ("network", {}, ["Shanghai Cooperation Organisation", "Warsaw Pact", "Soviet Union", "observer or partner"]),
    ],
)
def test_each_figure_is_reproducible_and_names_what_it_shows_and_its_sources(graph, tmp_path, name, params, expected):
    first, second = tmp_path / "a.svg", tmp_path / "b.svg"
    save_figure(graph, name, first, params)
    save_figure(graph, name, second, params)
    assert first.read_bytes() == second.read_bytes()
    text = " ".join(_texts(first).split())
    for words in expected:
        assert words in text, words
    assert SOURCES in text
    root = ET.parse(first).getroot()
    assert root.find(f".//{SVG}metadata") is None or "<dc:date>" not in first.read_text(encoding="utf-8")


def test_the_timeline_never_places_an_undated_membership_at_a_year(graph, tmp_path):
    """India's SCO observer status and aspiration are undated: they appear only in the
    'date not stated' column, as labels; the one dated SCO membership is labelled with its year."""
    path = save_figure(graph, "timeline", tmp_path / "india.svg", {"entity": "state:IND"})
    labels = [" ".join(" ".join(e.itertext()).split()) for e in ET.parse(path).getroot().iter(f"{SVG}text")]
    dated = [label for label in labels if any(ch.isdigit() for ch in label) and label.startswith(("member", "observer", "aspirant", "founding"))]
    assert dated == ["member 2017"]
    assert labels.count("observer") == 1 and labels.count("founding member") == 1  # in the undated column only


def test_png_output_is_reproducible(graph, tmp_path):
    first = save_figure(graph, "network", tmp_path / "a.png")
    second = save_figure(graph, "network", tmp_path / "b.png")
    assert first.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert first.read_bytes() == second.read_bytes()


def test_unknown_figures_parameters_and_suffixes_are_refused(graph, tmp_path):
    with pytest.raises(UsageError, match="no figure 'pie'"):
        save_figure(graph, "pie", tmp_path / "x.svg")
    with pytest.raises(UsageError, match="figure overlaps has no parameter 'year'"):
        save_figure(graph, "overlaps", tmp_path / "x.svg", {"year": "2010"})
    with pytest.raises(UsageError, match="write a figure to a .svg or .png file"):
        save_figure(graph, "network", tmp_path / "x.pdf")
    assert set(FIGURES) == {"overlaps", "timeline", "network"}


def test_the_command_line_offers_exactly_the_library_figures_and_exports():
    """The parser lists the names itself (so --help loads no plotting library); they must agree."""
    from normgraph.cli import build_parser
    from normgraph.exports import EXPORTS

    commands = build_parser()._subparsers._group_actions[0].choices  # noqa: SLF001
    figure_name = next(a for a in commands["figure"]._actions if a.dest == "name")  # noqa: SLF001
    export_name = next(a for a in commands["export"]._actions if a.dest == "name")  # noqa: SLF001
    assert tuple(figure_name.choices) == tuple(FIGURES)
    assert tuple(export_name.choices) == tuple(EXPORTS)


def test_figure_on_the_command_line(tmp_path):
    out = tmp_path / "fig.svg"
    result = run_cli("figure", "overlaps", "--param", "state=state:CHN", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "China in overlapping multinational organisations" in " ".join(_texts(out).split())
    bad = run_cli("figure", "network", "--out", str(tmp_path / "fig.pdf"))
    assert bad.returncode == 2
    assert bad.stderr.strip().endswith("fig.pdf: write a figure to a .svg or .png file")


def test_the_overlaps_figure_keeps_every_name_whole_and_on_the_page(graph, tmp_path):
    """Regression: "Russia–India–China" was broken as "Russia–India–Chi" / "na", and the longest
    row name ("North Atlantic Treaty Organization") ran off the left edge."""
    path = save_figure(graph, "overlaps", tmp_path / "overlaps.svg")
    texts = list(ET.parse(path).getroot().iter(f"{SVG}text"))
    lines = [" ".join(element.itertext()) for element in texts]
    assert "Russia–India–China" in lines and "trilateral consultations" in lines
    for element in texts:
        if "text-anchor: end" in element.get("style", ""):  # the row names, right-aligned at x
            size = float(element.get("style").split("font-size: ")[1].split("px")[0])
            text = "".join(element.itertext())
            assert float(element.get("x")) >= 0.6 * size * len(text), text  # DejaVu Sans: about 0.6 em a character


def test_the_network_draws_a_pairs_several_roles_side_by_side(graph, tmp_path):
    """Regression: India's member, observer and aspirant ties to the SCO were drawn on one line,
    blending into a colour the legend does not have. Every edge now has a path of its own."""
    path = save_figure(graph, "network", tmp_path / "network.svg")
    edges = [
        " ".join(element.get("d").split())
        for element in ET.parse(path).getroot().iter(f"{SVG}path")
        if "stroke-opacity: 0.75" in element.get("style", "")
    ]
    pairs = {(r.member, r.organisation, r.role_class) for r in membership_records(graph)}
    assert len(edges) == len(pairs) == 58  # one per member, organisation and role class
    assert len(set(edges)) == len(edges)
