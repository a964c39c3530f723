"""Finding entities (normgraph search) and describing one (normgraph describe)."""

from __future__ import annotations

import pytest

from normgraph.entities import describe, describe_text, search
from normgraph.errors import UsageError

from .conftest import run_cli


def test_search_ranks_the_exact_name_and_identifier_first(graph):
    hits = search(graph, "shanghai")
    assert [h.identifier for h in hits[:2]] == ["org-id:sco", "org-id:shanghai-forum"]
    assert hits[0].label == "Shanghai Cooperation Organisation"
    assert hits[0].kinds == ("intergovernmental organisation",)
    assert search(graph, "RUS")[0].identifier == "state:RUS"
    assert search(graph, "SCO")[0].identifier == "org-id:sco"  # an alias, matched exactly
    assert search(graph, "shanghai co-operation")[0].matched == "Shanghai Co-operation Organisation"  # an alias


def test_search_finds_nothing_for_unknown_text_and_refuses_empty_text(graph):
    assert search(graph, "zzzz-not-a-name") == []
    with pytest.raises(UsageError):
        search(graph, "   ")


def test_describe_an_organisation_lists_its_members_through_incoming_links(graph):
    description = describe(graph, "org-id:sco")
    memberships = description.facts["memberships"]
    members = {dict(f.values)["org:member"] for f in memberships}
    assert "Uzbekistan (state:UZB)" in members and "Iran (state:IRN)" in members
    # dated memberships first, in time order; undated after them
    starts = [dict(f.values).get("start date") for f in memberships]
    assert starts[:3] == ["2001", "2017", "2017"] and set(starts[3:]) == {None}
    uzbekistan = memberships[0]
    assert uzbekistan.claims[0].quote == "Uzbekistan joined in 2001"
    assert uzbekistan.claims[0].claimant == "the excerpt's author"
    assert uzbekistan.claims[0].source.endswith("(source:multilateral-security-excerpt)")


def test_describe_a_state_groups_its_facts_and_the_claims_it_makes(graph):
    description = describe(graph, "Russia")
    assert description.identifier == "state:RUS"
    assert list(description.facts)[:3] == ["memberships", "stances", "role conceptions"]
    assert {"events", "figures"} <= set(description.facts)
    text = describe_text(description, width=90)
    assert max(len(line) for line in text.splitlines()) <= 90
    assert "memberships (" in text and "date: not stated" in text


def test_describe_an_unknown_entity_is_a_usage_error(graph):
    with pytest.raises(UsageError) as caught:
        describe(graph, "state:XXX")
    assert "'normgraph search TEXT' finds identifiers" in str(caught.value)


def test_search_and_describe_on_the_command_line():
    found = run_cli("search", "eurasian economic")
    assert found.returncode == 0, found.stderr
    assert found.stdout.splitlines()[0].startswith("org-id:eurasian-economic-")
    missing = run_cli("search", "zzzz-not-a-name")
    assert (missing.returncode, missing.stdout) == (1, "nothing found for 'zzzz-not-a-name'\n")
    shown = run_cli("describe", "state:KAZ", "--width", "80")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("Kazakhstan (state:KAZ)\n")
    bad = run_cli("describe", "state:XXX")
    assert bad.returncode == 2 and bad.stderr.startswith("normgraph describe: error: no entity 'state:XXX'")
