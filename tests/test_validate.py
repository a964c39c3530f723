"""The shapes and ``normgraph validate``.

Fixtures are SHACL test cases in the style of the DASH test suite that pySHACL runs: each file
holds the data, then a ``dash:GraphValidationTestCase`` whose ``dash:expectedResult`` is the
exact validation report the data must produce (``sh:conforms``, and one ``sh:result`` per
result with its focus node, path, value, severity, constraint component and shape). The test
case's statements are removed before the data is validated, and the results must equal the
expected ones exactly. ``sh:conforms`` follows ``normgraph validate``: warnings do not count.

Every fixture is validated as a contribution to a fixed base (the ontology, the vocabularies and
the entity files of ``data/``), so expectations do not move while per-source data is written.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from normgraph.layout import Layout
from normgraph.load import parse_file
from normgraph.positions import SourceIndex, scan_text
from normgraph.display import NAMES, NGSH
from normgraph.shacl_paths import read_path, show_path
from normgraph.validate import GraphUnderTest, Validator, load_tree, prepare_shapes
from normgraph.validation_report import Result

from .conftest import ENTITY_FILES, FIXTURES, REPORT_MARKER, copy_fixture_data, run_cli

VALID = sorted((FIXTURES / "valid").glob("*.ttl"))
INVALID = sorted((FIXTURES / "invalid").glob("*.ttl"))
SYNTAX = sorted((FIXTURES / "invalid" / "syntax").glob("*"))
DASH = Namespace("http://datashapes.org/dash#")


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """A fixture: its data, and the report it must produce as (focus, path, value, component,
    severity, shape) keys, like :attr:`Result.key`."""

    path: Path
    data: Graph
    conforms: bool
    expected: frozenset[tuple[object, ...]]


def _subtree(graph: Graph, node: Node, into: Graph) -> None:
    """Copy into ``into`` the statements about ``node`` and, recursively, about the blank nodes
    they lead to (a report, its results, a result's path) but not about focus nodes or values."""
    for triple in graph.triples((node, None, None)):
        into.add(triple)
        if isinstance(triple[2], BNode) and triple[1] not in (SH.focusNode, SH.value):
            _subtree(graph, triple[2], into)


def read_case(path: Path) -> Case:
    """Split a fixture into its data and its expected report."""
    graph = parse_file(path)
    (case,) = graph.subjects(RDF.type, DASH.GraphValidationTestCase)
    (report,) = graph.objects(case, DASH.expectedResult)
    test_case = Graph()
    _subtree(graph, case, test_case)
    expected = set()
    for result in graph.objects(report, SH.result):
        path_node = graph.value(result, SH.resultPath)
        expected.add(
            (
                graph.value(result, SH.focusNode),
                None if path_node is None else read_path(graph, path_node),
                graph.value(result, SH.value),
                graph.value(result, SH.sourceConstraintComponent),
                graph.value(result, SH.resultSeverity),
                graph.value(result, SH.sourceShape),
            )
        )
    conforms = graph.value(report, SH.conforms)
    assert conforms is not None, f"{path.name}: the expected report states sh:conforms"
    return Case(path, graph - test_case, bool(conforms.value), frozenset(expected))


def describe(results: list[Result]) -> str:
    return "\n".join(
        f"  {r.severity.rsplit('#', 1)[-1]} {NAMES.term(r.component)} {show_path(r.path) if r.path is not None else '-'} "
        f"{NAMES.term(r.focus)} {NAMES.term(r.shape)} = {NAMES.term(r.value)}: {r.message}"
        for r in results
    )


@pytest.fixture(scope="session")
def base_validator(layout: Layout) -> Validator:
    """Ontology, vocabularies and the entity files of data/, with the shapes: the fixed base
    every fixture is validated against."""
    tree = load_tree(layout)
    data = Graph()
    for name in ENTITY_FILES:
        parse_file(layout.data_dir / name, data)
    return Validator(GraphUnderTest.of_graphs(tree.ontology, data), tree.shapes)


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    import os

    return {**os.environ, "NORMGRAPH_CACHE_DIR": str(tmp_path / "cache")}


# --------------------------------------------------------------------------------------------
# Fixtures: each fails, or passes, for exactly its stated reasons
# --------------------------------------------------------------------------------------------


def test_there_are_enough_fixtures() -> None:
    assert len(INVALID) >= 40
    assert len(VALID) >= 10


@pytest.mark.parametrize("fixture", VALID + INVALID, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_fixture_gives_exactly_its_expected_report(base_validator: Validator, fixture: Path) -> None:
    case = read_case(fixture)
    results = base_validator.contribution_results(case.data)
    assert case.conforms is (fixture.parent.name == "valid"), f"{fixture.name}: sh:conforms contradicts its folder"
    assert {r.key for r in results} == case.expected, f"{fixture.name} gave:\n{describe(results)}"
    assert case.conforms is not any(r.is_violation for r in results)
    for result in results:
        assert len(result.message) > 40, f"{NAMES.term(result.shape)} has no real message"
        assert "{" not in result.message, f"unfilled placeholder in {result.message!r}"


def test_a_reasoner_run_leaves_later_reports_unchanged(base_validator: Validator) -> None:
    """Regression: owlrl replaced rdflib's lexical conversions for good, so after any OWL-RL
    closure in the same process "sometime in the past"^^xsd:gYear also broke sh:datatype, and a
    fixture's report depended on which test had run before it."""
    from normgraph.reason import inconsistencies

    case = read_case(FIXTURES / "invalid" / "figure-reference-year-not-a-year.ttl")
    assert inconsistencies(case.data) == []
    results = base_validator.contribution_results(read_case(case.path).data)
    assert {r.key for r in results} == case.expected


@pytest.mark.parametrize("fixture", VALID + INVALID, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_fixture_data_is_the_text_before_its_report(fixture: Path, tmp_path: Path) -> None:
    """The CLI tests validate the text before the report; it holds exactly the data."""
    text = fixture.read_text(encoding="utf-8")
    assert text.count(REPORT_MARKER) == 1, f"{fixture.name}: the report is introduced once"
    copy = copy_fixture_data(fixture, tmp_path / fixture.name)
    assert isomorphic(parse_file(copy), read_case(fixture).data)


def _rules(shapes: Graph) -> set[Node]:
    """The shapes that can produce a result: those with a constraint of their own."""
    grouping = {RDF.type, RDFS.label, RDFS.comment, SH.severity, SH.message, SH.property, SH.name, SH.description,
                SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode, SH.target, SH.path, NGSH.dataGraphOnly}
    return {
        shape
        for shape in set(shapes.subjects(RDF.type, SH.NodeShape)) | set(shapes.subjects(RDF.type, SH.PropertyShape))
        if any(p not in grouping for p in shapes.predicates(shape, None))
    }


def _focus_nodes(shapes: Graph, rule: Node, graph: Graph, data: Graph) -> set[Node]:
    """The nodes of ``data`` that ``rule`` examines: its targets, or those of the node shapes
    that hold it (sh:property), in ``graph`` (data merged with the ontology). A rule with a
    SPARQL target looks at every statement (the closed-world rules): every node of ``data``."""
    nodes = {s for s, _, _ in data} | {o for _, _, o in data if not isinstance(o, Literal)}
    found: set[Node] = set()
    for owner in [rule, *shapes.subjects(SH.property, rule)]:
        if (owner, SH.target, None) in shapes:
            return nodes
        for kind in shapes.objects(owner, SH.targetClass):
            for cls in graph.transitive_subjects(RDFS.subClassOf, kind):
                found.update(graph.subjects(RDF.type, cls))
        for predicate in shapes.objects(owner, SH.targetSubjectsOf):
            found.update(graph.subjects(predicate, None))
        for predicate in shapes.objects(owner, SH.targetObjectsOf):
            found.update(graph.objects(None, predicate))
        found.update(shapes.objects(owner, SH.targetNode))
    return found & nodes


def test_every_rule_has_a_valid_and_an_invalid_case(layout: Layout, shapes_graph: Graph) -> None:
    """Each rule breaks in some fixture (a violation in fixtures/invalid; a warning anywhere),
    and examines some node of a fixture in fixtures/valid without a result."""
    tree = load_tree(layout)
    broken: set[Node] = set()
    passed: set[Node] = set()
    for fixture in VALID + INVALID:
        case = read_case(fixture)
        for focus, _, _, _, severity, shape in case.expected:
            if fixture in INVALID or severity == SH.Warning:
                broken.add(shape)
        if fixture in VALID:
            graph = tree.ontology + case.data
            reported = {e[5] for e in case.expected}
            passed.update(r for r in _rules(shapes_graph) - reported if _focus_nodes(shapes_graph, r, graph, case.data))
    rules = _rules(shapes_graph)
    assert sorted(map(NAMES.term, rules - broken)) == [], "rules no invalid fixture breaks"
    assert sorted(map(NAMES.term, rules - passed)) == [], "rules no valid fixture passes"


def test_typos_come_with_the_likely_intended_term(base_validator: Validator) -> None:
    from normgraph.hints import add_hints

    contribution = Graph()
    for name in ("unknown-property", "unknown-class", "membership-member-misspelt", "claim-type-misspelt", "untyped-subject"):
        contribution += read_case(FIXTURES / "invalid" / f"{name}.ttl").data
    results = base_validator.contribution_results(contribution)
    with base_validator.subject.contributing(contribution):
        hints = {(NAMES.term(r.focus), NAMES.term(r.value)): r.hint for r in add_hints(results, base_validator.view())}
    assert hints[("claim:fixture-100-typo-property", "ng:claimdate")] == "did you mean ng:claimDate?"
    assert hints[("org-id:fixture-american", "ng:Organization")] == "did you mean ng:Organisation?"
    assert hints[("membership:fixture-sco-RUZ-member", "state:RUZ")] == "did you mean state:RUS?"
    assert hints[("claim:fixture-100-misspelt-type", "ctype:authorail")] == "did you mean ctype:authorial?"
    assert hints[("org-id:ssco", "org-id:ssco")] == "did you mean org-id:sco?"


# --------------------------------------------------------------------------------------------
# The shapes themselves
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def shapes_graph(layout: Layout) -> Graph:
    graph = Graph()
    for path in layout.shape_files():
        parse_file(path, graph)
    return graph


def test_every_constraint_has_a_message(shapes_graph: Graph) -> None:
    """Every shape that constrains anything says, in words, what is wrong and how to fix it."""
    constraining = {
        SH.minCount, SH.maxCount, SH.datatype, SH["class"], SH.nodeKind, SH.pattern, SH["in"], SH.hasValue,
        SH.languageIn, SH.uniqueLang, SH.qualifiedValueShape, SH.lessThan, SH.disjoint, SH.minInclusive,
        SH.minLength, SH["or"],
    }
    silent = [
        NAMES.term(shape)
        for shape in set(shapes_graph.subjects())
        if any(p in constraining for p in shapes_graph.predicates(shape, None))
        and (shape, SH.message, None) not in shapes_graph
        and not isinstance(shape, BNode)
    ]
    silent += [
        NAMES.term(shape)
        for shape, constraint in shapes_graph.subject_objects(SH.sparql)
        if (constraint, SH.message, None) not in shapes_graph
    ]
    assert sorted(silent) == []


def test_every_shape_states_its_severity(shapes_graph: Graph) -> None:
    """Violation for what makes the graph wrong, Warning for editorial rules; always explicit."""
    constraining = {SH.minCount, SH.maxCount, SH.datatype, SH["class"], SH.nodeKind, SH.pattern, SH["in"], SH.languageIn,
                    SH.uniqueLang, SH.qualifiedValueShape, SH.lessThan, SH.disjoint, SH.minInclusive, SH.minLength, SH["or"], SH.sparql}
    unstated = [
        NAMES.term(shape)
        for shape in set(shapes_graph.subjects())
        if not isinstance(shape, BNode)
        and any(p in constraining for p in shapes_graph.predicates(shape, None))
        and len(set(shapes_graph.objects(shape, SH.severity))) != 1
    ]
    assert sorted(unstated) == []
    assert set(shapes_graph.objects(None, SH.severity)) == {SH.Violation, SH.Warning}


def test_sparql_constraints_follow_shacl_prebinding_rules(shapes_graph: Graph) -> None:
    """SHACL forbids MINUS, VALUES and SERVICE in SPARQL constraints (not in targets)."""
    for constraint in shapes_graph.objects(None, SH.sparql):
        query = str(shapes_graph.value(constraint, SH.select))
        assert not re.search(r"\b(MINUS|VALUES|SERVICE)\b", query), query


def test_a_shape_mixing_sparql_and_core_constraints_is_refused(shapes_graph: Graph) -> None:
    mixed = Graph()
    mixed += shapes_graph
    mixed.add((NGSH.ClaimantShape, SH.nodeKind, SH.IRI))
    from normgraph.shacl_paths import ShapesError

    with pytest.raises(ShapesError, match="ngsh:ClaimantShape mixes SPARQL constraints with sh:nodeKind"):
        prepare_shapes(mixed)


def test_targets_select_every_node_their_constraint_reports(base_validator: Validator) -> None:
    """The executor evaluates a SPARQL constraint only on its target's nodes. Evaluated over
    the whole graph with $this free, on data full of errors (every invalid fixture at once),
    no constraint may report a node its target missed."""
    from normgraph.validate import shape_targets

    union = Graph()
    for fixture in INVALID:
        union += read_case(fixture).data
    subject = base_validator.subject
    with subject.contributing(union):
        for shape in base_validator.shapes.sparql:
            graphs = subject.default_graphs(data_only=shape.data_only)
            targets = shape_targets(subject.store, shape, graphs, subject.convert)
            for constraint in shape.constraints:
                reported = {subject.convert.rdflib(row["this"]) for row in subject.store.query(constraint.query, default_graph=graphs)}
                assert reported <= targets, f"{NAMES.term(shape.node)}: target misses {sorted(map(NAMES.term, reported - targets))}"


# --------------------------------------------------------------------------------------------
# The fast engine and plain pySHACL agree
# --------------------------------------------------------------------------------------------


def test_constraints_give_the_same_rows_bound_per_node_and_evaluated_once(
    base_validator: Validator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The executor binds $this per focus node for a few nodes and evaluates a constraint once
    over the graph for many; on every invalid fixture at once both give the same results."""
    import normgraph.validate

    union = Graph()
    for fixture in INVALID:
        union += read_case(fixture).data
    found = []
    for limit in (0, 10**9):
        monkeypatch.setattr(normgraph.validate, "_BOUND_EVALUATION_LIMIT", limit)
        found.append(sorted(map(repr, (r.key for r in base_validator.contribution_results(union)))))
    assert len(found[0]) > len(INVALID)
    assert found[0] == found[1]


@pytest.mark.slow
def test_normgraph_and_plain_pyshacl_report_the_same_results(layout: Layout) -> None:
    """Every shape through plain pySHACL (the reference) and through normgraph's engine, on the
    entity files plus every invalid fixture at once: the same focus node, path, value,
    component, severity and shape for every result."""
    tree = load_tree(layout)
    data = Graph()
    for name in ENTITY_FILES:
        parse_file(layout.data_dir / name, data)
    for fixture in INVALID:
        data += read_case(fixture).data
    fast = Validator(GraphUnderTest.of_graphs(tree.ontology, data), tree.shapes).results()
    reference = Validator(GraphUnderTest.of_graphs(tree.ontology, data), tree.shapes, engine="pyshacl").results()
    assert len(fast) > len(INVALID)
    assert {r.key for r in fast} == {r.key for r in reference}


# --------------------------------------------------------------------------------------------
# Locating subjects in files
# --------------------------------------------------------------------------------------------


def test_scanner_finds_subjects_and_statements_where_they_are_written(tmp_path: Path) -> None:
    text = (
        "@prefix ex: <http://example.org/> .\n"
        "@base <http://example.org/base/> .\n"
        "# a comment with ex:fake ; and . in it\n"
        "ex:a ex:p \"a ; string . with # signs\" ;\n"
        "    ex:q [ ex:r ex:b ] ,\n"
        "        ( ex:c ex:d ) .\n"
        "<relative> a ex:Thing ;\n"
        '    ex:long """two\n'
        'lines""" .\n'
        "PREFIX other: <http://other.org/>\n"
        "other:x ex:p 1.5, -2, true .\n"
    )
    path = tmp_path / "sample.ttl"
    index = scan_text(path, text)
    assert index.subjects == {
        "http://example.org/a": (4, 1),
        "http://example.org/base/relative": (7, 1),
        "http://other.org/x": (11, 1),
    }
    assert index.statements[("http://example.org/a", "http://example.org/q")] == (5, 5)
    assert index.statements[("http://example.org/base/relative", "http://example.org/long")] == (8, 5)
    assert index.statements[("http://other.org/x", "http://example.org/p")] == (11, 9)
    assert index.depth == 1


def test_scanner_agrees_with_rdflib_on_every_data_file(layout: Layout) -> None:
    for path in layout.data_files():
        index = scan_text(path, path.read_text(encoding="utf-8"))
        graph = parse_file(path)
        subjects = {str(s) for s in graph.subjects() if isinstance(s, URIRef)}
        statements = {(str(s), str(p)) for s, p, _ in graph if isinstance(s, URIRef)}
        assert set(index.subjects) == subjects, path.name
        assert set(index.statements) == statements, path.name


def test_source_index_prefers_the_first_file(tmp_path: Path) -> None:
    first = tmp_path / "first.ttl"
    second = tmp_path / "second.ttl"
    first.write_text("<http://x/a> <http://x/p> 1 .\n")
    second.write_text("\n\n<http://x/a> <http://x/q> 2 .\n")
    index = SourceIndex([first, second])
    assert str(index.subject("http://x/a")) == f"{first}:1:1"
    assert str(index.statement("http://x/a", "http://x/q")) == f"{second}:3:14"


# --------------------------------------------------------------------------------------------
# The command line
# --------------------------------------------------------------------------------------------


def test_text_report_groups_by_node_with_file_line_and_advice(tree: Path, cli_env: dict[str, str]) -> None:
    fixture = copy_fixture_data(FIXTURES / "invalid" / "membership-member-misspelt.ttl", tree / "contribution.ttl")
    done = run_cli("validate", "contribution.ttl", cwd=tree, env=cli_env)
    assert done.returncode == 1, done.stderr
    line = next(n for n, text in enumerate(fixture.read_text().splitlines(), 1) if text.startswith("membership:fixture-sco-RUZ-member"))
    assert done.stdout.splitlines()[:4] == [
        f"contribution.ttl:{line}:1: membership:fixture-sco-RUZ-member",
        f"  line {line + 2}: violation: org:member = state:RUZ  (ngsh:ReferencedEntityShape)",
        "      state:RUZ is not described anywhere: nothing in data/ or in the contribution gives it an rdf:type. Describe it, or correct the IRI.",
        "      did you mean state:RUS?",
    ]
    assert done.stdout.splitlines()[-1] == "contribution.ttl: 1 violation and 0 warnings on 1 node: does not conform"
    assert done.stderr == ""


def test_json_report_lists_results_for_machines(tree: Path, cli_env: dict[str, str]) -> None:
    fixture = copy_fixture_data(FIXTURES / "invalid" / "claim-without-evidence.ttl", tree.parent / "claim-without-evidence.ttl")
    done = run_cli("validate", "--format", "json", str(fixture), cwd=tree, env=cli_env)
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert report["conforms"] is False and report["violations"] == 1 and report["warnings"] == 0
    (result,) = report["results"]
    assert result["focusNode"] == {"type": "uri", "value": "https://w3id.org/normgraph/id/claim/fixture-100-no-evidence"}
    assert result["resultPath"] == "https://w3id.org/normgraph/ontology#hasEvidence"
    assert result["sourceConstraintComponent"] == str(SH.MinCountConstraintComponent)
    assert result["resultSeverity"] == str(SH.Violation)
    assert result["file"] == str(fixture)
    assert result["display"]["constraint"] == "sh:minCount"


def test_turtle_report_is_the_shacl_validation_report(tree: Path, cli_env: dict[str, str]) -> None:
    fixture = copy_fixture_data(FIXTURES / "invalid" / "membership-unsupported.ttl", tree.parent / "membership-unsupported.ttl")
    done = run_cli("validate", "--format", "turtle", str(fixture), cwd=tree, env=cli_env)
    assert done.returncode == 1
    report = Graph().parse(data=done.stdout, format="turtle")
    (node,) = report.subjects(SH.conforms, None)
    assert report.value(node, SH.conforms).value is False
    (result,) = report.objects(node, SH.result)
    assert report.value(result, SH.sourceConstraintComponent) == SH.MinCountConstraintComponent
    path = report.value(result, SH.resultPath)
    assert report.value(path, SH.inversePath) == URIRef("https://w3id.org/normgraph/ontology#supports")
    again = run_cli("validate", "--format", "turtle", "--no-cache", str(fixture), cwd=tree, env=cli_env)
    assert again.stdout == done.stdout


def test_valid_contribution_exits_0_and_warnings_do_not_fail(tree: Path, cli_env: dict[str, str]) -> None:
    fixture = copy_fixture_data(FIXTURES / "valid" / "membership-with-claim.ttl", tree.parent / "membership-with-claim.ttl")
    done = run_cli("validate", str(fixture), cwd=tree, env=cli_env)
    assert (done.returncode, done.stdout) == (0, f"{fixture}: conforms\n")
    fixture = copy_fixture_data(FIXTURES / "valid" / "claim-without-statement.ttl", tree.parent / "claim-without-statement.ttl")
    done = run_cli("validate", str(fixture), cwd=tree, env=cli_env)
    assert done.returncode == 0
    assert done.stdout.splitlines()[-1].endswith(": conforms, with 1 warning on 1 node")


def test_a_file_inside_data_is_validated_as_the_contribution(tree: Path, cli_env: dict[str, str]) -> None:
    copy_fixture_data(FIXTURES / "invalid" / "figure-without-unit.ttl", tree / "data" / "mine.ttl")
    done = run_cli("validate", "data/mine.ttl", cwd=tree, env=cli_env)
    assert done.returncode == 1
    assert "figure:fixture-unitless" in done.stdout and "(sh:minCount)" in done.stdout


@pytest.mark.parametrize("fixture", SYNTAX, ids=lambda p: p.name)
def test_syntax_errors_exit_2_with_line_and_column(tree: Path, cli_env: dict[str, str], fixture: Path) -> None:
    header = fixture.read_bytes().split(b"\n", 1)[0].decode("ascii")
    where, _, words = header.removeprefix("# expect-error: ").partition(" ")
    done = run_cli("validate", str(fixture), cwd=tree, env=cli_env)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith(f"normgraph validate: error: {fixture}:{where}: "), done.stderr
    assert words in done.stderr
    assert "Traceback" not in done.stderr


def test_repeated_validation_is_served_from_the_cache_until_an_input_changes(tree: Path, cli_env: dict[str, str]) -> None:
    first = run_cli("validate", "--format", "json", cwd=tree, env=cli_env)
    cached = list((Path(cli_env["NORMGRAPH_CACHE_DIR"])).glob("*.json"))
    assert len(cached) == 1
    second = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "normgraph", "validate", "--format", "json"],
        cwd=tree, env=cli_env, capture_output=True, text=True, timeout=300,
    )
    assert second.stdout == first.stdout
    assert "pyshacl" not in second.stderr, "a cached report must not load pySHACL"
    with (tree / "data" / "organisations.ttl").open("a", encoding="utf-8") as stream:
        stream.write('\norg-id:fixture-late a <https://w3id.org/normgraph/ontology#Forum> .\n')
    third = run_cli("validate", "--format", "json", cwd=tree, env=cli_env)
    assert third.returncode == 1
    assert "org-id:fixture-late" in third.stdout
    assert len(list(Path(cli_env["NORMGRAPH_CACHE_DIR"]).glob("*.json"))) == 2


def test_data_conforms(layout: Layout) -> None:
    """The graph itself satisfies every shape: no violation anywhere in data/."""
    from normgraph.validate import validate_tree

    report = validate_tree(layout)
    violations = [r for r in report.results if r.is_violation]
    assert violations == [], "\n" + "\n".join(f"{r.location}: {NAMES.term(r.focus)}: {r.message}" for r in violations)
