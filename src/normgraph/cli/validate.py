"""``normgraph validate`` and ``normgraph add``: check data against the shapes, and merge a
contribution that passes.

Exit codes: 0 conforms (warnings allowed) or added, 1 violations (``add`` writes nothing),
2 unusable input (syntax error, unreadable, oversized or wrongly formatted file), reported with
file, line and column.

The validation machinery (pySHACL, the engine, the parsers) is imported inside the handlers:
a report served from the cache loads none of it and parses no file.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from ..bounds import describe_bounds
from ..layout import locate
from ..progress import progress
from ..reporting import VALIDATION_ENGINES, cache_key, cached_report, render_json, render_text, render_turtle, store_report
from ..texts import source_texts

REPORT_FORMATS = ("text", "json", "turtle")


def register(subparsers: argparse._SubParsersAction) -> None:
    validate = subparsers.add_parser(
        "validate",
        help="check data/ (or contributed files) against the SHACL shapes",
        description="Validate data/ against the SHACL shapes in shapes/, or validate FILEs as a "
        "contribution: merged with the ontology, the vocabularies and the existing data, reporting "
        "only the problems the contribution causes. Every evidence anchor it touches is checked "
        "against its registered source text (quote at its offsets, prefix, suffix, SHA-256). "
        "Results are grouped by the node they concern, "
        "each with the file and line where that node is written, what is wrong and how to fix it. "
        "Exits 0 when nothing is a violation (warnings are allowed), 1 on violations, 2 when an "
        "input cannot be used.",
        epilog="Reports of unchanged inputs are served from a cache ($NORMGRAPH_CACHE_DIR, else "
        "~/.cache/normgraph). Bounds, the same for every command: " + describe_bounds() + ".",
    )
    validate.add_argument("files", nargs="*", metavar="FILE", type=Path, help="Turtle (.ttl) or N-Triples (.nt) files to check as a contribution")
    validate.add_argument("--format", choices=REPORT_FORMATS, default="text", help="text for people (default), json for machines, turtle for the SHACL report graph")
    validate.add_argument(
        "--engine",
        choices=VALIDATION_ENGINES,
        default="normgraph",
        help="normgraph (default): core shapes in pySHACL, SPARQL-based shapes on Oxigraph; pyshacl: every shape through plain pySHACL, slow, the reference the default is tested against",
    )
    validate.add_argument("--no-cache", action="store_true", help="validate even if a report for these exact inputs is cached")
    _text_options(validate)
    _quiet_option(validate)
    validate.set_defaults(handler=run_validate)

    add = subparsers.add_parser(
        "add",
        help="validate contributed files and merge them into data/",
        description="Validate FILEs as a contribution and, if no violation is found, merge the "
        "statements data/ does not already hold into data/contributed/NAME.ttl (one file per "
        "contributed file, written sorted with fixed prefixes; hand-written data files are never "
        "touched), and copy the texts given with --text into texts/. In a git work tree new files "
        "are recorded with `git add --intent-to-add`, so `git diff` shows the whole contribution. "
        "All or nothing: on a violation or any error nothing is written. Adding the same file again "
        "changes nothing.",
    )
    add.add_argument("files", nargs="+", metavar="FILE", type=Path, help="Turtle (.ttl) or N-Triples (.nt) files to add")
    _text_options(add)
    _quiet_option(add)
    add.set_defaults(handler=run_add)


def _text_options(parser: argparse.ArgumentParser) -> None:
    """Where the source texts that evidence anchors quote are found (see normgraph.texts)."""
    parser.add_argument(
        "--sources",
        metavar="DIR",
        help="folder of registered source texts (default: $NORMGRAPH_SOURCES, else ../shared/seeds beside the tree); the tree's texts/ is always searched",
    )
    parser.add_argument(
        "--text",
        action="append",
        default=[],
        type=Path,
        metavar="FILE",
        help="the text of a new source the contribution cites (its SHA-256 must be the source's ng:sha256); add copies it into texts/. Repeatable",
    )


def _quiet_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quiet", action="store_true", help="show no progress on a terminal (none is shown when standard error is not one)")


def _render(data: dict, fmt: str, checked: str) -> str:
    if fmt == "json":
        return render_json(data)
    if fmt == "turtle":
        return render_turtle(data)
    return render_text(data, checked=checked)


def _checked(files: list[Path]) -> str:
    return ", ".join(str(f) for f in files) if files else "data/"


def _quiet_rdflib() -> None:
    """rdflib logs a warning for each IRI it considers invalid; normgraph reports those itself,
    with file and line, so the warning would only repeat it without saying where."""
    logging.getLogger("rdflib.term").setLevel(logging.ERROR)


def run_validate(args: argparse.Namespace) -> int:
    _quiet_rdflib()
    layout = locate(args.root)
    files: list[Path] = args.files
    texts = source_texts(layout, args.sources, args.text)
    key = None if args.no_cache else cache_key(layout, [*files, *texts.files()], args.engine)
    data = cached_report(key) if key else None
    if data is None:
        from ..validate import validate_tree  # noqa: PLC0415 - heavy; see module docstring
        from ..validation_report import report_data

        with progress(f"validating {_checked(files)}", quiet=args.quiet):
            data = report_data(validate_tree(layout, files, engine=args.engine, texts=texts))
        if key:
            store_report(key, data)
    sys.stdout.write(_render(data, args.format, _checked(files)))
    return 0 if data["conforms"] else 1


def run_add(args: argparse.Namespace) -> int:
    from ..contribute import add  # noqa: PLC0415 - heavy; see module docstring
    from ..validation_report import report_data  # noqa: PLC0415

    _quiet_rdflib()
    layout = locate(args.root)
    files: list[Path] = args.files
    with progress(f"validating {_checked(files)}", quiet=args.quiet):
        outcome = add(layout, files, texts=source_texts(layout, args.sources, args.text))
    data = report_data(outcome.report)
    if outcome.refused:
        sys.stdout.write(render_text(data, checked=_checked(files)))
        print(f"normgraph add: refused: {data['violations']} violation(s); nothing was written to data/", file=sys.stderr)
        return 1
    if data["results"]:
        sys.stdout.write(render_text(data, checked=_checked(files)))
    if not outcome.written and not outcome.texts:
        print(f"nothing to add: data/ already holds every statement of {_checked(files)}")
        return 0
    for target in outcome.written:
        where = target.path.relative_to(layout.root)
        print(f"added {target.new} statement{'s' if target.new != 1 else ''} to {where} (from {', '.join(p.name for p in target.sources)})")
    for change in outcome.texts:
        print(f"registered the text {change.path.relative_to(layout.root)}")
    if outcome.tracked:
        print("review it with `git diff`: new files are recorded with `git add --intent-to-add`")
    return 0
