"""Advice attached to validation results: the term a typo probably meant, and the file, line
and column where each result's node is written.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, replace

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
from rdflib import URIRef
from rdflib.namespace import RDF, RDFS, SKOS
from rdflib.term import Node

from .display import NAMES, NGSH
from .graph_view import GraphLike
from .namespaces import ID, NG, ONTOLOGY_IRI
from .positions import Position, SourceIndex
from .validation_report import Result

def _split(iri: str) -> tuple[str, str]:
    """An IRI's namespace folder and local name."""
    folder, _, rest = iri.rpartition("#") if "#" in iri else iri.rpartition("/")
    return folder, rest


@dataclass(frozen=True)
class _Folder:
    """The candidate IRIs of one namespace folder, with their local names in lower case."""

    iris: list[str]
    names: list[str]


def _closest(wrong: str, candidates: dict[str, _Folder]) -> str | None:
    """The candidate in the same namespace folder as ``wrong`` whose local name is fewest edits
    away (Levenshtein, ignoring case, then preferring a longer common beginning), if close enough
    to be a typo. rapidfuzz computes the distances: a large graph has tens of thousands of
    candidates per folder."""
    folder, rest = _split(wrong)
    pool = candidates.get(folder)
    if pool is None:
        return None
    typed = rest.lower()
    limit = max(1, len(rest) // 3)
    best: tuple[int, int, str] | None = None
    for _, distance, index in process.extract(typed, pool.names, scorer=Levenshtein.distance, score_cutoff=limit, limit=None):
        candidate = pool.iris[index]
        if _split(candidate)[1] == rest:
            continue
        key = (distance, -len(os.path.commonprefix([typed, pool.names[index]])), candidate)
        if best is None or key < best:
            best = key
    return best[2] if best else None


def add_hints(results: Sequence[Result], graph: GraphLike) -> list[Result]:
    """Suggest the term or IRI a contributor probably meant, for unknown-term and dangling-IRI
    results. ``graph`` is the merged graph the results came from."""
    pools: dict[str, dict[str, _Folder]] = {}

    def pool(name: str) -> dict[str, _Folder]:
        if name not in pools:
            if name == "ontology":
                found = {str(s) for s in graph.subjects(RDFS.isDefinedBy, URIRef(ONTOLOGY_IRI)) if str(s).startswith(str(NG))}
            elif name == "concepts":
                found = {str(s) for s in graph.subjects(RDF.type, SKOS.Concept)}
            else:
                found = {str(s) for s in graph.subjects(RDF.type, None) if str(s).startswith(str(ID))}
            by_folder: dict[str, _Folder] = {}
            for iri in sorted(found):
                folder, local = _split(iri)
                entry = by_folder.setdefault(folder, _Folder([], []))
                entry.iris.append(iri)
                entry.names.append(local.lower())
            pools[name] = by_folder
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


def locate_results(results: Sequence[Result], index: SourceIndex, graph: GraphLike) -> list[Result]:
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


def _position(result: Result, index: SourceIndex, graph: GraphLike, seen: set[Node]) -> Position | None:
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
