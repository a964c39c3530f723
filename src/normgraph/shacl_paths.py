"""SHACL property paths: read from a shapes graph, written back, and shown as SPARQL paths.

pySHACL reports a result's path as nodes of the shapes graph; normgraph keeps it as a small
value (:data:`PathExpr`) so that results can be compared, sorted, shown (``^org:member/ng:role``)
and written into a report graph again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from .display import NAMES
from .errors import NormgraphError

class ShapesError(NormgraphError):
    """The shapes graph uses SHACL in a way normgraph's executor does not run."""

    exit_code = 2


@dataclass(frozen=True)
class InversePath:
    path: PathExpr


@dataclass(frozen=True)
class SequencePath:
    steps: tuple[PathExpr, ...]


@dataclass(frozen=True)
class AlternativePath:
    options: tuple[PathExpr, ...]


@dataclass(frozen=True)
class RepeatPath:
    path: PathExpr
    operator: str  # "*", "+" or "?"


PathExpr = URIRef | InversePath | SequencePath | AlternativePath | RepeatPath
_REPEATS = {SH.zeroOrMorePath: "*", SH.oneOrMorePath: "+", SH.zeroOrOnePath: "?"}


def read_path(graph: Graph, node: Node) -> PathExpr:
    """The SHACL property path that ``node`` describes in ``graph``."""
    if isinstance(node, URIRef):
        return node
    inverse = graph.value(node, SH.inversePath)
    if inverse is not None:
        return InversePath(read_path(graph, inverse))
    alternatives = graph.value(node, SH.alternativePath)
    if alternatives is not None:
        return AlternativePath(tuple(read_path(graph, item) for item in Collection(graph, alternatives)))
    for predicate, operator in _REPEATS.items():
        inner = graph.value(node, predicate)
        if inner is not None:
            return RepeatPath(read_path(graph, inner), operator)
    if graph.value(node, RDF.first) is not None:
        return SequencePath(tuple(read_path(graph, item) for item in Collection(graph, node)))
    raise ShapesError(f"unsupported property path {node!r}")


def show_path(path: PathExpr, iri: Callable[[str], str] = NAMES.iri) -> str:
    """``path`` in SPARQL syntax, each IRI written by ``iri``."""
    if isinstance(path, URIRef):
        return iri(str(path))
    if isinstance(path, InversePath):
        return "^" + show_path(path.path, iri)
    if isinstance(path, SequencePath):
        return "(" + "/".join(show_path(step, iri) for step in path.steps) + ")"
    if isinstance(path, AlternativePath):
        return "(" + "|".join(show_path(option, iri) for option in path.options) + ")"
    return show_path(path.path, iri) + path.operator


def write_path(graph: Graph, path: PathExpr) -> Node:
    """Add ``path`` to ``graph`` as SHACL describes paths; return its node."""
    if isinstance(path, URIRef):
        return path
    node = BNode()
    if isinstance(path, InversePath):
        graph.add((node, SH.inversePath, write_path(graph, path.path)))
    elif isinstance(path, SequencePath):
        Collection(graph, node, [write_path(graph, step) for step in path.steps])
    elif isinstance(path, AlternativePath):
        items = BNode()
        Collection(graph, items, [write_path(graph, option) for option in path.options])
        graph.add((node, SH.alternativePath, items))
    else:
        predicate = next(p for p, o in _REPEATS.items() if o == path.operator)
        graph.add((node, predicate, write_path(graph, path.path)))
    return node
