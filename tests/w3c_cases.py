"""Running the W3C SHACL core test-suite cases vendored under tests/w3c-shacl/ (see its README)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Graph, Namespace
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from normgraph.shacl_paths import read_path
from normgraph.validate import GraphUnderTest, core_results, prepare_shapes

W3C = Path(__file__).resolve().parent / "w3c-shacl"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")


@dataclass(frozen=True)
class W3CCase:
    name: str
    data: Graph
    shapes: Graph
    conforms: bool
    expected: frozenset[tuple[object, ...]]


def _parse(path: Path) -> Graph:
    graph = Graph()
    graph.parse(path, format="turtle", publicID=path.as_uri())
    return graph


def _blank(term: Node | None) -> Node | None:
    """Blank nodes of two graphs cannot be matched by label: all compare as one."""
    return BNode("blank") if isinstance(term, BNode) else term


def _key(graph: Graph, result: Node) -> tuple[object, ...]:
    path = graph.value(result, SH.resultPath)
    return (
        _blank(graph.value(result, SH.focusNode)),
        None if path is None else read_path(graph, path),
        _blank(graph.value(result, SH.value)),
        graph.value(result, SH.sourceConstraintComponent),
        graph.value(result, SH.resultSeverity),
        _blank(graph.value(result, SH.sourceShape)),
    )


def read_w3c_case(path: Path) -> W3CCase:
    manifest = _parse(path)
    (entry,) = manifest.subjects(RDF.type, SHT.Validate)
    action = manifest.value(entry, MF.action)
    report = manifest.value(entry, MF.result)
    graphs = {}
    for role in (SHT.dataGraph, SHT.shapesGraph):
        source = Path(str(manifest.value(action, role)).removeprefix("file://"))
        graphs[role] = manifest if source == path else _parse(source)
    expected = frozenset(_key(manifest, r) for r in manifest.objects(report, SH.result))
    conforms = manifest.value(report, SH.conforms)
    return W3CCase(str(path.relative_to(W3C)), graphs[SHT.dataGraph], graphs[SHT.shapesGraph], bool(conforms.value), expected)


def run_w3c_case(case: W3CCase) -> tuple[bool, frozenset[tuple[object, ...]]]:
    """The evaluator's verdict (SHACL's: no result of any severity) and results, keyed as the
    expected report."""
    subject = GraphUnderTest.of_graphs(Graph(), case.data)
    results = core_results(subject, prepare_shapes(case.shapes), None)
    keys = frozenset(
        (_blank(r.focus), r.path if not isinstance(r.path, BNode) else None, _blank(r.value), r.component, r.severity, _blank(r.shape)) for r in results
    )
    return not results, keys
