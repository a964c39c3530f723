"""``normgraph bump-version`` and ``normgraph version-check``: move and verify the release version."""

from __future__ import annotations

import argparse
from datetime import date

from ..errors import UsageError
from ..layout import locate


def register(subparsers: argparse._SubParsersAction) -> None:
    bump = subparsers.add_parser(
        "bump-version",
        help="move the version everywhere it is stated (ontology, vocabularies, shapes, pyproject.toml, CHANGELOG.md)",
        description="Set the ontology's owl:versionIRI and owl:versionInfo to NEW, its "
        "owl:priorVersion to the current version, its dcterms:issued and dcterms:modified to the "
        "date; set the owl:versionInfo of each vocabulary and of the shapes header, and "
        "pyproject.toml's version, to NEW; and turn "
        "the '## [Unreleased]' notes of CHANGELOG.md into the '## [NEW] - DATE' section. Only those "
        "lines change. Refuses a NEW that is not greater than the current version, and a tree whose "
        "version statements already disagree.",
    )
    bump.add_argument("new", metavar="NEW", help="the new version, MAJOR.MINOR.PATCH")
    bump.add_argument("--date", metavar="YYYY-MM-DD", help="the release date (default: today)")
    bump.set_defaults(handler=run_bump)

    check = subparsers.add_parser(
        "version-check",
        help="check that every statement of the version agrees",
        description="Compare the ontology's owl:versionInfo, owl:versionIRI and owl:priorVersion, "
        "its dates, the owl:versionInfo of each vocabulary and of the shapes header, "
        "pyproject.toml's version and CHANGELOG.md's sections; print the version, or every "
        "disagreement and exit 1.",
    )
    check.set_defaults(handler=run_check)


def run_bump(args: argparse.Namespace) -> int:
    from ..version import bump_version, parse_version

    parse_version(args.new)
    try:
        on = date.fromisoformat(args.date) if args.date else date.today()
    except ValueError:
        raise UsageError(f"--date {args.date!r} is not a date of the form YYYY-MM-DD") from None
    layout = locate(args.root)
    changed = bump_version(layout, args.new, on)
    for path, note in changed.items():
        print(f"{path.relative_to(layout.root)}: {note}")
    print(f"version {args.new}: check the notes under '## [{args.new}]' in CHANGELOG.md (the former Unreleased notes), then run normgraph publish")
    return 0


def run_check(args: argparse.Namespace) -> int:
    from ..version import read_versions, version_problems

    found = read_versions(locate(args.root))
    problems = version_problems(found)
    for problem in problems:
        print(problem)
    if problems:
        return 1
    print(f"version {found.version}: ontology, vocabularies, shapes, pyproject.toml and CHANGELOG.md agree")
    return 0
