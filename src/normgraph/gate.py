"""The gate: every project rule, run by one function, for every command that guards the data.

``validate``, ``add``, ``check``, ``publish`` and the counts of ``stats`` all see the same rule
set, so data one of them accepts is never refused by another. A rule is written once, in one of
the rule kinds of :data:`RULE_KINDS`:

* a SHACL shape in ``shapes/`` (core shapes in pySHACL, SPARQL-based shapes on Oxigraph; see
  :mod:`normgraph.validate`);
* a SPARQL rule file in ``rules/`` (:mod:`normgraph.rules`);
* the evidence-anchor check (:func:`normgraph.evidence.anchor_results`), the one rule that
  needs more than the graph: the source texts the anchors quote.

A rule kind is a function from a :class:`GateInput` and the focus nodes to
:class:`~normgraph.validation_report.Result` objects; a further kind is one more entry in
:data:`RULE_KINDS`. The gate keeps the results on the focus nodes asked for, so each kind may
simply report everything it finds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rdflib.namespace import SH
from rdflib.term import Node

from .layout import Layout
from .rules import Rule, rule_rows
from .texts import SourceTexts, source_texts
from .validate import (
    GraphUnderTest,
    Shapes,
    Tree,
    Validator,
    finish,
    format_message,
    normgraph_engine,
    pyshacl_engine,
)
from .validation_report import Report, Result


@dataclass(frozen=True)
class GateInput:
    """What a rule kind runs over: the graph under test (ontology, data and any contribution,
    in Oxigraph as ``subject.store``, read through ``subject.view()``), the shapes, the SPARQL
    rules, the SHACL engine chosen, the tree's layout, and where the source texts are found
    (``texts``; if None, where ``layout`` keeps them)."""

    subject: GraphUnderTest
    shapes: Shapes
    rules: tuple[Rule, ...]
    engine: str = "normgraph"
    layout: Layout | None = None
    texts: SourceTexts | None = None


RuleKind = Callable[[GateInput, "set[Node] | None"], list[Result]]
"""A rule kind: its results over the graph, on the given focus nodes only (all, if None)."""


def shape_results(given: GateInput, focus: set[Node] | None) -> list[Result]:
    """The SHACL shapes, on the engine chosen."""
    run = pyshacl_engine if given.engine == "pyshacl" else normgraph_engine
    return run(given.subject, given.shapes, focus)


def sparql_rule_results(given: GateInput, focus: set[Node] | None) -> list[Result]:
    """The SPARQL rules of ``rules/``, as SHACL-SPARQL results on the focus node ``?this``."""
    subject = given.subject
    graphs = subject.default_graphs(data_only=False)
    back = subject.convert.rdflib
    results = []
    for rule in given.rules:
        for row in rule_rows(subject.store, rule, graphs):
            bindings = {name: back(term) for name, term in row.items()}
            node = bindings["this"]
            if focus is not None and node not in focus:
                continue
            results.append(
                Result(
                    focus=node,
                    severity=rule.severity,
                    component=SH.SPARQLConstraintComponent,
                    shape=rule.node,
                    message=format_message(rule.message, bindings),
                    path=bindings.get("path"),  # type: ignore[arg-type]
                    value=bindings.get("value"),
                )
            )
    return results


def evidence_results(given: GateInput, focus: set[Node] | None) -> list[Result]:
    """Every evidence anchor (on the focus nodes) checked against its registered source text.

    Every command runs this on a tree, whose layout says where the texts are. A gate built
    without a tree or texts (a library caller validating graphs alone) has no texts to read, and
    this kind then reports nothing: the anchors are checked where a tree is."""
    from .evidence import anchor_results  # noqa: PLC0415 - evidence builds on validate, as the gate does

    texts = given.texts
    if texts is None:
        if given.layout is None:
            return []
        texts = source_texts(given.layout)
    return anchor_results(given.subject.view(), texts, focus=focus)


#: Every kind of rule the gate runs, in report order.
RULE_KINDS: tuple[RuleKind, ...] = (shape_results, sparql_rule_results, evidence_results)


def gate_results(given: GateInput, focus: set[Node] | None = None) -> list[Result]:
    """Every rule of every kind over ``given``, on ``focus`` only (all nodes, if None), each
    result once."""
    seen: set[tuple[object, ...]] = set()
    results = []
    for kind in RULE_KINDS:
        for result in kind(given, focus):
            if focus is not None and result.focus not in focus:
                continue
            key = (*result.key, result.message)
            if key not in seen:
                seen.add(key)
                results.append(result)
    return results


def tree_report(tree: Tree, *, engine: str = "normgraph", texts: SourceTexts | None = None) -> Report:
    """The gate over a whole tree (ontology + data), as the report every command renders; the
    tree's graphs are left as they were. ``texts``: where the source texts are (default: where
    the tree's layout keeps them)."""
    validator = Validator.of_tree(tree, engine=engine, texts=texts)
    return finish(validator.results(), validator.view(), tree.data_files, tree.data_files)
