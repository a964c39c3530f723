"""Advice attached to validation results: the term a typo probably meant, and the file, line
and column where each result's node is written.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import replace

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SKOS
from rdflib.term import Node

from .display import NAMES, NGSH
from .namespaces import ID, NG, ONTOLOGY_IRI
from .positions import Position, SourceIndex
from .validation_report import Result

def _edit_distance(a: str, b: str) -> int:
    """Levenshtein distance: insertions, deletions and substitutions of one character."""
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)))
        previous = current
    return previous[-1]


def _closest(wrong: str, candidates: Iterable[str]) -> str | None:
    """The candidate in the same namespace folder as ``wrong`` whose local name is fewest edits
    away (ignoring case, then preferring a longer common beginning), if close enough to be a typo."""
    folder, _, rest = wrong.rpartition("#") if "#" in wrong else wrong.rpartition("/")
    best: tuple[int, int, str] | None = None
    for candidate in candidates:
        c_folder, _, c_rest = candidate.rpartition("#") if "#" in candidate else candidate.rpartition("/")
        if c_folder != folder or c_rest == rest:
            continue
        distance = _edit_distance(rest.lower(), c_rest.lower())
        if distance > max(1, len(rest) // 3):
            continue
        shared = len(os.path.commonprefix([rest.lower(), c_rest.lower()]))
        key = (distance, -shared, candidate)
        if best is None or key < best:
            best = key
    return best[2] if best else None


def add_hints(results: Sequence[Result], graph: Graph) -> list[Result]:
    """Suggest the term or IRI a contributor probably meant, for unknown-term and dangling-IRI
    results. ``graph`` is the merged graph the results came from."""
    pools: dict[str, list[str]] = {}

    def pool(name: str) -> list[str]:
        if name not in pools:
            if name == "ontology":
                found = {str(s) for s in graph.subjects(RDFS.isDefinedBy, URIRef(ONTOLOGY_IRI)) if str(s).startswith(str(NG))}
            elif name == "concepts":
                found = {str(s) for s in graph.subjects(RDF.type, SKOS.Concept)}
            else:
                found = {str(s) for s in graph.subjects(RDF.type, None) if str(s).startswith(str(ID))}
            pools[name] = sorted(found)
        return pools[name]

    which = {
        NGSH.KnownOntologyTermsShape: ("value", "ontology"),
        NGSH.KnownConceptsShape: ("value", "concepts"),
        NGSH.ReferencedEntityShape: ("value", "entities"),
        NGSH.TypedSubjectShape: ("focus", "entities"),
    }
    hinted = []
    for result in results:
        rule = which.get(result.shape)  # type: ignore[call-overload]
        if rule is not None:
            term = result.value if rule[0] == "value" else result.focus
            if isinstance(term, URIRef):
                found = _closest(str(term), pool(rule[1]))
                if found is not None:
                    result = replace(result, hint=f"did you mean {NAMES.iri(found)}?")
        hinted.append(result)
    return hinted


def locate_results(results: Sequence[Result], index: SourceIndex, graph: Graph) -> list[Result]:
    """Attach to each result where it is written: ``location`` is the offending statement if the
    path is a single property, else the node; ``subject_location`` is where the focus node is
    described. A node that is never a subject (a blank node, a dangling IRI) is placed at the
    statement that refers to it."""
    located = []
    for result in results:
        subject = _position(replace(result, path=None), index, graph, set())
        statement = _position(result, index, graph, set()) if isinstance(result.path, URIRef) else subject
        located.append(replace(result, location=statement or subject, subject_location=subject))
    return located


def _position(result: Result, index: SourceIndex, graph: Graph, seen: set[Node]) -> Position | None:
    focus = result.focus
    if isinstance(focus, URIRef):
        if isinstance(result.path, URIRef):
            found = index.statement(str(focus), str(result.path))
            if found is not None:
                return found
        found = index.subject(str(focus))
        if found is not None:
            return found
    # Depth first through the blank nodes that refer to the focus, with a stack of its own:
    # a contribution may nest blank nodes deeper than Python's recursion limit.
    seen.add(focus)
    stack = [iter(list(graph.subject_predicates(focus)))]
    while stack:
        step = next(stack[-1], None)
        if step is None:
            stack.pop()
            continue
        referrer, predicate = step
        if referrer in seen:
            continue
        if isinstance(referrer, URIRef):
            found = index.statement(str(referrer), str(predicate)) or index.subject(str(referrer))
            if found is not None:
                return found
        else:
            seen.add(referrer)
            stack.append(iter(list(graph.subject_predicates(referrer))))
    return None
