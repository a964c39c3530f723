"""OWL-RL reasoning: the closure of ontology + data, and the inconsistencies it reveals.

owlrl never raises on an inconsistency (an individual in two disjoint classes, say); it adds
``err:ErrorMessage`` nodes to the graph. :func:`inconsistencies` runs the closure on a copy and
returns those messages so callers can fail loudly.
"""

from __future__ import annotations

import owlrl
from rdflib import Graph, Literal
from rdflib.namespace import RDF

from .namespaces import bind_prefixes

ERR = owlrl.Namespaces.ERRNS


def closure(graph: Graph) -> Graph:
    """Return a new graph holding ``graph`` and its OWL-RL closure."""
    expanded = bind_prefixes(Graph())
    expanded += graph
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(expanded)
    return expanded


def error_messages(expanded: Graph) -> list[str]:
    """The messages of the ``err:ErrorMessage`` nodes owlrl added, sorted for stable output."""
    messages = []
    for node in expanded.subjects(RDF.type, ERR.ErrorMessage):
        for text in expanded.objects(node, ERR.error):
            messages.append(str(text) if isinstance(text, Literal) else text.n3())
    return sorted(messages)


def inconsistencies(graph: Graph) -> list[str]:
    """Run the OWL-RL closure over ``graph`` (not modified) and return any inconsistency."""
    return error_messages(closure(graph))
