"""The bounds every input and every query is held to, each read from its environment variable here.

Trusted files (the ontology, the data) and contributed ones pass the same bounds, in every
command, so a file that one command accepts is never refused or crashed on by another. A bound
that is set to something unusable (``NORMGRAPH_MAX_BYTES=abc``) is a :class:`UsageError` naming
the variable, never a traceback.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from .errors import UsageError


@dataclass(frozen=True)
class Bound:
    """One configurable limit: the environment variable that sets it, its default and unit."""

    variable: str
    default: int | float
    what: str
    integer: bool = True

    def value(self) -> int | float:
        """The limit now in force: the variable if set (and non-blank), else the default."""
        raw = os.environ.get(self.variable)
        if raw is None or not raw.strip():
            return self.default
        try:
            value: int | float = int(raw) if self.integer else float(raw)
        except ValueError:
            kind = "a whole number" if self.integer else "a number"
            raise UsageError(f"${self.variable} must be {kind} ({self.what}), not {raw!r}") from None
        if value < 0:
            raise UsageError(f"${self.variable} must not be negative ({self.what})")
        return value


MAX_BYTES = Bound("NORMGRAPH_MAX_BYTES", 100 * 1024 * 1024, "the largest input file, in bytes")
MAX_TRIPLES = Bound("NORMGRAPH_MAX_TRIPLES", 5_000_000, "the most triples one input file may hold")
MAX_LITERAL = Bound("NORMGRAPH_MAX_LITERAL", 10_000, "the longest literal, in characters")
MAX_DEPTH = Bound("NORMGRAPH_MAX_DEPTH", 64, "how deeply [ ] and ( ) may nest in Turtle")
QUERY_TIMEOUT = Bound("NORMGRAPH_QUERY_TIMEOUT", 30.0, "the wall-clock limit of a query in seconds, 0 for none", integer=False)
MAX_ROWS = Bound("NORMGRAPH_MAX_ROWS", 10_000, "the most rows a query returns")

#: Every bound, for documentation and for checking all settings at once.
ALL = (MAX_BYTES, MAX_TRIPLES, MAX_LITERAL, MAX_DEPTH, QUERY_TIMEOUT, MAX_ROWS)


def describe_bounds() -> str:
    """One line per input bound, for command help."""
    return "; ".join(f"{b.variable} ({b.what}, default {b.default:,})" for b in ALL)
