"""Errors that the command line turns into a clear message and an exit code, never a traceback."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class NormgraphError(Exception):
    """Base class: something the user can act on. ``exit_code`` is what the CLI returns."""

    exit_code = 2


@dataclass
class InputError(NormgraphError):
    """Unusable input: unreadable, oversized, wrong format or syntactically invalid.

    Carries the file and, where known, the 1-based line and column so a contributor can go
    straight to the problem.
    """

    path: Path | str
    message: str
    line: int | None = None
    column: int | None = None

    exit_code = 2

    def location(self) -> str:
        where = str(self.path)
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where

    def __str__(self) -> str:
        return f"{self.location()}: {self.message}"


class UsageError(NormgraphError):
    """The command was asked for something it cannot do (unknown query name, bad parameter)."""

    exit_code = 2
