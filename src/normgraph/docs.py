"""HTML documentation of a release: the start page, the ontology, each SKOS vocabulary, the SHACL
shapes, and figures.

The start page (:func:`index_page`) says what the graph holds (organisations, states, sources,
claims and facts, counted and linked), how to load it into a triple store and query it, and shows
the figures (:data:`RELEASE_FIGURES`, drawn by :mod:`normgraph.figures` as deterministic SVG).

The ontology page is rendered by pyLODE's ``OntPub`` profile, which reads what the ontology
header declares: ``dcterms:title`` (required), the description, creator, publisher, licence,
rights, dates, ``owl:versionIRI``, ``owl:versionInfo``, ``owl:priorVersion`` and the ``vann:``
preferred prefix and namespace; and for every term its label, definition and
``rdfs:isDefinedBy``. pyLODE copies ``rdfs:label`` into the title, so an ontology header with
both a ``dcterms:title`` and a different ``rdfs:label`` would get the two run together as its
title: the copy handed to pyLODE keeps the title alone.

The vocabulary pages and the shapes page are written here. pyLODE 3.4's ``VocPub`` keeps only one
value per property of a concept (a concept's second ``skos:altLabel`` or ``dcterms:source`` is
silently dropped) and stops with an error on a concept that refers to an IRI outside its scheme
(``dcterms:source`` a source text); pyLODE has no SHACL profile. The pages written here show
every statement about each concept or shape, and link each term to the page and fragment that
documents it.

Every page is self-contained (styles inline, no scripts or fonts fetched), so the documentation
opens from a local folder in any browser, and is generated without network access. Pages are
deterministic: everything is sorted and nothing depends on the clock.
"""

from __future__ import annotations

import html
import logging
import sys
import types
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, SKOS
from rdflib.term import Node

from .errors import NormgraphError
from .holdings import Holdings, holdings
from .namespaces import ID, PREFIXES, VOCAB, PrefixedNames, bind_prefixes
from .void import DATASET_DESCRIPTION, DATASET_TITLE, Distribution, ReleaseInfo


class DocumentationError(NormgraphError):
    """The documentation generator refused an input (for pyLODE: a missing title)."""

    exit_code = 1


# --------------------------------------------------------------------------------------------
# pyLODE, for the ontology
# --------------------------------------------------------------------------------------------


def _import_pylode() -> tuple[type, type[Exception]]:
    """pyLODE's ``OntPub`` class and its error type.

    Two faults of pyLODE 3.4.1 are contained here. Its ``pylode.version`` module reads a
    ``pyproject.toml`` that the wheel does not ship (RDFLib/pyLODE#260, fixed upstream after
    3.4.1): when that import fails, the module is provided from the installed metadata instead.
    And importing pyLODE calls ``logging.basicConfig(level=DEBUG)`` at module level, which would
    make every later library log line appear on the terminal: the root logger is put back as it
    was.
    """
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        try:
            import pylode  # noqa: F401
        except FileNotFoundError:
            version = types.ModuleType("pylode.version")
            version.__version__ = metadata.version("pylode")  # type: ignore[attr-defined]
            sys.modules["pylode.version"] = version
        from pylode import PylodeError
        from pylode.profiles.ontpub import OntPub
    finally:
        for handler in root.handlers[:]:
            if handler not in handlers:
                root.removeHandler(handler)
        root.setLevel(level)
    return OntPub, PylodeError


def ontology_page(ontology: Graph, source: str) -> tuple[str, dict[str, str]]:
    """The pyLODE page of ``ontology``, and the fragment id pyLODE gave each term's IRI."""
    ontpub, pylode_error = _import_pylode()
    copy = bind_prefixes(Graph())  # pyLODE adds its own triples to the graph it is given
    copy += ontology
    for header in list(copy.subjects(RDF.type, OWL.Ontology)):
        if (header, DCTERMS.title, None) in copy:
            copy.remove((header, RDFS.label, None))
    try:
        document = ontpub(copy, sort_subjects=True)
        page = document.make_html()
    except pylode_error as exc:
        raise DocumentationError(f"{source}: pyLODE cannot document it: {exc}") from None
    return page, {iri: fid for iri, fid in document.fids.items() if iri}


# --------------------------------------------------------------------------------------------
# Plain HTML for the pages written here
# --------------------------------------------------------------------------------------------

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; line-height: 1.5; color: #1d1d1f;
       max-width: 72rem; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.8rem; margin-bottom: .2rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #ccd; }
h3 { margin: 0 0 .4rem; } code { font-size: .92em; background: #f3f3f6; padding: 0 .2em; border-radius: 3px; }
pre { background: #f3f3f6; padding: .6rem; overflow-x: auto; }
table { border-collapse: collapse; width: 100%; margin: .6rem 0 1rem; font-size: .95rem; }
th, td { border: 1px solid #d6d6de; padding: .35rem .5rem; text-align: left; vertical-align: top; }
th { background: #f3f3f6; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: .4rem 0; }
dl.meta dt { font-weight: 600; } dl.meta dd { margin: 0; }
nav.toc ul { columns: 2; } ul.tree, ul.tree ul { list-style: none; padding-left: 1.2rem; }
.item { border-left: 4px solid #4a6fa5; padding: .2rem 0 .2rem 1rem; margin-top: 1.6rem; }
.muted { color: #555; } .message { font-style: italic; }
""".strip()


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>\n{_STYLE}\n</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _meta(rows: Iterable[tuple[str, str]]) -> str:
    """A definition list of (already escaped) label and value pairs."""
    return '<dl class="meta">' + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows) + "</dl>"


def fragment(iri: str) -> str:
    """A fragment id for a term: its local name, made safe for HTML."""
    local = iri.rstrip("/#").rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in local) or "term"


def _label_of(graph: Graph, node: Node) -> str | None:
    for predicate in (SKOS.prefLabel, RDFS.label, DCTERMS.title, SH.name):
        values = sorted(graph.objects(node, predicate), key=lambda v: (getattr(v, "language", None) not in (None, "en"), str(v)))
        if values:
            return str(values[0])
    return None


#: Prefixed names for the documentation: normgraph's prefixes, and sh: for the shapes' terms.
_NAMES = PrefixedNames({**PREFIXES, "sh": str(SH)})


@dataclass(frozen=True)
class Linker:
    """Writes terms as prefixed names, linked to the page and fragment that document them.

    ``anchors`` maps IRIs to links relative to the documentation folder; ``labels`` gives a
    readable name for IRIs documented nowhere in the release (a source, a state).
    """

    anchors: dict[str, str]
    labels: dict[str, str]
    depth: int = 0

    def at(self, depth: int) -> Linker:
        """The same linker for a page ``depth`` folders below the documentation folder."""
        return Linker(self.anchors, self.labels, depth)

    @staticmethod
    def curie(iri: str) -> str:
        return _NAMES.display(iri)

    def iri(self, iri: str) -> str:
        name = self.curie(iri)
        label = f"<code>{_e(name)}</code>"
        target = self.anchors.get(iri)
        if target:
            return f'<a href="{_e("../" * self.depth + target)}">{label}</a>'
        if iri in self.labels:
            label = f"{_e(self.labels[iri])} ({label})"
        if iri.startswith(("http://", "https://")) and not iri.startswith((str(ID), str(VOCAB))):
            return f'<a href="{_e(iri)}">{label}</a>'
        return label


def _literal(term: Literal) -> str:
    text = _e(str(term))
    if term.language and term.language != "en":
        return f'{text} <span class="muted">@{_e(term.language)}</span>'
    if term.datatype is not None and not term.datatype.startswith(PREFIXES["xsd"]):
        return f'{text} <span class="muted">({_e(Linker.curie(str(term.datatype)))})</span>'
    return text


def _sorted_values(values: Iterable[Node]) -> list[Node]:
    return sorted(values, key=lambda v: (isinstance(v, Literal) and v.language not in (None, "en"), str(v)))


# --------------------------------------------------------------------------------------------
# SKOS vocabularies
# --------------------------------------------------------------------------------------------

#: Concept properties shown first, in this order and under these names; any other property
#: follows under its prefixed name, so that nothing the vocabulary says is left out.
_CONCEPT_PROPERTIES: tuple[tuple[URIRef, str], ...] = (
    (SKOS.prefLabel, "Preferred label"),
    (SKOS.altLabel, "Alternative labels"),
    (SKOS.hiddenLabel, "Hidden labels"),
    (SKOS.notation, "Notation"),
    (SKOS.definition, "Definition"),
    (SKOS.scopeNote, "Scope note"),
    (SKOS.example, "Example"),
    (SKOS.note, "Note"),
    (SKOS.editorialNote, "Editorial note"),
    (SKOS.historyNote, "History note"),
    (SKOS.changeNote, "Change note"),
    (SKOS.broader, "Broader"),
    (SKOS.narrower, "Narrower"),
    (SKOS.related, "Related"),
    (SKOS.exactMatch, "Exact match"),
    (SKOS.closeMatch, "Close match"),
    (SKOS.broadMatch, "Broad match"),
    (SKOS.narrowMatch, "Narrow match"),
    (SKOS.relatedMatch, "Related match"),
    (DCTERMS.source, "Source"),
    (RDFS.seeAlso, "See also"),
)
_CONCEPT_IMPLIED = {RDF.type, SKOS.inScheme, SKOS.topConceptOf, RDFS.isDefinedBy}
_SCHEME_PROPERTIES: tuple[tuple[URIRef, str], ...] = (
    (SKOS.definition, "Definition"),
    (DCTERMS.description, "Description"),
    (DCTERMS.creator, "Creator"),
    (DCTERMS.publisher, "Publisher"),
    (DCTERMS.license, "Licence"),
    (DCTERMS.rights, "Rights"),
    (DCTERMS.created, "Created"),
    (DCTERMS.modified, "Modified"),
    (OWL.versionInfo, "Version"),
)


@dataclass(frozen=True)
class Vocabulary:
    """One SKOS vocabulary file: its page name, scheme IRI, title and graph."""

    slug: str
    scheme: URIRef
    title: str
    graph: Graph

    @property
    def page(self) -> str:
        return f"vocab/{self.slug}.html"

    def concepts(self) -> list[URIRef]:
        """The scheme's concepts, by preferred label."""
        found = {c for c in self.graph.subjects(SKOS.inScheme, self.scheme) if isinstance(c, URIRef)}
        found |= {c for c in self.graph.subjects(RDF.type, SKOS.Concept) if isinstance(c, URIRef)}
        return sorted(found, key=lambda c: ((_label_of(self.graph, c) or "").casefold(), str(c)))


def vocabularies(files: Iterable[tuple[Path, Graph]]) -> list[Vocabulary]:
    """The SKOS concept schemes among ``files``, one per file, ordered by file name."""
    found = []
    for path, graph in files:
        schemes = sorted(graph.subjects(RDF.type, SKOS.ConceptScheme))
        if schemes:
            scheme = schemes[0]
            title = graph.value(scheme, DCTERMS.title) or graph.value(scheme, SKOS.prefLabel) or path.stem
            found.append(Vocabulary(path.stem, scheme, str(title), graph))
    return found


class _Describer:
    """Renders the statements about a node: known properties first, then everything else."""

    def __init__(self, graph: Graph, link: Linker):
        self.g = graph
        self.link = link

    def value(self, term: Node) -> str:
        if isinstance(term, URIRef):
            return self.link.iri(str(term))
        if isinstance(term, Literal):
            return _literal(term)
        pairs = sorted(self.g.predicate_objects(term), key=lambda pair: (str(pair[0]), str(pair[1])))
        return "[ " + " ; ".join(f"{self.link.iri(str(p))} {self.value(o)}" for p, o in pairs) + " ]"

    def values(self, node: Node, predicate: URIRef, separator: str = "<br>") -> str:
        return separator.join(self.value(v) for v in _sorted_values(self.g.objects(node, predicate)))

    def rows(self, node: Node, known: tuple[tuple[URIRef, str], ...], implied: set[URIRef]) -> list[tuple[str, str]]:
        rows = [(_e(name), self.values(node, predicate)) for predicate, name in known if (node, predicate, None) in self.g]
        shown = {predicate for predicate, _ in known} | implied
        for predicate in sorted({p for p in self.g.predicates(node, None) if p not in shown}, key=str):
            rows.append((self.link.iri(str(predicate)), self.values(node, predicate)))
        return rows


def vocabulary_page(vocab: Vocabulary, link: Linker, *, version: str) -> str:
    """One vocabulary: its scheme, its concept hierarchy, and every concept in full."""
    g, scheme = vocab.graph, vocab.scheme
    link = link.at(1)
    describe = _Describer(g, link)
    concepts = vocab.concepts()
    body = [f"<h1>{_e(vocab.title)}</h1>", f'<p class="muted">A SKOS concept scheme of normgraph {_e(version)} · {len(concepts)} concepts · <a href="../index.html">all documentation</a></p>']
    rows = [("IRI", f"<code>{_e(scheme)}</code>")]
    rows += describe.rows(scheme, _SCHEME_PROPERTIES, {RDF.type, DCTERMS.title, SKOS.prefLabel, RDFS.isDefinedBy, SKOS.hasTopConcept})
    body.append(_meta(rows))

    narrower: dict[URIRef, set[URIRef]] = {c: set() for c in concepts}
    has_broader: set[URIRef] = set()
    for concept in concepts:
        for broader in g.objects(concept, SKOS.broader):
            if broader in narrower:
                narrower[broader].add(concept)
                has_broader.add(concept)
        for child in g.objects(concept, SKOS.narrower):
            if child in narrower:
                narrower[concept].add(child)
                has_broader.add(child)
    order = {c: i for i, c in enumerate(concepts)}

    def tree(nodes: Iterable[URIRef], seen: frozenset[URIRef]) -> str:
        items = []
        for node in sorted(nodes, key=order.__getitem__):
            label = _e(_label_of(g, node) or Linker.curie(str(node)))
            inner = tree(narrower[node] - seen, seen | {node}) if narrower[node] - seen else ""
            items.append(f'<li><a href="#{_e(fragment(str(node)))}">{label}</a>{inner}</li>')
        return '<ul class="tree">' + "".join(items) + "</ul>"

    body.append('<nav class="toc"><h2>Concept hierarchy</h2>' + tree([c for c in concepts if c not in has_broader], frozenset()) + "</nav>")
    body.append("<h2>Concepts</h2>")
    for concept in concepts:
        label = _label_of(g, concept) or Linker.curie(str(concept))
        rows = [("IRI", f"<code>{_e(concept)}</code>")] + describe.rows(concept, _CONCEPT_PROPERTIES, _CONCEPT_IMPLIED)
        body.append(f'<section class="item" id="{_e(fragment(str(concept)))}"><h3>{_e(label)}</h3>{_meta(rows)}</section>')
    return _page(f"{vocab.title} — normgraph {version}", "\n".join(body))


# --------------------------------------------------------------------------------------------
# Shapes
# --------------------------------------------------------------------------------------------

#: Constraint parameters in the order they are shown; any other parameter follows them, so that
#: nothing a shape says is left out.
_PROPERTY_ORDER = (
    SH.minCount, SH.maxCount, SH.datatype, SH.nodeKind, SH["class"], SH.node, SH["in"], SH.hasValue,
    SH.pattern, SH.flags, SH.minLength, SH.maxLength, SH.minInclusive, SH.maxInclusive,
    SH.minExclusive, SH.maxExclusive, SH.languageIn, SH.uniqueLang, SH.equals, SH.disjoint,
    SH.lessThan, SH.lessThanOrEquals, SH.qualifiedValueShape, SH.qualifiedMinCount,
    SH.qualifiedMaxCount, SH["or"], SH["and"], SH.xone, SH["not"],
)
_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
_DESCRIPTIVE = {RDF.type, SH.path, SH.name, SH.description, SH.message, SH.severity, SH.order, SH.group,
                SH.deactivated, RDFS.label, RDFS.comment, SH.property, SH.closed, SH.ignoredProperties,
                SH.sparql, *_TARGETS}
_SHAPES_NAMESPACE = "https://w3id.org/normgraph/shapes#"


def named_shapes(shapes: Graph) -> list[URIRef]:
    """The shapes with an IRI (node shapes, property shapes, anything with a target), sorted."""
    found = set(shapes.subjects(RDF.type, SH.NodeShape)) | set(shapes.subjects(RDF.type, SH.PropertyShape))
    for target in _TARGETS:
        found |= set(shapes.subjects(target, None))
    return sorted((s for s in found if isinstance(s, URIRef)), key=lambda s: (_shape_name(s), str(s)))


def _shape_name(shape: Node) -> str:
    iri = str(shape)
    return "ngsh:" + iri[len(_SHAPES_NAMESPACE) :] if iri.startswith(_SHAPES_NAMESPACE) else Linker.curie(iri)


def shape_fragment(shape: Node) -> str:
    return "shape-" + "".join(c if c.isalnum() or c in "-_" else "-" for c in _shape_name(shape))


class _ShapeWriter(_Describer):
    def list_items(self, node: Node) -> list[Node] | None:
        if (node, RDF.first, None) not in self.g:
            return None
        return list(Collection(self.g, node))

    def value(self, term: Node) -> str:
        if isinstance(term, URIRef) and str(term).startswith(_SHAPES_NAMESPACE):
            return f'<a href="#{_e(shape_fragment(term))}"><code>{_e(_shape_name(term))}</code></a>'
        items = self.list_items(term) if isinstance(term, BNode) else None
        if items is not None:
            return "( " + " ".join(self.value(item) for item in items) + " )"
        return super().value(term)

    def path(self, path: Node) -> str:
        """A SHACL property path in SPARQL notation (``^p``, ``p/q``, ``p|q``, ``p*``)."""
        if isinstance(path, URIRef):
            return self.link.iri(str(path))
        items = self.list_items(path)
        if items is not None:
            return " / ".join(self.path(item) for item in items)
        for predicate, pattern in (
            (SH.inversePath, "^{}"), (SH.zeroOrMorePath, "({})*"), (SH.oneOrMorePath, "({})+"), (SH.zeroOrOnePath, "({})?")
        ):
            inner = self.g.value(path, predicate)
            if inner is not None:
                return pattern.format(self.path(inner))
        alternatives = self.g.value(path, SH.alternativePath)
        if alternatives is not None:
            return "(" + " | ".join(self.path(item) for item in Collection(self.g, alternatives)) + ")"
        return self.value(path)

    def text(self, node: Node, predicate: URIRef) -> str:
        return " ".join(_e(v) for v in _sorted_values(self.g.objects(node, predicate)))

    def constraints(self, node: Node) -> list[tuple[str, str]]:
        """(parameter, value) pairs for every constraint on ``node``, known ones first."""
        present = {p for p in self.g.predicates(node, None) if p not in _DESCRIPTIVE}
        ordered = [p for p in _PROPERTY_ORDER if p in present]
        ordered += sorted(present - set(ordered), key=str)
        return [(f"<code>{_e(Linker.curie(str(p)) if not str(p).startswith(_SHAPES_NAMESPACE) else _shape_name(p))}</code>", self.values(node, p, ", ")) for p in ordered]

    def notes(self, node: Node) -> str:
        """The message a contributor sees, and the severity where it is not a violation."""
        parts = []
        if (node, SH.message, None) in self.g:
            parts.append(f'<span class="message">{self.text(node, SH.message)}</span>')
        severity = self.g.value(node, SH.severity)
        if severity is not None and severity != SH.Violation:
            parts.append(f"<strong>{_e(severity.rsplit('#', 1)[-1].lower())}</strong>")
        return "<br>".join(parts)

    def sort_key(self, node: Node) -> tuple[str, str, str]:
        """Property shapes by sh:order, then path, then name or content: stable for blank nodes."""
        order = self.g.value(node, SH.order)
        path = self.g.value(node, SH.path)
        rank = f"{float(order):020.6f}" if isinstance(order, Literal) else "~"
        name = _shape_name(node) if isinstance(node, URIRef) else super().value(node)
        return (rank, self.path(path) if path is not None else "", name)

    def property_row(self, prop: Node) -> str:
        path = self.g.value(prop, SH.path)
        about = " — ".join(part for part in (self.text(prop, SH.name), self.text(prop, SH.description)) if part)
        cells = "<br>".join(f"{k} {v}" for k, v in self.constraints(prop)) or '<span class="muted">none</span>'
        row_id = f' id="{_e(shape_fragment(prop))}"' if isinstance(prop, URIRef) else ""
        shape = f"<code>{_e(_shape_name(prop))}</code>" if isinstance(prop, URIRef) else ""
        return (
            f"<tr{row_id}><td>{self.path(path) if path is not None else ''}{'<br>' + about if about else ''}</td>"
            f"<td>{cells}</td><td>{self.notes(prop)}</td><td>{shape}</td></tr>"
        )

    def node_shape(self, shape: URIRef, *, with_targets: bool) -> str:
        """A node shape's own constraints, its nested property shapes and SPARQL constraints."""
        rows: list[tuple[str, str]] = []
        for label, predicate in (("Label", RDFS.label), ("Comment", RDFS.comment), ("Name", SH.name), ("Description", SH.description)):
            if (shape, predicate, None) in self.g:
                rows.append((label, self.text(shape, predicate)))
        if with_targets:
            for target in _TARGETS:
                for value in sorted(self.g.objects(shape, target), key=str):
                    select = self.g.value(value, SH.select) if isinstance(value, BNode) else None
                    shown = f"<pre><code>{_e(_dedent(str(select)))}</code></pre>" if select is not None else self.value(value)
                    rows.append((f"<code>{_e(Linker.curie(str(target)))}</code>", shown))
        if (shape, SH.closed, None) in self.g:
            ignored = self.g.value(shape, SH.ignoredProperties)
            rows.append(("<code>sh:closed</code>", self.values(shape, SH.closed) + (f" (ignoring {self.value(ignored)})" if ignored is not None else "")))
        rows += self.constraints(shape)
        if (shape, SH.message, None) in self.g or self.g.value(shape, SH.severity) not in (None, SH.Violation):
            rows.append(("Message", self.notes(shape)))
        parts = [
            f'<div class="item" id="{_e(shape_fragment(shape))}"><h4><code>{_e(_shape_name(shape))}</code></h4>',
            _meta(rows),
        ]
        nested = sorted(self.g.objects(shape, SH.property), key=self.sort_key)
        if nested:
            parts.append(_PROPERTY_TABLE + "".join(self.property_row(p) for p in nested) + "</tbody></table>")
        for sparql in sorted(self.g.objects(shape, SH.sparql), key=lambda n: self.text(n, SH.message)):
            select = self.g.value(sparql, SH.select)
            parts.append(f'<p>SPARQL constraint: <span class="message">{self.text(sparql, SH.message)}</span></p>')
            if select is not None:
                parts.append(f"<pre><code>{_e(_dedent(str(select)))}</code></pre>")
        parts.append("</div>")
        return "\n".join(parts)


_PROPERTY_TABLE = "<table><thead><tr><th>Path</th><th>Constraints</th><th>Message</th><th>Shape</th></tr></thead><tbody>"


def _dedent(text: str) -> str:
    lines = [line.rstrip() for line in text.strip("\n").splitlines()]
    indent = min((len(line) - len(line.lstrip()) for line in lines if line.strip()), default=0)
    return "\n".join(line[indent:] for line in lines)


def shapes_page(shapes: Graph, link: Linker, *, version: str) -> str:
    """The shapes, grouped by the class they target: per class, its node shapes and a table of
    the constraints on each property; shapes selected otherwise (SPARQL targets, subjects or
    objects of a property, given nodes) follow, each with its targets."""
    writer = _ShapeWriter(shapes, link)
    header = next(iter(sorted(s for s in shapes.subjects(RDF.type, OWL.Ontology) if isinstance(s, URIRef))), None)
    title = str(shapes.value(header, DCTERMS.title)) if header is not None and shapes.value(header, DCTERMS.title) else "normgraph shapes"
    description = str(shapes.value(header, DCTERMS.description) or "") if header is not None else ""
    ordered = named_shapes(shapes)
    by_class: dict[Node, list[URIRef]] = {}
    others: list[URIRef] = []
    for shape in ordered:
        classes = list(shapes.objects(shape, SH.targetClass))
        for cls in classes:
            by_class.setdefault(cls, []).append(shape)
        if not classes:
            others.append(shape)
    classes = sorted(by_class, key=lambda c: (Linker.curie(str(c)), str(c)))

    body = [f"<h1>{_e(title)}</h1>", f'<p class="muted">normgraph {_e(version)} · {len(ordered)} shapes · <a href="index.html">all documentation</a></p>']
    if description:
        body.append(f"<p>{_e(description)}</p>")
    body.append(
        "<p>Shapes are grouped by the class whose instances they check; each row gives a property "
        "path, its constraints and the message a contributor sees when one is broken. Terms link "
        "to the ontology and vocabulary pages.</p>"
    )
    if not ordered:
        body.append("<p>This release has no shapes.</p>")
        return _page(f"{title} — normgraph {version}", "\n".join(body))
    body.append('<nav class="toc"><h2>Contents</h2><ul>')
    body.extend(f'<li><a href="#{_e("class-" + fragment(str(c)))}">{_e(Linker.curie(str(c)))}</a> ({len(by_class[c])})</li>' for c in classes)
    if others:
        body.append(f'<li><a href="#other-shapes">Other targets</a> ({len(others)})</li>')
    body.append("</ul></nav>")
    body.append("<h2>Shapes by target class</h2>")
    for cls in classes:
        members = by_class[cls]
        properties = sorted((s for s in members if (s, SH.path, None) in shapes), key=writer.sort_key)
        nodes = [s for s in members if (s, SH.path, None) not in shapes]
        body.append(f'<section class="item" id="{_e("class-" + fragment(str(cls)))}"><h3>{link.iri(str(cls))}</h3>')
        body.extend(writer.node_shape(s, with_targets=False) for s in nodes)
        if properties:
            body.append(_PROPERTY_TABLE + "".join(writer.property_row(p) for p in properties) + "</tbody></table>")
        body.append("</section>")
    if others:
        body.append('<h2 id="other-shapes">Other targets</h2>')
        body.extend(writer.node_shape(s, with_targets=True) for s in others)
    return _page(f"{title} — normgraph {version}", "\n".join(body))


# --------------------------------------------------------------------------------------------
# The documentation folder
# --------------------------------------------------------------------------------------------


def _human_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    value = size / 1024
    for unit in ("KiB", "MiB"):
        if value < 1024:
            return f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GiB"


@dataclass(frozen=True)
class DocFigure:
    """A figure the documentation shows: its file (relative to the docs folder), title, caption."""

    path: str
    title: str
    caption: str


#: The figures a release's documentation shows: (figure name, parameters, file name).
RELEASE_FIGURES = (
    ("overlaps", {"state": "state:RUS"}, "overlaps-RUS.svg"),
    ("timeline", {"entity": "org-id:sco"}, "timeline-sco.svg"),
    ("network", {}, "network.svg"),
)


def release_figures(folder: Path, graph: Graph) -> list[DocFigure]:
    """Draw :data:`RELEASE_FIGURES` from ``graph`` into ``folder``/figures; a figure whose data
    the graph does not hold (no memberships, Russia a member of nothing) is left out."""
    from .figures import FIGURES, save_figure  # noqa: PLC0415 - matplotlib only when publishing
    from .memberships import membership_records, source_names  # noqa: PLC0415

    records = membership_records(graph)
    if not records:
        return []
    sources = "; ".join(source_names(graph, records))
    drawn = []
    for name, params, file_name in RELEASE_FIGURES:
        try:
            save_figure(graph, name, folder / "figures" / file_name, params)
        except NormgraphError:
            continue
        spec = FIGURES[name]
        shown = " ".join(f"--param {k}={v}" for k, v in params.items())
        drawn.append(
            DocFigure(
                f"figures/{file_name}",
                spec.summary[0].upper() + spec.summary[1:],
                f"Drawn from the membership claims; sources: {_e(sources)}. Redraw with "
                f"<code>normgraph figure {name} {shown} --out FILE.svg</code>.".replace("  ", " "),
            )
        )
    return drawn


_LOADING = """
<h2 id="load">Loading it into a triple store</h2>
<p>Every dump holds the same graph (ontology, vocabularies and data); any SPARQL 1.1 store reads them:</p>
<pre>oxigraph load --location store --file normgraph-{v}.nt          # Oxigraph
tdb2.tdbloader --loc DB normgraph-{v}.nt                        # Apache Jena TDB2
curl -X PUT -H 'Content-Type: text/turtle' --data-binary @normgraph-{v}.ttl \\
     'http://localhost:3030/normgraph/data?default'             # any Graph Store Protocol endpoint
python -c "import rdflib; g = rdflib.Graph().parse('normgraph-{v}.ttl'); print(len(g))"</pre>
<h2 id="query">Querying it</h2>
<p>With the <code>normgraph</code> command, stored questions answer by name
(<code>normgraph queries</code> lists them) with labels, one row per fact and its claims:</p>
<pre>normgraph query organisation-members --param organisation=org-id:sco --param date=2010
normgraph search "collective security"          # find an identifier
normgraph describe org-id:csto                  # everything about one entity, with its claims
normgraph query state-membership-history --param state=state:RUS --format csv</pre>
<p>In any store, in SPARQL: every fact is a node that claims support, each claim with its source and quoted words:</p>
<pre>PREFIX ng:  &lt;https://w3id.org/normgraph/ontology#&gt;
PREFIX org: &lt;http://www.w3.org/ns/org#&gt;
PREFIX dcterms: &lt;http://purl.org/dc/terms/&gt;
SELECT ?member ?role ?start ?claim ?source WHERE {{
  ?m org:organization &lt;https://w3id.org/normgraph/id/org/sco&gt; ;
     org:member ?member ; org:role ?role .
  OPTIONAL {{ ?m ng:startDate ?start }}
  ?claim ng:supports ?m ; dcterms:source ?source .
}}</pre>
<p>A date the sources do not give is absent, never guessed: queries that ask about a time should
say what they do with undated facts (normgraph's stored queries keep them, marked "date not stated").</p>
""".strip()


def _holdings_section(holdings: Holdings) -> str:
    def names(pairs: tuple[tuple[str, str], ...]) -> str:
        return ", ".join(f'<a href="{_e(iri)}">{_e(name)}</a>' for iri, name in pairs)

    facts = "".join(f"<li>{count} {_e(words)}</li>" for words, count in holdings.facts)
    return (
        '<h2 id="holdings">What the graph holds</h2>'
        f"<p>{len(holdings.organisations)} organisations, {len(holdings.states)} states, "
        f"{len(holdings.sources)} source texts and {holdings.claims} claims. Every fact below is "
        "supported by at least one claim, which names who asserts it and quotes the source's words "
        "with their character offsets.</p>"
        f"<ul>{facts}</ul>"
        f"<p><strong>Sources:</strong> {names(holdings.sources)}.</p>"
        f"<p><strong>Organisations:</strong> {names(holdings.organisations)}.</p>"
        f"<p><strong>States:</strong> {names(holdings.states)}.</p>"
    )


def index_page(
    info: ReleaseInfo,
    ontology: Graph,
    vocabs: list[Vocabulary],
    shapes: int,
    downloads: list[Distribution],
    holdings: Holdings | None = None,
    figures: Iterable[DocFigure] = (),
) -> str:
    """The start page: what the release is and holds, how to load and query it, its figures,
    its documentation pages and its files."""
    classes = sum(1 for s in set(ontology.subjects(RDF.type, OWL.Class)) if isinstance(s, URIRef))
    properties = len({s for t in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty) for s in ontology.subjects(RDF.type, t) if isinstance(s, URIRef)})
    rows = [
        ("Version", f"{_e(info.version)} (<code>{_e(info.version_iri)}</code>)"),
        ("Issued", _e(info.issued.isoformat())),
        ("Modified", _e(info.modified.isoformat())),
        ("Licence", f'<a href="{_e(info.license)}">{_e(info.license)}</a>'),
    ]
    if info.prior_version:
        rows.append(("Previous version", _e(info.prior_version)))
    if info.rights:
        rows.append(("Rights", _e(info.rights)))
    body = [f"<h1>normgraph {_e(info.version)}</h1>", f"<p><strong>{_e(DATASET_TITLE)}.</strong> {_e(DATASET_DESCRIPTION)}</p>", _meta(rows)]
    if holdings is not None:
        body.append(_holdings_section(holdings))
    body.append(_LOADING.format(v=_e(info.version)))
    figures = list(figures)
    if figures:
        body.append('<h2 id="figures">Figures</h2>')
        for figure in figures:
            body.append(
                f'<figure><img src="{_e(figure.path)}" alt="{_e(figure.title)}" style="max-width:100%">'
                f"<figcaption><strong>{_e(figure.title)}.</strong> {figure.caption}</figcaption></figure>"
            )
    body.append("<h2>Documentation</h2><ul>")
    body.append(f'<li><a href="ontology.html">{_e(info.title)}</a> — {classes} classes, {properties} properties</li>')
    for vocab in vocabs:
        body.append(f'<li><a href="{_e(vocab.page)}">{_e(vocab.title)}</a> — {len(vocab.concepts())} concepts</li>')
    body.append(f'<li><a href="shapes.html">SHACL shapes</a> — {shapes} shapes</li></ul>')
    if downloads:
        body.append("<h2>Files</h2><table><thead><tr><th>File</th><th>Contents</th><th>Size</th><th>SHA-256</th></tr></thead><tbody>")
        for dist in downloads:
            body.append(
                f'<tr><td><a href="../{_e(dist.name)}">{_e(dist.name)}</a></td><td>{_e(dist.title)}</td>'
                f"<td>{_e(_human_size(dist.size))}</td><td><code>{_e(dist.sha256)}</code></td></tr>"
            )
        body.append("</tbody></table>")
    body.append(
        '<p>The release is described in <a href="../void.ttl">void.ttl</a> (VoID and DCAT: counts, '
        'partitions, distributions and checksums); <a href="../SHA256SUMS">SHA256SUMS</a> lists the '
        "checksum of every file.</p>"
    )
    return _page(f"normgraph {info.version}: documentation", "\n".join(body))


def readable_names(graph: Graph) -> dict[str, str]:
    """A name for each IRI of ``graph`` that has one: the English (or untagged) skos:prefLabel,
    else rdfs:label, else dcterms:title; the first in code-point order where there are several."""
    best: dict[str, tuple[int, str]] = {}
    for rank, predicate in enumerate((SKOS.prefLabel, RDFS.label, DCTERMS.title)):
        for subject, value in graph.subject_objects(predicate):
            if not isinstance(subject, URIRef) or (isinstance(value, Literal) and value.language not in (None, "en")):
                continue
            candidate = (rank, str(value))
            if candidate < best.get(str(subject), (99, "")):
                best[str(subject)] = candidate
    return {iri: name for iri, (_, name) in best.items()}


def write_documentation(
    folder: Path,
    *,
    info: ReleaseInfo,
    ontology_files: list[tuple[Path, Graph]],
    shapes: Graph,
    labels: Graph,
    downloads: list[Distribution],
    progress: Callable[[str], None] = lambda _: None,
) -> list[Path]:
    """Write the documentation into ``folder``; return the files written, sorted.

    ``ontology_files`` are (path, graph) pairs, the ontology first and then the vocabularies (as
    :meth:`normgraph.layout.Layout.ontology_files` orders them); ``labels`` is the graph to take
    readable names from for IRIs the documentation refers to but does not document (the release
    graph).
    """
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def save(name: str, text: str) -> None:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)

    (ontology_path, ontology), *rest = ontology_files
    vocabs = vocabularies(rest)
    progress("ontology.html")
    page, fids = ontology_page(ontology, str(ontology_path))
    anchors = {iri: f"ontology.html#{fid}" for iri, fid in fids.items()}
    for vocab in vocabs:
        anchors.setdefault(str(vocab.scheme), vocab.page)
        for concept in vocab.concepts():
            anchors.setdefault(str(concept), f"{vocab.page}#{fragment(str(concept))}")
    link = Linker(anchors, readable_names(labels))
    save("ontology.html", page)
    for vocab in vocabs:
        progress(vocab.page)
        save(vocab.page, vocabulary_page(vocab, link, version=info.version))
    progress("shapes.html")
    save("shapes.html", shapes_page(shapes, link, version=info.version))
    progress("figures/")
    figures = release_figures(folder, labels)
    written.extend(folder / figure.path for figure in figures)
    summary = holdings(labels)
    save("index.html", index_page(info, ontology, vocabs, len(named_shapes(shapes)), downloads, summary, figures))
    return sorted(written)
