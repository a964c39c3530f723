"""Evidence anchors: find a quote in a source text, and check that every anchor still resolves.

An anchor is a W3C Web Annotation ``oa:SpecificResource`` on a source text, with two selectors
that must agree: an ``oa:TextQuoteSelector`` (the exact words, with a little context either side)
and an ``oa:TextPositionSelector`` (0-based offsets, in code points, into the file decoded as
UTF-8). The quote keeps the anchor readable; the offsets make it unambiguous.

:func:`anchor_results` is the one check that anchors hold in their source texts (located by
:mod:`normgraph.texts`); ``validate``, ``add``, ``check``, the publish gate and
``verify-evidence`` all call it, and it reports in the validation result type. The length of a
quote is not checked here: that editorial rule (a warning) is a shape in ``shapes/``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import Node

from .display import NAMES, NGSH
from .graph_view import GraphLike
from .errors import InputError, UsageError
from .namespaces import ID, NG, OA, bind_prefixes
from .shacl_paths import PathExpr, SequencePath
from .texts import SourceTexts
from .validation_report import Result

#: Characters of context kept either side of a quote (oa:prefix / oa:suffix).
CONTEXT_CHARS = 32
#: Quotes are evidence, not copies of the text: at most this many words, and never a whole sentence.
MAX_QUOTE_WORDS = 25

# A sentence ends at . ? or !, possibly followed by a closing quote and a footnote marker (a
# number, or a number in brackets); a footnote's own text starts after a line holding its number.
_SENTENCE_END = re.compile(r"(?:[.?!][\"”’]?(?:\d+|\[\d+\])?|\n\s*\d+)$")
_ENDS_AT_SENTENCE_END = re.compile(r"^[\"”’]?(?:\d+|\[\d+\])?[.?!]")


def read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise InputError(path, f"cannot read source text: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise InputError(path, "source text is not valid UTF-8") from None


def whole_sentence(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is an entire sentence (with or without its full stop).

    Evidence quotes a phrase, never a whole sentence of the source. A quote is whole when it
    starts a sentence (at the start of the text or after a sentence end) and runs to the end of
    that sentence.
    """
    quote = text[start:end].strip()
    if not quote or not quote[0].isupper():
        return False
    before = text[:start].rstrip()
    starts = not before or bool(_SENTENCE_END.search(before))
    ends = quote[-1] in ".?!" or bool(_ENDS_AT_SENTENCE_END.match(text[end:]))
    return starts and ends


def _loose_pattern(words: str) -> re.Pattern[str]:
    """A pattern for ``words`` in which any run of whitespace matches any run of whitespace,
    so a quote typed on one line finds a passage the text breaks across lines."""
    parts = [re.escape(part) for part in words.split()]
    return re.compile(r"\s+".join(parts))


@dataclass(frozen=True)
class Anchor:
    """A quote located in a source text."""

    source: URIRef
    text_file: Path
    start: int
    end: int
    exact: str
    prefix: str
    suffix: str

    @property
    def iri(self) -> URIRef:
        return URIRef(f"{ID}evidence/{self.source.rsplit('/', 1)[-1]}/{self.start}-{self.end}")

    def to_graph(self) -> Graph:
        graph = bind_prefixes(Graph())
        resource = self.iri
        quote = URIRef(f"{resource}/quote")
        position = URIRef(f"{resource}/position")
        graph.add((resource, RDF.type, OA.SpecificResource))
        graph.add((resource, OA.hasSource, self.source))
        graph.add((resource, OA.hasSelector, quote))
        graph.add((resource, OA.hasSelector, position))
        graph.add((quote, RDF.type, OA.TextQuoteSelector))
        graph.add((quote, OA.exact, Literal(self.exact)))
        graph.add((quote, OA.prefix, Literal(self.prefix)))
        graph.add((quote, OA.suffix, Literal(self.suffix)))
        graph.add((position, RDF.type, OA.TextPositionSelector))
        graph.add((position, OA.start, Literal(self.start, datatype=XSD.nonNegativeInteger)))
        graph.add((position, OA.end, Literal(self.end, datatype=XSD.nonNegativeInteger)))
        return graph


def source_for_file(data: Graph, text_file: Path) -> URIRef:
    """The source IRI that ``data`` gives the file (by name), else one minted from the name."""
    for subject in data.subjects(NG.fileName, Literal(text_file.name)):
        if isinstance(subject, URIRef):
            return subject
    slug = re.sub(r"[^a-z0-9]+", "-", text_file.stem.lower()).strip("-")
    return URIRef(f"{ID}source/{slug}")


def locate_quote(text_file: Path, quote: str, *, prefix: str | None = None, source: URIRef | None = None) -> Anchor:
    """Find ``quote`` once in ``text_file``; refuse a quote that is absent, ambiguous or too long."""
    words = quote.split()
    if not words:
        raise UsageError("the quote is empty")
    if len(words) > MAX_QUOTE_WORDS:
        raise UsageError(f"the quote has {len(words)} words; keep evidence to at most {MAX_QUOTE_WORDS} words")
    text = read_text(text_file)
    pattern = _loose_pattern(quote)
    matches = list(pattern.finditer(text))
    if prefix:
        before = _loose_pattern(prefix)
        matches = [m for m in matches if before.search(text[max(0, m.start() - len(prefix) * 2 - 20) : m.start()])]
    if not matches:
        hint = " after the given prefix" if prefix else ""
        raise UsageError(f"the quote does not occur in {text_file.name}{hint}; copy it exactly (curly quotes and dashes matter)")
    if len(matches) > 1:
        offsets = ", ".join(str(m.start()) for m in matches[:10])
        raise UsageError(
            f"the quote occurs {len(matches)} times in {text_file.name} (at offsets {offsets}); "
            "give --prefix with words that come just before the one you mean"
        )
    match = matches[0]
    start, end = match.start(), match.end()
    if whole_sentence(text, start, end):
        raise UsageError("the quote is a whole sentence of the source; quote only the words that show the fact")
    return Anchor(
        source=source if source is not None else URIRef(f"{ID}source/{text_file.stem}"),
        text_file=text_file,
        start=start,
        end=end,
        exact=text[start:end],
        prefix=text[max(0, start - CONTEXT_CHARS) : start],
        suffix=text[end : end + CONTEXT_CHARS],
    )


#: The rule every evidence anchor is checked against, as it appears in validation reports.
ANCHOR_COMPONENT = NGSH.EvidenceAnchorConstraintComponent
ANCHOR_RULE = NGSH.EvidenceAnchor
_RE_ANCHOR = "re-anchor it: run `normgraph anchor SOURCE_FILE \"exact words\"` and paste the Turtle it prints"


def _one(graph: GraphLike, subject: Node, predicate: URIRef) -> Node | None:
    values = list(graph.objects(subject, predicate))
    return values[0] if len(values) == 1 else None


def _selectors(graph: GraphLike, resource: Node) -> tuple[Node | None, Node | None]:
    """The anchor's quote selector and position selector (None where missing)."""
    quote = position = None
    for selector in graph.objects(resource, OA.hasSelector):
        if (selector, RDF.type, OA.TextQuoteSelector) in graph:
            quote = selector
        elif (selector, RDF.type, OA.TextPositionSelector) in graph:
            position = selector
    return quote, position


def anchored_resources(graph: GraphLike, focus: Iterable[Node] | None = None) -> list[Node]:
    """The evidence anchors to check: all of them, or those ``focus`` touches (the anchor
    itself, one of its selectors, its source, or a claim citing it), in a stable order."""
    resources = set(graph.subjects(RDF.type, OA.SpecificResource))
    if focus is not None:
        touched: set[Node] = set()
        for node in focus:
            touched.add(node)
            for predicate in (OA.hasSelector, OA.hasSource):
                touched.update(graph.subjects(predicate, node))
            touched.update(graph.objects(node, NG.hasEvidence))
        resources &= touched
    return sorted(resources, key=str)


def anchor_results(graph: GraphLike, texts: SourceTexts, focus: Iterable[Node] | None = None) -> list[Result]:
    """Check evidence anchors against their source texts: every anchor in ``graph``, or those
    ``focus`` touches (a contribution's nodes, see :func:`anchored_resources`).

    An anchor holds when its source is a registered text (``ng:fileName`` and ``ng:sha256``)
    whose file is found (:class:`~normgraph.texts.SourceTexts`) with that digest, the quote
    equals the text at its offsets, the prefix and suffix surround it, and it is not a whole
    sentence. Each failure is one Violation on the anchor, saying what to do. This is the only
    place anchors are checked: every gate calls it.
    """
    results: list[Result] = []
    for resource in anchored_resources(graph, focus):
        problem = _check_anchor(graph, texts, resource)
        if problem is not None:
            message, path, value = problem
            results.append(Result(resource, SH.Violation, ANCHOR_COMPONENT, ANCHOR_RULE, message, path=path, value=value))
    return results


_EXACT = SequencePath((OA.hasSelector, OA.exact))
_PREFIX = SequencePath((OA.hasSelector, OA.prefix))
_SUFFIX = SequencePath((OA.hasSelector, OA.suffix))
_START = SequencePath((OA.hasSelector, OA.start))


def _check_anchor(graph: GraphLike, texts: SourceTexts, resource: Node) -> tuple[str, PathExpr, Node | None] | None:
    """What is wrong with one anchor: (message, path, value), or None when it holds."""
    source = _one(graph, resource, OA.hasSource)
    if source is None:
        return "An evidence anchor names exactly one source text (oa:hasSource); " + _RE_ANCHOR + ".", OA.hasSource, None
    name, digest = _one(graph, source, NG.fileName), _one(graph, source, NG.sha256)
    if name is None or digest is None or (source, RDF.type, NG.SourceText) not in graph:
        return (
            f"The anchor's source {NAMES.term(source)} is not a registered text: an ng:SourceText needs one ng:fileName "
            "and one ng:sha256 (the digest of the file's bytes), and a new source brings its text along "
            "(`normgraph add FILE --text SOURCE_TEXT`).",
            OA.hasSource,
            source,
        )
    found = texts.find(str(name), str(digest))
    if found.text is None:
        return f"This anchor cannot be checked against {NAMES.term(source)}: {found.problem}.", OA.hasSource, source
    text = found.text
    quote, position = _selectors(graph, resource)
    if quote is None or position is None:
        return "An anchor needs both an oa:TextQuoteSelector and an oa:TextPositionSelector; " + _RE_ANCHOR + ".", OA.hasSelector, None
    exact, start, end = _one(graph, quote, OA.exact), _one(graph, position, OA.start), _one(graph, position, OA.end)
    if exact is None or start is None or end is None:
        return "The selectors need one oa:exact, one oa:start and one oa:end; " + _RE_ANCHOR + ".", OA.hasSelector, None
    try:
        begin, finish = int(start), int(end)
    except ValueError:
        return "oa:start and oa:end are character offsets, whole numbers; " + _RE_ANCHOR + ".", _START, start
    if not 0 <= begin < finish <= len(text):
        return (
            f"The offsets {begin}-{finish} lie outside {found.path.name} ({len(text)} characters) or enclose nothing; " + _RE_ANCHOR + ".",
            _START,
            start,
        )
    at = text[begin:finish]
    if at != str(exact):
        return (
            f"The quote is not what {found.path.name} says at {begin}-{finish}: the text there is {at!r}. "
            "Quote only words the source contains, and " + _RE_ANCHOR + ".",
            _EXACT,
            exact,
        )
    prefix, suffix = _one(graph, quote, OA.prefix), _one(graph, quote, OA.suffix)
    if prefix is not None and not text[:begin].endswith(str(prefix)):
        before = text[max(0, begin - len(str(prefix))) : begin]
        return f"oa:prefix is not the text just before the quote in {found.path.name}, which is {before!r}; " + _RE_ANCHOR + ".", _PREFIX, prefix
    if suffix is not None and not text[finish:].startswith(str(suffix)):
        after = text[finish : finish + len(str(suffix))]
        return f"oa:suffix is not the text just after the quote in {found.path.name}, which is {after!r}; " + _RE_ANCHOR + ".", _SUFFIX, suffix
    if whole_sentence(text, begin, finish):
        return "The quote is a whole sentence of the source: quote only the words that show the fact, and " + _RE_ANCHOR + ".", _EXACT, exact
    return None
