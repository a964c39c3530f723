"""``normgraph publish``: build a validated, deterministic release into a folder."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..layout import locate
from ..progress import progress


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "publish",
        help="build a release: Turtle, N-Triples and JSON-LD dumps, void.ttl, SHA256SUMS and HTML docs",
        description="Validate the tree (version agreement, every rule that check runs, OWL-RL consistency) "
        "and, only if it passes, build the release OUT/normgraph-VERSION: the ontology, vocabularies "
        "and data as Turtle, sorted N-Triples and JSON-LD; the ontology and the shapes on their own; "
        "a VoID/DCAT description (void.ttl) with counts, sizes and checksums; SHA256SUMS; and HTML "
        "documentation in docs/. The same inputs always give the same bytes. The release is built "
        "in a temporary folder and moved into place when complete; an existing release of the same "
        "version is left alone if identical and refused if not (unless --replace).",
    )
    parser.add_argument("--out", required=True, metavar="DIR", help="folder to hold the release (created if missing)")
    parser.add_argument(
        "--inferred",
        action="store_true",
        help="also publish the OWL-RL entailments, as separate normgraph-inferred-VERSION files",
    )
    parser.add_argument(
        "--replace",
        action="store_true",
        help="overwrite a different release of the same version already in DIR (normally refused)",
    )
    parser.add_argument(
        "--release-url",
        metavar="URL",
        help="where releases are published, with {version} for the version (default: the project's w3id.org release address)",
    )
    parser.add_argument(
        "--allow-dirty",
        action="store_true",
        help="build even though data/ has uncommitted changes (normally refused, so that a release matches a commit)",
    )
    parser.add_argument("--quiet", action="store_true", help="show no progress on a terminal, only the result")
    parser.set_defaults(handler=run)


def _size(size: int) -> str:
    return f"{size:>12,}"


def run(args: argparse.Namespace) -> int:
    from ..publish import committed_data, publish
    from ..void import RELEASE_URL

    layout = locate(args.root)
    warning = committed_data(layout, allow_dirty=args.allow_dirty)
    if warning:
        print(f"normgraph publish: warning: {warning}", file=sys.stderr)

    with progress("loading the tree", quiet=args.quiet) as step:
        release = publish(
            layout,
            Path(args.out),
            inferred=args.inferred,
            replace=args.replace,
            release_url=args.release_url or RELEASE_URL,
            progress=step,
        )
    verb = {
        "built": "built",
        "replaced": "rebuilt (replacing the previous build)",
        "unchanged": "already present and byte-identical; left untouched",
    }[release.status]
    print(f"normgraph {release.version}: {verb}: {release.folder}")
    print(f"{release.triples} triples in the main dump")
    width = max(len(f.name) for f in release.files)
    for item in release.files:
        print(f"  {item.name:<{width}} {_size(item.size)} bytes  sha256:{item.sha256[:16]}")
    return 0
