"""``normgraph anchor`` and ``normgraph verify-evidence``: cite a passage, and check all citations."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import UsageError
from ..layout import locate


def register(subparsers: argparse._SubParsersAction) -> None:
    anchor = subparsers.add_parser(
        "anchor",
        help="print the Turtle evidence anchor for a quote found in a source text",
        description="Find an exact quote in a source text and print, in Turtle, the Web Annotation "
        "resource that anchors it: a TextQuoteSelector (quote, prefix, suffix) and a "
        "TextPositionSelector (0-based code-point offsets). Whitespace in the quote matches any "
        "whitespace in the text, so a quote may cross a line break. Refuses a quote that is absent, "
        "occurs more than once (give --prefix) or runs over 25 words.",
    )
    anchor.add_argument("source_file", metavar="SOURCE_FILE", help="the source text file")
    anchor.add_argument("quote", help="the exact words to anchor (at most 25)")
    anchor.add_argument("--prefix", help="words that come just before the quote, to pick one occurrence")
    anchor.set_defaults(handler=run_anchor)

    check = subparsers.add_parser(
        "verify-evidence",
        help="check every evidence anchor against the source texts",
        description="For every evidence anchor in the data, check that its source text is registered "
        "(ng:fileName, ng:sha256) and found with that SHA-256 (in texts/ or the seeds folder), that "
        "the quote equals the text at the recorded offsets, and that the prefix and suffix surround "
        "it: the check validate, add, check and publish run on the anchors they see. Lists each "
        "failure with its file and line; exits 1 on any.",
    )
    check.add_argument("--sources", metavar="DIR", help="folder holding the source texts (default: $NORMGRAPH_SOURCES, else ../shared/seeds beside the tree); texts/ is always searched")
    check.set_defaults(handler=run_verify)


def _data(args: argparse.Namespace):
    from ..load import parse_files

    layout = locate(args.root)
    return layout, parse_files(layout.data_files())


def run_anchor(args: argparse.Namespace) -> int:
    from ..evidence import locate_quote, source_for_file

    text_file = Path(args.source_file)
    if not text_file.is_file():
        raise UsageError(f"no such source text: {text_file}")
    _, data = _data(args)
    anchor = locate_quote(text_file, args.quote, prefix=args.prefix, source=source_for_file(data, text_file))
    print(anchor.to_graph().serialize(format="turtle"), end="")
    return 0


def run_verify(args: argparse.Namespace) -> int:
    from ..evidence import anchor_results, anchored_resources
    from ..namespaces import NG
    from ..texts import source_texts
    from ..validate import finish
    from ..validation_report import one_line

    layout, data = _data(args)
    texts = source_texts(layout, args.sources)
    for source in sorted(data.subjects(NG.fileName, None)):
        found = texts.find(str(data.value(source, NG.fileName)), str(data.value(source, NG.sha256) or ""))
        print(f"source {source}: {found.path if found.text is not None else found.problem}")
    files = layout.data_files()
    failures = finish(anchor_results(data, texts), data, files, files).results
    for result in failures:
        print(f"FAIL {one_line(result)}")
    checked = len(anchored_resources(data))
    passed = checked - len(failures)
    share = 100.0 * passed / checked if checked else 100.0
    print(f"{passed} of {checked} evidence anchors resolve ({share:.1f}%)")
    return 1 if failures else 0
