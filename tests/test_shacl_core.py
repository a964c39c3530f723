"""The core-SHACL evaluator on the store (normgraph.shacl_core) against plain pySHACL, and
against the W3C SHACL core test-suite cases for the components it runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import RDF

from normgraph.layout import Layout, locate
from normgraph.load import parse_file
from normgraph.validate import Validator, _pyshacl, contribution_nodes, core_results, load_tree

from .conftest import FIXTURES, ROOT
from .test_validate import DASH, base_validator, describe, read_case  # noqa: F401 - base_validator is a fixture
from .w3c_cases import W3C, read_w3c_case, run_w3c_case

ALL_FIXTURES = sorted(p for p in FIXTURES.rglob("*.ttl") if "syntax" not in p.parts)
W3C_CASES = sorted(p for p in W3C.rglob("*.ttl") if not p.stem.endswith(("-data", "-shapes")))


def _fixture_data(path: Path) -> Graph:
    graph = parse_file(path)
    if (None, RDF.type, DASH.GraphValidationTestCase) in graph:
        return read_case(path).data
    return graph


def _differences(new: list, reference: list) -> str:
    a, b = {r.key for r in new}, {r.key for r in reference}
    return "only the store:\n" + describe([r for r in new if r.key in a - b]) + "\nonly pySHACL:\n" + describe([r for r in reference if r.key in b - a])


@pytest.mark.parametrize("fixture", ALL_FIXTURES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_core_shapes_on_the_store_give_pyshacls_results(base_validator: Validator, fixture: Path) -> None:  # noqa: F811
    """Every fixture added to the base: the same results and messages over the whole graph, and
    on the contribution's nodes."""
    data = _fixture_data(fixture)
    subject, shapes = base_validator.subject, base_validator.shapes
    with subject.contributing(data):
        new = core_results(subject, shapes, None)
        reference = _pyshacl(subject.merged, shapes.core, advanced=False, focus=None)
        assert {(r.key, r.message) for r in new} == {(r.key, r.message) for r in reference}, _differences(new, reference)
        focus = contribution_nodes(data)
        assert {r.key for r in core_results(subject, shapes, focus)} == {r.key for r in reference if r.focus in focus}


def test_the_fixtures_break_core_shapes(base_validator: Validator) -> None:  # noqa: F811
    """The comparison above is not vacuous: the fixtures hold many core results."""
    union = Graph()
    for fixture in ALL_FIXTURES:
        union += _fixture_data(fixture)
    with base_validator.subject.contributing(union):
        found = core_results(base_validator.subject, base_validator.shapes, None)
    assert len({r.component for r in found}) >= 10
    assert len(found) > 100


def test_every_core_component_the_shapes_use_has_w3c_cases(layout: Layout) -> None:
    """Each component the evaluator runs for normgraph's shapes is covered by a vendored case."""
    shapes = load_tree(layout).shapes
    used = {component for s in shapes.compiled for c in s.constraints for component in c.components}
    assert len(used) >= 10
    text = " ".join(p.read_text(encoding="utf-8") for p in W3C_CASES)
    for component in used:
        assert f"sh:{component.split('#')[1]}" in text, component


@pytest.mark.parametrize("case", W3C_CASES, ids=lambda p: str(p.relative_to(W3C)))
def test_w3c_core_case(case: Path) -> None:
    expected = read_w3c_case(case)
    conforms, keys = run_w3c_case(expected)
    assert conforms is expected.conforms
    assert keys == expected.expected


@pytest.mark.slow
def test_core_shapes_agree_with_pyshacl_on_a_generated_100k_tree(tmp_path: Path) -> None:
    out = tmp_path / "tree"
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), str(out), "--triples", "100000"], check=True, capture_output=True)
    tree = load_tree(locate(out))
    validator = Validator.of_tree(tree)
    new = core_results(validator.subject, tree.shapes, None)
    reference = _pyshacl(validator.subject.merged, tree.shapes.core, advanced=False, focus=None)
    assert reference, "the generated tree holds injected faults"
    assert {(r.key, r.message) for r in new} == {(r.key, r.message) for r in reference}, _differences(new, reference)
