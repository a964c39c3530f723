"""Where the ontology, data, shapes and queries live.

normgraph runs in two settings. In a checkout (or any folder that holds the tree's folders)
it works on that folder's files, so contributors see their edits at once and ``normgraph add``
can write to ``data/``. Installed elsewhere it falls back to the copy bundled inside the package,
which is read-only. ``NORMGRAPH_ROOT`` or ``--root`` picks a folder explicitly.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .errors import UsageError

_BUNDLED = Path(__file__).resolve().parent / "resources"
#: Pinned copies of the third-party vocabularies the ontology reuses (see the README there).
REUSED_VOCABULARIES_DIR = Path(__file__).resolve().parent / "reused_vocabularies"
_MARKER = Path("ontology") / "normgraph.ttl"


@dataclass(frozen=True)
class Layout:
    """The folders of one normgraph tree."""

    root: Path
    bundled: bool

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def shapes_dir(self) -> Path:
        return self.root / "shapes"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"

    @property
    def rules_dir(self) -> Path:
        """The project rules written in SPARQL (:mod:`normgraph.rules`)."""
        return self.root / "rules"

    def ontology_files(self) -> list[Path]:
        """The ontology first, then the vocabularies, in a stable order."""
        main = self.ontology_dir / "normgraph.ttl"
        rest = sorted(p for p in self.ontology_dir.glob("*.ttl") if p != main)
        return [main, *rest]

    def data_files(self) -> list[Path]:
        return sorted(self.data_dir.rglob("*.ttl"))

    def shape_files(self) -> list[Path]:
        return sorted(self.shapes_dir.rglob("*.ttl"))

    def default_sources_dir(self) -> Path | None:
        """The seeds beside a checkout (``../shared/seeds``), if they are there."""
        candidate = self.root.parent / "shared" / "seeds"
        return candidate if candidate.is_dir() else None


def reused_vocabulary_files() -> list[Path]:
    """The pinned copies of the vocabularies the ontology reuses (ORG, PROV-O, SKOS ...), in a
    stable order.

    They are the same for every tree, so they live in the package rather than in a tree: a
    scratch or bundled tree is reasoned over with exactly the same axioms, and a release, built
    from the tree's own files, never carries them.
    """
    return sorted(REUSED_VOCABULARIES_DIR.glob("*.ttl"))


def _find_tree(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        if (folder / _MARKER).is_file() and (folder / "data").is_dir():
            return folder
    return None


def locate(root: str | os.PathLike[str] | None = None) -> Layout:
    """Return the layout to work on: ``root``, else $NORMGRAPH_ROOT, else the tree around the
    current folder, else the bundled copy."""
    explicit = root or os.environ.get("NORMGRAPH_ROOT")
    if explicit:
        path = Path(explicit).resolve()
        if not (path / _MARKER).is_file():
            raise UsageError(f"{path} is not a normgraph tree: it has no {_MARKER}")
        return Layout(path, bundled=False)
    found = _find_tree(Path.cwd().resolve())
    if found is not None:
        return Layout(found, bundled=False)
    if (_BUNDLED / _MARKER).is_file():
        return Layout(_BUNDLED, bundled=True)
    raise UsageError("no normgraph tree found here and the package carries no bundled copy: run it inside a normgraph checkout, or name the tree with --root DIR or $NORMGRAPH_ROOT")
