"""Evidence anchors: find a quote in a source text, and check that every anchor still resolves.

An anchor is a W3C Web Annotation ``oa:SpecificResource`` on a source text, with two selectors
that must agree: an ``oa:TextQuoteSelector`` (the exact words, with a little context either side)
and an ``oa:TextPositionSelector`` (0-based offsets, in code points, into the file decoded as
UTF-8). The quote keeps the anchor readable; the offsets make it unambiguous.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from .errors import InputError, UsageError
from .namespaces import ID, NG, OA, bind_prefixes

#: Characters of context kept either side of a quote (oa:prefix / oa:suffix).
CONTEXT_CHARS = 32
#: Quotes are evidence, not copies of the text: at most this many words, and never a whole sentence.
MAX_QUOTE_WORDS = 25

# A sentence ends at . ? or !, possibly followed by a closing quote and a footnote marker (a
# number, or a number in brackets); a footnote's own text starts after a line holding its number.
_SENTENCE_END = re.compile(r"(?:[.?!][\"”’]?(?:\d+|\[\d+\])?|\n\s*\d+)$")
_ENDS_AT_SENTENCE_END = re.compile(r"^[\"”’]?(?:\d+|\[\d+\])?[.?!]")


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


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


@dataclass(frozen=True)
class Failure:
    """One evidence anchor that does not resolve, and the claims or citations that rely on it."""

    resource: str
    users: tuple[str, ...]
    problem: str

    def __str__(self) -> str:
        users = ", ".join(self.users) if self.users else "(no claim uses it)"
        return f"{self.resource} [{users}]: {self.problem}"


@dataclass
class VerifyReport:
    checked: int
    failures: list[Failure]
    sources: dict[str, str]

    @property
    def ok(self) -> bool:
        return not self.failures


def _one(graph: Graph, subject, predicate):
    values = list(graph.objects(subject, predicate))
    return values[0] if len(values) == 1 else None


def verify(data: Graph, sources_dir: Path) -> VerifyReport:
    """Check every anchor in ``data`` against the source texts in ``sources_dir``.

    A source's file must exist and match its recorded SHA-256; each anchor's quote must equal the
    text at its offsets, and its prefix and suffix the text around them.
    """
    texts: dict[URIRef, str | None] = {}
    source_status: dict[str, str] = {}
    for source in sorted(set(data.subjects(NG.fileName, None))):
        name = str(_one(data, source, NG.fileName))
        expected = _one(data, source, NG.sha256)
        path = sources_dir / name
        if not path.is_file():
            source_status[str(source)] = f"missing file {path}"
            texts[source] = None
            continue
        digest = sha256_file(path)
        if expected is not None and str(expected) != digest:
            source_status[str(source)] = f"SHA-256 mismatch for {name}: recorded {expected}, file has {digest}"
            texts[source] = None
            continue
        source_status[str(source)] = "ok"
        texts[source] = read_text(path)

    failures: list[Failure] = []
    resources = sorted(set(data.subjects(RDF.type, OA.SpecificResource)))
    for resource in resources:
        users = tuple(sorted(str(s) for s in data.subjects(NG.hasEvidence, resource)))

        def fail(problem: str, resource=resource, users=users) -> None:
            failures.append(Failure(str(resource), users, problem))

        source = _one(data, resource, OA.hasSource)
        if source is None:
            fail("no single oa:hasSource")
            continue
        if source not in texts:
            fail(f"source {source} has no ng:fileName in the data")
            continue
        text = texts[source]
        if text is None:
            fail(source_status[str(source)])
            continue
        quote = position = None
        for selector in data.objects(resource, OA.hasSelector):
            if (selector, RDF.type, OA.TextQuoteSelector) in data:
                quote = selector
            elif (selector, RDF.type, OA.TextPositionSelector) in data:
                position = selector
        if quote is None or position is None:
            fail("needs both a TextQuoteSelector and a TextPositionSelector")
            continue
        exact = _one(data, quote, OA.exact)
        start = _one(data, position, OA.start)
        end = _one(data, position, OA.end)
        if exact is None or start is None or end is None:
            fail("selector lacks oa:exact, oa:start or oa:end")
            continue
        try:
            begin, finish = int(start), int(end)
        except ValueError:
            fail("oa:start / oa:end are not integers")
            continue
        if not 0 <= begin < finish <= len(text):
            fail(f"offsets {begin}-{finish} are outside the text (length {len(text)}) or empty")
            continue
        found = text[begin:finish]
        if found != str(exact):
            fail(f"quote {str(exact)!r} does not match the text at {begin}-{finish}: {found!r}")
            continue
        if len(found.split()) > MAX_QUOTE_WORDS:
            fail(f"quote has {len(found.split())} words; evidence quotes at most {MAX_QUOTE_WORDS}")
            continue
        if whole_sentence(text, begin, finish):
            fail("quote is a whole sentence of the source; quote only the words that show the fact")
            continue
        prefix = _one(data, quote, OA.prefix)
        if prefix is not None and not text[:begin].endswith(str(prefix)):
            fail(f"oa:prefix {str(prefix)!r} does not precede the quote")
            continue
        suffix = _one(data, quote, OA.suffix)
        if suffix is not None and not text[finish:].startswith(str(suffix)):
            fail(f"oa:suffix {str(suffix)!r} does not follow the quote")
    return VerifyReport(checked=len(resources), failures=failures, sources=source_status)
