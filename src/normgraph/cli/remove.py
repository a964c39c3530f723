"""``normgraph remove``: take a contribution back."""

from __future__ import annotations

import argparse

from ..layout import locate


def register(subparsers: argparse._SubParsersAction) -> None:
    remove = subparsers.add_parser(
        "remove",
        help="take a contribution back: a contributed file, or the statements about given IRIs",
        description="Delete contributed files from data/contributed/ (named by their path there or by "
        "the name of the file that was added), or, with --iri, the statements about those IRIs from "
        "the contributed files. Refused (exit 1, nothing changed) while anything left in data/ refers "
        "to an IRI that would no longer be described; each such statement is listed with its file "
        "and line. IRIs described in hand-written files are refused: they were not contributed. "
        "All or nothing, like add.",
    )
    remove.add_argument("files", nargs="*", metavar="FILE", help="contributed files to delete (data/contributed/NAME.ttl, or NAME.ttl as added)")
    remove.add_argument("--iri", action="append", default=[], metavar="IRI", help="remove the statements about IRI (full, or prefixed as in the data: claim:...). Repeatable")
    remove.set_defaults(handler=run_remove)


def run_remove(args: argparse.Namespace) -> int:
    from ..contribute import remove  # noqa: PLC0415 - loads rdflib

    layout = locate(args.root)
    removal = remove(layout, files=args.files, iris=args.iri)
    for change in removal.changes:
        verb = "deleted" if change.body is None else "rewrote"
        print(f"{verb} {change.path.relative_to(layout.root.resolve())}")
    print(f"removed {removal.removed} statement{'s' if removal.removed != 1 else ''}")
    return 0
