"""RDF terms across the three libraries normgraph joins, and the syntax every IRI must keep.

Files are parsed by Oxigraph, shapes and rules run on rdflib graphs, and query answers travel as
the light :class:`Term`; each conversion between them, and the set of characters an IRI may not
hold, is written here once so that every parser, writer and engine agrees.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

#: Characters RFC 3987 and the RDF syntaxes forbid in an IRI (spaces, controls, <>"{}|^`\\), as
#: the inside of a regular-expression character class, for the tokenizers that match whole IRIs.
IRI_FORBIDDEN_CHARS = r'\x00-\x20<>"{}|^`\\'
IRI_FORBIDDEN = re.compile(f"[{IRI_FORBIDDEN_CHARS}]")

_XSD_STRING = str(XSD.string)
_RDF_LANG_STRING = str(RDF.langString)


class Term(NamedTuple):
    """An RDF term in a result: ``kind`` is ``iri``, ``bnode`` or ``literal``.

    Results use this light tuple rather than rdflib terms: building an rdflib ``Literal`` parses
    its value and costs tens of microseconds, which dominates large answers. A literal's
    ``datatype`` is ``None`` for plain strings (``xsd:string``) and language-tagged text.
    """

    kind: str
    value: str
    datatype: str | None = None
    language: str | None = None

    def __str__(self) -> str:
        return self.value

    def n3(self) -> str:
        """The term in N-Triples (and SPARQL, Turtle) syntax."""
        if self.kind == "iri":
            return f"<{self.value}>"
        if self.kind == "bnode":
            return f"_:{self.value}"
        escaped = (
            self.value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
        )
        if self.language:
            return f'"{escaped}"@{self.language}'
        if self.datatype:
            return f'"{escaped}"^^<{self.datatype}>'
        return f'"{escaped}"'

    def to_rdflib(self) -> URIRef | BNode | Literal:
        if self.kind == "iri":
            return URIRef(self.value)
        if self.kind == "bnode":
            return BNode(self.value)
        if self.language:
            return Literal(self.value, lang=self.language)
        return Literal(self.value, datatype=URIRef(self.datatype) if self.datatype else None)

    def to_oxigraph(self) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        if self.kind == "iri":
            return ox.NamedNode(self.value)
        if self.kind == "bnode":
            return ox.BlankNode(self.value)
        if self.language:
            return ox.Literal(self.value, language=self.language)
        return ox.Literal(self.value, datatype=ox.NamedNode(self.datatype) if self.datatype else None)

    @classmethod
    def from_rdflib(cls, node: Node) -> Term:
        if isinstance(node, URIRef):
            return cls("iri", str(node))
        if isinstance(node, BNode):
            return cls("bnode", str(node))
        if isinstance(node, Literal):
            datatype = str(node.datatype) if node.datatype is not None else None
            if datatype in (_XSD_STRING, _RDF_LANG_STRING):
                datatype = None
            return cls("literal", str(node), None if node.language else datatype, node.language or None)
        raise TypeError(f"not an RDF term: {node!r}")


Row = tuple[Term | None, ...]


def to_oxigraph(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An rdflib term as a pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot store {term!r} in Oxigraph")


def from_oxigraph(term: object) -> Term:
    """A pyoxigraph term as a result :class:`Term`."""
    if isinstance(term, ox.NamedNode):
        return Term("iri", term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Term("literal", term.value, None, term.language)
        datatype = term.datatype.value
        return Term("literal", term.value, None if datatype == _XSD_STRING else datatype)
    if isinstance(term, ox.BlankNode):
        return Term("bnode", term.value)
    raise TypeError(f"unexpected result term {term!r}")


def to_rdflib_term(term: object) -> Node:
    """An Oxigraph term as the rdflib term."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"unexpected term from Oxigraph: {term!r}")
