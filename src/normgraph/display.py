"""Terms as people read them in messages and reports: ``org-id:sco``, ``"text"@en``.

Validation results, hints and command output all name terms the same way, through
:data:`NAMES`, with normgraph's prefixes plus those of the shapes (``ngsh:``) and rules (``rule:``).
"""

from __future__ import annotations

from rdflib import Literal, URIRef
from rdflib.namespace import SH, XSD, Namespace
from rdflib.term import Node

from .namespaces import PREFIXES, PrefixedNames
from .rules import RULE

NGSH = Namespace("https://w3id.org/normgraph/shapes#")
#: Prefixes for showing terms in messages and reports: normgraph's, plus the shapes' and rules'.
DISPLAY_PREFIXES = {**PREFIXES, "sh": str(SH), "ngsh": str(NGSH), "rule": str(RULE)}


class Names:
    """Shows IRIs as prefixed names where a prefix fits (``org-id:sco``), literals as in Turtle."""

    def __init__(self, prefixes: dict[str, str] = DISPLAY_PREFIXES):
        self._names = PrefixedNames(prefixes, turtle=True)

    def iri(self, iri: str) -> str:
        name = self._names.name(iri)
        # A bare namespace is shown as a full IRI.
        return name if name is not None and not name.endswith(":") else f"<{iri}>"

    def term(self, term: Node | None) -> str:
        if term is None:
            return ""
        if isinstance(term, URIRef):
            return self.iri(str(term))
        if isinstance(term, Literal):
            text = '"' + str(term).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
            if term.language:
                return f"{text}@{term.language}"
            if term.datatype is not None and term.datatype != XSD.string:
                return f"{text}^^{self.iri(str(term.datatype))}"
            return text
        return f"_:{term}"


NAMES = Names()
