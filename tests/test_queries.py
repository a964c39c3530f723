"""Stored queries: each answers its question with the reviewed rows, identically on two engines.

* Every ``queries/*.rq`` file is standalone SPARQL 1.1 with grlc decorators and BASIL parameters.
* Its answer, with the default parameters, equals ``tests/expected/<name>.csv`` (SELECT, in the
  W3C CSV format), ``.json`` (ASK) or ``.nt`` (CONSTRUCT, sorted N-Triples) byte for byte, on
  the default engine (Oxigraph); expected answers elsewhere in this file are read on it too.
  Each expected file was checked against the source texts.
* Portability, checked once per query and parameter set: rdflib and Oxigraph give the same
  result set for every stored query, with the defaults and with every other parameter value
  this file uses, compared under :func:`normgraph.engines.comparable`
  (an Oxigraph store canonicalises numbers; blank node labels are arbitrary).
* The output formats are the W3C ones: an independent parser (pyoxigraph's, Python's csv) reads
  them back to the same terms.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from normgraph.errors import InputError, UsageError
from normgraph.layout import locate
from normgraph.namespaces import PREFIXES
from normgraph.engines import QueryResult, comparable_result, make_engine
from normgraph.query_options import DEFAULT_ENGINE
from normgraph.query import find_query, load_query, run_file, run_query, stored_queries
from normgraph.sparql_check import PreparedQuery, prepare
from normgraph.sparql_text import Header, parse_header, tokenize
from normgraph.terms import Term
from normgraph.worker import execute
from normgraph.results import labelled, labels, render, result_iris, table_view, to_csv, to_json, to_table, to_tsv

from .conftest import ROOT, run_cli

EXPECTED = ROOT / "tests" / "expected"
STORED = {stored.name: stored for stored in stored_queries(locate(ROOT))}
NAMES = sorted(STORED)
ENGINES = ("oxigraph", "rdflib")


@pytest.fixture(scope="module")
def engines(graph):
    return {name: make_engine(graph, name) for name in ENGINES}


_PREPARED: dict[tuple, PreparedQuery] = {}
_ANSWERS: dict[tuple, QueryResult] = {}


def _answer(engine, name: str, params: dict[str, str] | None = None) -> QueryResult:
    """The engine's answer to a stored query, computed once per module (several tests read it);
    the query is prepared (parsed, checked, bound) once for both engines."""
    bound = (name, tuple(sorted((params or {}).items())))
    if bound not in _PREPARED:
        _PREPARED[bound] = STORED[name].prepare(params)
    key = (engine.name, *bound)
    if key not in _ANSWERS:
        _ANSWERS[key] = execute(engine, _PREPARED[bound], timeout=0)
    return _ANSWERS[key]


def _nt_lines(result: QueryResult) -> str:
    return "".join(sorted(f"{s.n3()} {p.n3()} {o.n3()} .\n" for s, p, o in result.triples))


def _serialised(result: QueryResult) -> tuple[str, str]:
    """The reviewed-file suffix and text for a result."""
    if result.form == "SELECT":
        return ".csv", to_csv(result)
    if result.form == "ASK":
        return ".json", to_json(result)
    return ".nt", _nt_lines(result)


# --- The collection ----------------------------------------------------------------------------


def test_there_are_at_least_thirty_stored_queries():
    assert len(NAMES) >= 30


@pytest.mark.parametrize("name", NAMES)
def test_each_stored_query_has_a_summary_tags_and_a_description(name):
    header = STORED[name].header
    assert header.summary and header.summary[0].isupper()
    assert header.description
    assert header.tags


@pytest.mark.parametrize("name", NAMES)
def test_each_select_names_its_columns(name):
    """SELECT * leaves the column order to each engine; stored queries name their columns."""
    stored = STORED[name]
    if stored.form != "SELECT":
        return
    tokens = tokenize(stored.text)
    index = next(i for i, t in enumerate(tokens) if t.keyword == "SELECT")
    following = tokens[index + 1] if tokens[index + 1].keyword not in ("DISTINCT", "REDUCED") else tokens[index + 2]
    assert following.text != "*"


@pytest.mark.parametrize("name", NAMES)
def test_each_parameter_has_a_default_or_is_optional(name):
    """'normgraph query NAME' with no --param always answers."""
    for parameter in STORED[name].parameters:
        assert parameter.default is not None or parameter.optional, parameter


def test_every_stored_query_answers_a_listed_competency_question():
    """docs/competency-questions.md maps each question to the query that answers it, and back."""
    text = (ROOT / "docs" / "competency-questions.md").read_text(encoding="utf-8")
    named = set(re.findall(r"\| `([a-z0-9-]+)`(?: \(|\s*\|)", text))
    assert named == set(NAMES)
    assert len(re.findall(r"^\| \d+ \|", text, flags=re.MULTILINE)) >= 30


def test_every_stored_query_has_a_reviewed_expectation_and_every_expectation_a_query():
    expected = {path.stem for path in EXPECTED.iterdir() if path.suffix in (".csv", ".json", ".nt")}
    assert expected == set(NAMES)


# --- Reviewed answers ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_answer_equals_the_reviewed_expectation(name, engines):
    """On the default engine; rdflib's answer is held to it by the portability tests below."""
    suffix, text = _serialised(_answer(engines[DEFAULT_ENGINE], name))
    path = EXPECTED / f"{name}{suffix}"
    assert path.read_bytes().decode("utf-8") == text


# --- Portability ----------------------------------------------------------------------------------

#: Further parameter values, so the portability test covers filters and optional parameters too,
#: and every parameter set whose answer a test below checks on the default engine.
VARIATIONS = [
    ("organisation-members", {"date": "2017"}),
    ("organisation-members", {"organisation": "org-id:csto"}),
    ("organisation-members", {"organisation": "org-id:brics", "date": "2011-06"}),
    ("observers-partners-aspirants", {"organisation": "org-id:sco"}),
    ("founding-members", {"organisation": "org-id:brics"}),
    ("organisation-founding", {"organisation": "org-id:csto"}),
    ("organisations-endorsing-norm", {"norm": "norm:territorial-integrity"}),
    ("organisation-norm-stances", {"organisation": "org-id:brics"}),
    ("stances-on-norm", {"norm": "norm:sovereignty"}),
    ("state-membership-history", {"state": "state:KAZ"}),
    ("states-in-both-organisations", {"first": "org-id:csto", "second": "org-id:eurasian-customs-union"}),
    ("role-conception-holders", {"role": "role:mediator"}),
    ("roles-in-arena", {"arena": "arena:military-security"}),
    ("events-in-period", {"from": "2014", "to": "2014"}),
    ("events-in-period", {"from": "2014", "to": "2014", "datedOnly": "true"}),
    ("organisation-members", {"date": "2010", "datedOnly": "true"}),
    ("organisation-members", {"date": "2001-06", "datedOnly": "true"}),
    ("organisation-members", {"date": "2000", "datedOnly": "true"}),
    ("organisation-members", {"date": "2017", "datedOnly": "true"}),
    ("organisation-members", {"date": "2010"}),
    ("events-involving", {"actor": "territory:crimea"}),
    ("organisation-figures", {"organisation": "org-id:brics"}),
    ("claims-by-actor", {"actor": "state:RUS"}),
    ("organisation-lineage", {"organisation": "org-id:eurasian-economic-union"}),
    ("organisation-endorses-norm", {"organisation": "org-id:eu", "norm": "norm:sovereignty"}),
    ("assessments-of", {"organisation": "org-id:sco"}),
    ("claims-in-section", {"section": "section:mse-02-note-1"}),
    ("list-items", {"list": "list:csto-new-security-challenges"}),
    ("aims-in-negotiation", {"negotiation": "event:european-security-treaty-initiative"}),
]


@pytest.mark.parametrize("name", NAMES)
def test_both_engines_give_the_same_answer(name, engines):
    oxigraph, rdflib = (_answer(engines[e], name) for e in ENGINES)
    assert oxigraph.variables == rdflib.variables
    assert comparable_result(oxigraph) == comparable_result(rdflib)
    assert not oxigraph.truncated and not rdflib.truncated


@pytest.mark.parametrize(("name", "params"), VARIATIONS, ids=[f"{n}-{'-'.join(p.values())}" for n, p in VARIATIONS])
def test_both_engines_agree_on_other_parameter_values(name, params, engines):
    oxigraph, rdflib = (_answer(engines[e], name, params) for e in ENGINES)
    assert comparable_result(oxigraph) == comparable_result(rdflib)
    if oxigraph.form == "SELECT":
        assert to_csv(oxigraph) == to_csv(rdflib)


def test_numbers_differ_in_datatype_between_engines_but_compare_equal(engines):
    """The documented difference: Oxigraph's store turns xsd:nonNegativeInteger into xsd:integer."""
    text = "PREFIX oa: <http://www.w3.org/ns/oa#> SELECT ?start WHERE { ?p oa:start ?start } ORDER BY ?start LIMIT 1"
    oxigraph, rdflib = (execute(engines[e], prepare(text), timeout=0) for e in ENGINES)
    assert rdflib.rows[0][0].datatype == "http://www.w3.org/2001/XMLSchema#nonNegativeInteger"
    assert oxigraph.rows[0][0].datatype == "http://www.w3.org/2001/XMLSchema#integer"
    assert oxigraph.rows[0][0].value == rdflib.rows[0][0].value
    assert comparable_result(oxigraph) == comparable_result(rdflib)


# --- Parameters in use ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("date", "members"),
    [
        ("2017", [("state:IND", "2017"), ("state:PAK", "2017"), ("state:UZB", "2001")]),
        ("2001-06", [("state:UZB", "2001")]),
        ("2000", []),
    ],
)
def test_members_at_a_date_dated_only_are_those_the_texts_date_as_members_then(date, members, engines):
    """The SCO at a date with datedOnly: Uzbekistan joined in 2001, India and Pakistan were
    admitted in 2017 (the excerpt); the undated observers, partners and aspirants drop out."""
    result = _answer(engines[DEFAULT_ENGINE], "organisation-members", {"date": date, "datedOnly": "true"})
    found = [(row[0].value.replace(PREFIXES["state"], "state:"), row[2].value) for row in result.rows]
    assert found == members


def _short(term: Term) -> str:
    from normgraph.namespaces import compact

    return compact(term.value)


def test_members_at_a_date_include_memberships_the_texts_do_not_date_marked_as_such(engines):
    """The SCO 'in 2010': Uzbekistan (joined 2001, the excerpt) and every membership Chatterje-Doody
    2015 states without a date (observers, dialogue partners, aspirants, China and Russia as
    members), each marked 'date not stated'; India's and Pakistan's 2017 membership is not."""
    rows = _answer(engines[DEFAULT_ENGINE], "organisation-members", {"date": "2010"}).dicts()
    assert {(_short(r["member"]), r["start"].value) for r in rows if "start" in r} == {("state:UZB", "2001")}
    undated = [r for r in rows if "start" not in r]
    assert {r["dateNote"].value for r in undated} == {"date not stated"}
    assert all("dateNote" not in r for r in rows if "start" in r)
    assert {(_short(r["member"]), _short(r["role"])) for r in undated} == {
        ("state:IND", "mrole:aspirant"), ("state:TUR", "mrole:aspirant"),
        ("state:BLR", "mrole:dialogue-partner"), ("state:LKA", "mrole:dialogue-partner"), ("state:TUR", "mrole:dialogue-partner"),
        ("state:CHN", "mrole:member"), ("state:RUS", "mrole:member"),
        ("state:AFG", "mrole:observer"), ("state:IND", "mrole:observer"), ("state:IRN", "mrole:observer"),
        ("state:MNG", "mrole:observer"), ("state:PAK", "mrole:observer"),
    }


def test_events_in_a_period_list_undated_events_after_the_dated_ones_unless_dated_only(engines):
    engine = engines["oxigraph"]
    every = _answer(engine, "events-in-period").dicts()
    dated_only = _answer(engine, "events-in-period", {"datedOnly": "true"}).dicts()
    assert dated_only == [r for r in every if "when" in r]
    assert len(dated_only) == 21
    undated = every[len(dated_only):]
    assert undated and all("when" not in r and r["dateNote"].value.startswith("date not stated") for r in undated)
    notes = {_short(r["event"]): r["dateNote"].value for r in undated}
    assert notes["event:cis-accession-of-former-soviet-republics"] == "date not stated (by 1993)"


def test_dated_only_on_the_command_line_leaves_undated_facts_out():
    result = run_cli("query", "organisation-members", "--param", "date=2010", "--dated-only", "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
    assert [(r["memberLabel"], r["start"]) for r in rows] == [("Uzbekistan", "2001")]


def test_a_prefixed_name_and_a_full_iri_give_the_same_answer(engines):
    short = _answer(engines["oxigraph"], "state-membership-history", {"state": "state:KAZ"})
    full = _answer(engines["oxigraph"], "state-membership-history", {"state": f"{PREFIXES['state']}KAZ"})
    angled = _answer(engines["oxigraph"], "state-membership-history", {"state": f"<{PREFIXES['state']}KAZ>"})
    assert short == full == angled
    assert short.rows


def test_parameters_are_bound_in_one_values_block_at_the_start_of_where():
    prepared = STORED["organisations-endorsing-norm"].prepare({"norm": "norm:multipolarity"})
    assert "WHERE { VALUES (?_norm_iri) { (<https://w3id.org/normgraph/vocab/norm/multipolarity>) } " in prepared.text
    assert prepared.text.replace(" VALUES (?_norm_iri) { (<https://w3id.org/normgraph/vocab/norm/multipolarity>) } ", "") == STORED["organisations-endorsing-norm"].text


def test_an_unknown_or_missing_parameter_is_a_usage_error():
    with pytest.raises(UsageError) as caught:
        STORED["organisations-endorsing-norm"].prepare({"nrom": "norm:sovereignty"})
    assert str(caught.value).endswith("has no parameter 'nrom' (its parameters: norm)")
    with pytest.raises(UsageError) as caught:
        prepare("SELECT ?o WHERE { ?_thing_iri ?p ?o }")
    assert str(caught.value) == "query needs a value for parameter 'thing': add --param thing=IRI"


# --- Headers and parameters as files declare them -------------------------------------------------


def test_grlc_decorators_are_read_in_both_list_styles():
    text = (
        "#+ summary: Members of an organisation\n"
        "#+ description: A longer text that\n"
        "#+   continues here.\n"
        "#+ tags:\n"
        "#+   - membership\n"
        "#+   - time\n"
        "#+ defaults:\n"
        "#+   - organisation: https://w3id.org/normgraph/id/org/sco\n"
        "#+   - date: 2010\n"
        "SELECT ?m WHERE { ?m ?p ?_organisation_iri FILTER(?__date != '') }\n"
    )
    assert parse_header(text) == Header(
        summary="Members of an organisation",
        description="A longer text that continues here.",
        tags=("membership", "time"),
        defaults={"organisation": "https://w3id.org/normgraph/id/org/sco", "date": "2010"},
    )
    assert parse_header("#+ tags: check, evidence\nASK {}\n").tags == ("check", "evidence")
    assert parse_header("#+ tags: [a, b]\nASK {}\n").tags == ("a", "b")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("#+ sumary: typo\nASK {}", "unknown decorator 'sumary'"),
        ("#+ summary: one\n#+ summary: two\nASK {}", "decorator 'summary' is given twice"),
        ("#+ defaults:\n#+   - norm\nASK {}", "cannot read the default '- norm'"),
    ],
)
def test_malformed_decorators_are_reported_with_their_line(text, message):
    with pytest.raises(InputError) as caught:
        parse_header(text, "q.rq")
    assert message in str(caught.value)
    assert str(caught.value).startswith("q.rq:")


def test_basil_parameter_kinds(tmp_path):
    path = tmp_path / "kinds.rq"
    path.write_text(
        "#+ summary: Kinds\n#+ defaults:\n#+   - n: 3\n"
        "SELECT ?s WHERE { ?s ?p ?_thing_iri . ?s ?q ?_n_integer . ?s ?r ?_name_en . ?s ?t ?_day_xsd_date . ?s ?u ?__note }\n",
        encoding="utf-8",
    )
    described = [p.describe() for p in load_query(path).parameters]
    assert described == [
        "day=xsd:date (required)",
        "n=xsd:integer (default 3)",
        "name=text@en (required)",
        "note=text (optional)",
        "thing=IRI (required)",
    ]


def test_a_default_for_a_parameter_the_query_lacks_is_an_error(tmp_path):
    path = tmp_path / "bad.rq"
    path.write_text("#+ summary: Bad\n#+ defaults:\n#+   - nrom: x\nSELECT ?s WHERE { ?s ?p ?_norm_iri }\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_query(path)
    assert str(caught.value) == f"{path}: '#+ defaults' names 'nrom', which is not a parameter of the query"


def test_a_stored_query_must_declare_its_prefixes(tmp_path):
    path = tmp_path / "undeclared.rq"
    path.write_text("#+ summary: Undeclared\nSELECT ?s WHERE { ?s a ng:State }\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_query(path)
    assert str(caught.value) == f"{path}:2:24: prefix 'ng:' is not declared: add PREFIX ng: <...>"


def test_the_rules_run_through_the_same_runner(engines):
    """The rules in rules/ are portable SPARQL: they load and run with run_file on either engine."""
    checks = sorted((ROOT / "rules").glob("*.rq"))
    assert checks
    for engine in engines.values():
        for path in checks:
            result = run_file(engine, path, timeout=0)
            assert result.form == "SELECT"


# --- Output formats --------------------------------------------------------------------------------

EDGE_ROWS = QueryResult(
    "SELECT",
    ("iri", "text", "other"),
    (
        (Term("iri", "https://w3id.org/normgraph/id/org/sco"), Term("literal", 'say "hi",\nthen\tgo', None, "en"), None),
        (
            Term("bnode", "b0"),
            Term("literal", "2014-05", "http://www.w3.org/2001/XMLSchema#gYearMonth"),
            Term("literal", "plain, with comma"),
        ),
    ),
)


def _from_oxigraph(term) -> Term | None:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return Term("iri", term.value)
    if isinstance(term, ox.BlankNode):
        return Term("bnode", term.value)
    datatype = term.datatype.value
    plain = term.language or datatype == "http://www.w3.org/2001/XMLSchema#string"
    return Term("literal", term.value, None if plain else datatype, term.language)


@pytest.mark.parametrize("fmt", ["json", "tsv"])
def test_json_and_tsv_read_back_to_the_same_terms_with_an_independent_parser(fmt):
    text = render(EDGE_ROWS, fmt)
    parsed = ox.parse_query_results(text.encode("utf-8"), format=getattr(ox.QueryResultsFormat, fmt.upper()))
    assert [v.value for v in parsed.variables] == list(EDGE_ROWS.variables)
    rows = [tuple(_from_oxigraph(solution[v]) for v in EDGE_ROWS.variables) for solution in parsed]
    assert [row[0].kind for row in rows] == ["iri", "bnode"]
    assert [row[1:] for row in rows] == [row[1:] for row in EDGE_ROWS.rows]


def test_csv_follows_rfc_4180_and_the_w3c_csv_results_format():
    text = to_csv(EDGE_ROWS)
    assert text.splitlines(keepends=True)[0] == "iri,text,other\r\n"
    assert list(csv.reader(io.StringIO(text, newline=""))) == [
        ["iri", "text", "other"],
        ["https://w3id.org/normgraph/id/org/sco", 'say "hi",\nthen\tgo', ""],
        ["_:b0", "2014-05", "plain, with comma"],
    ]


def test_tsv_escapes_tabs_and_newlines_and_marks_variables():
    lines = to_tsv(EDGE_ROWS).split("\n")
    assert lines[0] == "?iri\t?text\t?other"
    assert lines[1] == '<https://w3id.org/normgraph/id/org/sco>\t"say \\"hi\\",\\nthen\\tgo"@en\t'
    assert lines[2] == '_:b0\t"2014-05"^^<http://www.w3.org/2001/XMLSchema#gYearMonth>\t"plain, with comma"'


def test_json_for_ask_and_refusals_for_formats_that_do_not_fit():
    assert json.loads(to_json(QueryResult("ASK", boolean=True))) == {"head": {}, "boolean": True}
    with pytest.raises(UsageError) as caught:
        to_csv(QueryResult("ASK", boolean=True))
    assert str(caught.value) == "ASK results have no CSV form in the W3C result formats; use --format json or table"
    with pytest.raises(UsageError) as caught:
        to_csv(QueryResult("CONSTRUCT"))
    assert str(caught.value) == (
        "CONSTRUCT results are a graph, not a table: --format csv does not apply; choose --format turtle, ntriples or jsonld"
    )
    with pytest.raises(UsageError) as caught:
        render(EDGE_ROWS, "turtle")
    assert str(caught.value) == (
        "a SELECT query answers with a table, not a graph: --format turtle does not apply; choose --format table, csv, tsv or json"
    )


def test_the_table_shows_one_row_per_fact_with_its_claims_summarised(engines):
    engine = engines["oxigraph"]
    result = _answer(engine, "organisations-endorsing-norm")
    view = table_view(result, engine)
    assert view.columns == ("organisation", "stance", "arena", "evidence")  # context is empty: dropped
    assert view.notes[0] == "no values in this answer: context"
    assert view.rows == (
        ("BRICS (org-id:brics)", "endorses (stance:endorses)", "economy (arena:economy)", "1 claim by BRICS\nsource [1]\nfn 47"),
        (
            "Shanghai Cooperation Organisation (org-id:sco)",
            "endorses (stance:endorses)",
            "military/security (arena:military-security)",
            "3 claims by P. N. Chatterje-Doody\nsource [1]",
        ),
    )
    assert view.notes[1] == "[1] Russia Rising? The normative renaissance of multinational organisations (source:chatterje-doody-2015)"
    assert len(result.rows) == 5  # the answer itself has one row per claim and quote


def test_the_table_with_claims_keeps_one_row_per_claim_and_fits_the_width(engines):
    engine = engines["oxigraph"]
    table = to_table(_answer(engine, "organisations-endorsing-norm"), engine, width=200, claims=True)
    words = table.split()
    assert {"Shanghai", "Cooperation", "(org-id:sco)", "(source:chatterje-doody-2015)"} <= set(words)
    assert "non-intervention" in table  # a quote's line-break hyphen joins the words again
    assert table.splitlines()[0].split() == ["organisation", "stance", "context", "arena", "claim", "claimant", "source", "footnote", "quote"]
    assert max(len(line) for line in table.splitlines()) <= 200
    assert "(5 rows)" in table


def test_the_table_wraps_at_word_boundaries(engines):
    engine = engines["oxigraph"]
    table = to_table(_answer(engine, "state-membership-history", {"state": "state:RUS"}), engine, width=80)
    lines = table.splitlines()
    assert max(len(line) for line in lines) <= 80
    words = {word for line in lines for word in line.split()}
    assert "Cooperation" in words and "Shanghai" in words  # whole words, not "Coopera" / "tion"
    assert not any(word.startswith("tion") for word in words)


def test_identifiers_stay_whole_where_the_width_allows(engines):
    """Regression: rich narrowed the widest column regardless of its words, so at 100 characters
    the trilateral's identifier broke as '(org-id:russia-india-china-consulta' / 'tions)'."""
    engine = engines["oxigraph"]
    table = to_table(_answer(engine, "state-membership-history"), engine, width=100)
    identifiers = [word for word in table.split() if word.startswith(("(org-id:", "(mrole:"))]
    assert "(org-id:russia-india-china-consultations)" in identifiers
    assert all(word.endswith(")") for word in identifiers)
    assert max(len(line) for line in table.splitlines()) <= 100


def test_csv_and_tsv_on_request_carry_a_label_column_beside_each_iri_column(engines):
    engine = engines["oxigraph"]
    result = _answer(engine, "organisation-members")
    named = labelled(result, labels(engine, result_iris(result)))
    assert named.variables[:4] == ("member", "memberLabel", "role", "roleLabel")
    rows = list(csv.DictReader(io.StringIO(to_csv(named), newline="")))
    assert {(r["member"].rsplit("/", 1)[1], r["memberLabel"]) for r in rows} >= {("IND", "India"), ("UZB", "Uzbekistan")}
    assert to_tsv(named).split("\n")[0].startswith("?member\t?memberLabel\t?role\t?roleLabel\t")


# --- The command line -------------------------------------------------------------------------------


def _raw(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "normgraph", *args], cwd=ROOT, capture_output=True, timeout=300)


def test_queries_lists_every_stored_query_with_its_summary_and_parameters():
    result = run_cli("queries")
    assert result.returncode == 0, result.stderr
    for name, stored in STORED.items():
        assert f"{name}  " in result.stdout
        assert stored.summary in result.stdout
    assert "--param norm=IRI (default norm:sovereignty)" in result.stdout


def test_queries_filters_by_tag():
    result = run_cli("queries", "--tag", "contestation")
    listed = {line.split()[0] for line in result.stdout.splitlines() if line and not line.startswith(" ")}
    assert listed == {name for name, stored in STORED.items() if "contestation" in stored.header.tags}


def test_query_csv_on_the_command_line_is_the_reviewed_file_with_labels_beside_iris():
    result = _raw("query", "organisations-endorsing-norm", "--format", "csv")
    assert result.returncode == 0, result.stderr
    printed = list(csv.reader(io.StringIO(result.stdout.decode("utf-8"), newline="")))
    expected = list(csv.reader(io.StringIO((EXPECTED / "organisations-endorsing-norm.csv").read_text(encoding="utf-8"), newline="")))
    keep = [i for i, name in enumerate(printed[0]) if not name.endswith("Label")]
    assert [[row[i] for i in keep] for row in printed] == expected
    header = printed[0]
    assert header[header.index("organisation") + 1] == "organisationLabel"
    assert printed[1][header.index("organisationLabel")] == "BRICS"


def test_query_json_on_the_command_line_parses_as_sparql_results(engines):
    result = _raw("query", "organisation-members", "--param", "organisation=org-id:csto", "--format", "json")
    assert result.returncode == 0, result.stderr
    parsed = ox.parse_query_results(result.stdout, format=ox.QueryResultsFormat.JSON)
    expected = _answer(engines["oxigraph"], "organisation-members", {"organisation": "org-id:csto"})
    assert len(list(parsed)) == len(expected.rows)


@pytest.mark.parametrize(("fmt", "parser"), [(None, "turtle"), ("turtle", "turtle"), ("ntriples", "nt"), ("jsonld", "json-ld")])
def test_query_construct_on_the_command_line_prints_rdf(fmt, parser):
    result = run_cli("query", "membership-network", *(["--format", fmt] if fmt else []))
    assert result.returncode == 0, result.stderr
    printed = Graph().parse(data=result.stdout, format=parser)
    expected = Graph().parse(data=(EXPECTED / "membership-network.nt").read_text(encoding="utf-8"), format="nt")
    assert isomorphic(printed, expected)


def test_query_file_runs_any_query_file_with_the_project_prefixes(tmp_path):
    path = tmp_path / "mine.rq"
    path.write_text("SELECT ?org WHERE { ?org a ng:MilitaryAlliance } ORDER BY ?org", encoding="utf-8")
    result = _raw("query", "--file", str(path), "--format", "csv")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(b"org,orgLabel\r\nhttps://w3id.org/normgraph/id/org/csto,Collective Security Treaty Organisation\r\n")


def test_sparql_runs_an_ad_hoc_query_and_ask_exits_0_for_yes_and_1_for_no():
    result = run_cli("sparql", "ASK { org-id:sco ng:endorses norm:sovereignty }")
    assert (result.returncode, result.stdout) == (0, "yes\n")
    result = run_cli("sparql", "ASK { org-id:eu ng:endorses norm:sovereignty }", "--engine", "rdflib")
    assert (result.returncode, result.stdout) == (1, "no\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["query", "endorsing"], "normgraph query: error: no stored query 'endorsing'; did you mean organisations-endorsing-norm?"),
        (["query", "organisations-endorsing-norm", "--param", "norm"], "normgraph query: error: --param 'norm': write --param name=value"),
        (["query", "organisations-endorsing-norm", "--param", "norm=not an iri"], "normgraph query: error: parameter norm: 'not an iri' is not an IRI"),
        (["query", "membership-network", "--format", "csv"], "normgraph query: error: a CONSTRUCT query answers with a graph, not a table"),
        (["query", "membership-network", "--format", "table"], "normgraph query: error: a CONSTRUCT query answers with a graph, not a table: --format table does not apply; choose --format turtle, ntriples or jsonld"),
        (["query", "figures", "--dated-only"], "normgraph query: error: --dated-only: figures is not bounded by a date"),
        (["query", "--file", "no/such.rq"], "normgraph query: error: no such query file: no/such.rq"),
    ],
)
def test_command_line_mistakes_get_one_clear_line(args, message):
    result = run_cli(*args)
    assert result.returncode == 2
    assert result.stderr.startswith(message)
    assert "Traceback" not in result.stderr


def test_run_query_checks_binds_and_runs_ad_hoc_text_over_a_graph(graph):
    text = "PREFIX ng: <https://w3id.org/normgraph/ontology#> SELECT ?org WHERE { ?org ng:endorses ?_norm_iri } ORDER BY ?org"
    result = run_query(graph, text, {"norm": "norm:sovereignty"}, timeout=0)
    assert [row[0].value for row in result.rows] == [
        f"{PREFIXES['org-id']}brics",
        f"{PREFIXES['org-id']}sco",
        *(f"{PREFIXES['state']}{code}" for code in ("BRA", "CHN", "IND", "RUS", "ZAF")),
    ]
    with pytest.raises(UsageError):
        run_query(graph, text, timeout=0)


def test_find_query_accepts_the_file_name_too():
    assert find_query(locate(ROOT), "figures.rq").name == "figures"
    assert isinstance(STORED["figures"].path, Path)
