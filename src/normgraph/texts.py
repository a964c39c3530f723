"""Where the source texts that evidence anchors quote are found.

A source text is registered in the data as an ``ng:SourceText`` with an ``ng:fileName`` and the
``ng:sha256`` of the file's bytes. The file itself is looked up, by that name, in:

1. the texts given for this run (``--text FILE``: a contribution that cites a new source brings
   its text along; such a file is matched by its SHA-256, whatever it is called);
2. the tree's own ``texts/`` folder, where ``normgraph add --text`` registers new texts, tracked
   with the data;
3. the seeds folder: ``--sources DIR``, else ``$NORMGRAPH_SOURCES``, else ``../shared/seeds``
   beside the tree (:meth:`normgraph.layout.Layout.default_sources_dir`).

A file is only used when its SHA-256 is the one the data records: offsets mean nothing in any
other version of the text. This module reads and hashes files only; it loads no RDF library, so
the report cache can fingerprint the texts cheaply.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError, UsageError
from .layout import Layout

#: The folder of a tree that holds the texts contributions registered.
TEXTS = "texts"
#: The variable naming the seeds folder when ``--sources`` is not given.
SOURCES_VARIABLE = "NORMGRAPH_SOURCES"


def bare_name(name: str) -> bool:
    """Whether ``name`` is a file name and nothing more: no folder, no parent, not hidden. A
    contribution's ``ng:fileName`` is untrusted; as a path it could reach any file."""
    return bool(name) and Path(name).name == name and not name.startswith(".") and "\\" not in name and "\x00" not in name


def sha256_file(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        raise InputError(path, f"cannot read source text: {exc.strerror}") from None


@dataclass(frozen=True)
class FoundText:
    """The outcome of looking a registered text up: its path and content, or why not."""

    path: Path | None
    text: str | None
    problem: str | None


@dataclass
class SourceTexts:
    """The places texts are looked up (see the module documentation), in order. Each file is
    read and hashed once per run."""

    folders: tuple[Path, ...]
    given: tuple[Path, ...] = ()
    _found: dict[tuple[str, str], FoundText] = field(default_factory=dict, repr=False)

    def where(self) -> str:
        """The places looked in, for messages."""
        places = [str(p) for p in self.given] + [str(p) for p in self.folders]
        return ", ".join(places) if places else "nowhere (no texts/ folder and no seeds folder)"

    def files(self) -> list[Path]:
        """Every file that could be looked up: what a cached report depends on."""
        found = list(self.given)
        for folder in self.folders:
            if folder.is_dir():
                found.extend(sorted(p for p in folder.iterdir() if p.is_file()))
        return found

    def find(self, name: str, sha256: str) -> FoundText:
        """The text registered as ``name`` with digest ``sha256``."""
        key = (name, sha256)
        if key not in self._found:
            self._found[key] = self._look_up(name, sha256)
        return self._found[key]

    def _look_up(self, name: str, sha256: str) -> FoundText:
        if not bare_name(name):
            return FoundText(None, None, f"ng:fileName {name!r} is not a bare file name (no folders, not hidden); name the file only")
        candidates = [p for p in self.given if sha256_file(p) == sha256]
        candidates += [folder / name for folder in self.folders if (folder / name).is_file()]
        if not candidates:
            return FoundText(
                None,
                None,
                f"the text {name!r} is not in {self.where()}: pass --sources DIR with the folder that holds it, "
                "or, for a new source, --text FILE with its text",
            )
        for path in candidates:
            if sha256_file(path) == sha256:
                try:
                    return FoundText(path, path.read_bytes().decode("utf-8"), None)
                except UnicodeDecodeError:
                    return FoundText(path, None, f"the text {path} is not valid UTF-8; offsets count code points of UTF-8 text")
        first = candidates[0]
        return FoundText(
            first,
            None,
            f"{first} has SHA-256 {sha256_file(first)}, not the {sha256} the source records: it is another "
            "version of the text, and offsets into it mean nothing; use the registered file, or for a new "
            "source record the digest of its text (sha256sum prints it)",
        )


def sources_dir(layout: Layout, option: str | None = None) -> Path | None:
    """The seeds folder: ``option`` (``--sources``), else $NORMGRAPH_SOURCES, else the seeds
    beside the tree. A folder named explicitly must exist."""
    named = option or os.environ.get(SOURCES_VARIABLE)
    if named:
        path = Path(named)
        if not path.is_dir():
            how = "--sources" if option else f"${SOURCES_VARIABLE}"
            raise UsageError(f"{how} names {path}, which is not a folder")
        return path
    return layout.default_sources_dir()


def source_texts(layout: Layout, sources: str | None = None, given: Sequence[Path] = ()) -> SourceTexts:
    """Where ``layout``'s texts are looked up, with ``given`` texts brought by a contribution."""
    for path in given:
        if not Path(path).is_file():
            raise UsageError(f"no such text file: {path}")
    seeds = sources_dir(layout, sources)
    folders = (layout.root / TEXTS, *(() if seeds is None else (seeds,)))
    return SourceTexts(folders=folders, given=tuple(Path(p) for p in given))
