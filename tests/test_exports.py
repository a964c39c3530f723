"""Exports read back as a researcher would: the edge list with pandas and networkx, GraphML with
networkx, the state-year panel with pandas, each checked against memberships the claims state."""

from __future__ import annotations

import networkx as nx
import pandas as pd
import pytest

from normgraph.errors import UsageError
from normgraph.exports import PANEL_CODES, export

from .conftest import run_cli

STATE = "https://w3id.org/normgraph/id/state/"
ORG = "https://w3id.org/normgraph/id/org/"


@pytest.fixture(scope="module")
def written(graph, tmp_path_factory):
    folder = tmp_path_factory.mktemp("exports")
    return {
        "edges": export(graph, "edges", folder / "edges.csv"),
        "graphml": export(graph, "graphml", folder / "network.graphml"),
        "panel": export(graph, "panel", folder / "panel.csv"),
    }


def test_the_edge_list_reads_back_with_pandas_and_networkx(written):
    edges = pd.read_csv(written["edges"][0], dtype=str, keep_default_na=False)
    uzbekistan = edges[(edges.member == STATE + "UZB") & (edges.organisation == ORG + "sco")]
    assert uzbekistan[["memberLabel", "roleLabel", "roleClass", "start", "end"]].values.tolist() == [["Uzbekistan", "member", "member", "2001", ""]]
    assert uzbekistan.sources.item() == "https://w3id.org/normgraph/id/source/multilateral-security-excerpt"
    india_sco = edges[(edges.member == STATE + "IND") & (edges.organisation == ORG + "sco")]
    assert sorted(zip(india_sco.roleLabel, india_sco.start)) == [("aspirant", ""), ("member", "2017"), ("observer", "")]
    network = nx.from_pandas_edgelist(edges, "member", "organisation", edge_attr=["roleClass"], create_using=nx.MultiDiGraph)
    assert network.number_of_edges() == len(edges) == edges.membership.nunique()
    assert set(network.successors(STATE + "RUS")) >= {ORG + "brics", ORG + "sco", ORG + "csto", ORG + "cis"}


def test_graphml_reads_back_with_networkx_with_labels_roles_dates_and_sources(written, graph):
    network = nx.read_graphml(written["graphml"][0], force_multigraph=True)
    assert network.nodes["state:RUS"] == {"label": "Russia", "iri": STATE + "RUS", "kind": "state"}
    assert network.nodes["org-id:sco"]["kind"] == "organisation"
    edges = network.get_edge_data("state:UZB", "org-id:sco")
    assert [(e["roleLabel"], e.get("start"), e["sources"]) for e in edges.values()] == [
        ("member", "2001", "https://w3id.org/normgraph/id/source/multilateral-security-excerpt")
    ]
    undated = network.get_edge_data("state:MNG", "org-id:sco")
    assert [(e["roleClass"], "start" in e) for e in undated.values()] == [("observer or partner", False)]


def test_the_panel_has_one_row_per_state_year_and_codes_only_what_the_claims_state(written):
    panel = pd.read_csv(written["panel"][0])
    assert list(panel.columns[:3]) == ["state", "stateLabel", "year"]
    assert (panel.year.min(), panel.year.max()) == (1996, 2017)
    assert len(panel) == panel.state.nunique() * 22
    assert not panel.duplicated(["state", "year"]).any()
    assert set(panel.iloc[:, 3:].stack().unique()) <= set(PANEL_CODES)

    def code(state: str, year: int, organisation: str) -> int:
        return int(panel[(panel.state == state) & (panel.year == year)][organisation].item())

    assert [code("UZB", y, "sco") for y in (2000, 2001, 2017)] == [0, 1, 1]  # joined in 2001
    assert [code("ZAF", y, "brics") for y in (2010, 2011)] == [0, 1]  # admitted in 2011
    assert [code("IND", y, "sco") for y in (2010, 2017)] == [-9, 1]  # observer, date not stated; member 2017
    assert code("RUS", 2010, "brics") == -9  # a member, but no claim dates it
    assert code("FRA", 2010, "sco") == -9  # no claim about the pair at all


def test_the_panel_codebook_documents_every_column_and_code(written):
    csv_path, codebook = written["panel"]
    assert codebook.name == "panel.codebook.md"
    text = codebook.read_text(encoding="utf-8")
    for column in pd.read_csv(csv_path, nrows=1).columns[3:]:
        assert f"| `{column}` |" in text
    for code in PANEL_CODES:
        assert f"| {code} |" in text
    assert "Correlates of War" in text and "(source:chatterje-doody-2015)" in text


def test_exports_refuse_a_wrong_suffix_and_work_on_the_command_line(graph, tmp_path):
    with pytest.raises(UsageError, match="the graphml export is written to a .graphml file"):
        export(graph, "graphml", tmp_path / "x.xml")
    result = run_cli("export", "edges", "--out", str(tmp_path / "e.csv"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "e.csv").read_text(encoding="utf-8").startswith("member,memberLabel,organisation,")
