"""The ``normgraph`` command: a thin layer over the library.

Each module in this package contributes its subcommands through ``register(subparsers)``; the
subcommand's handler receives the parsed arguments and returns the exit code. Errors the user can
act on (:class:`normgraph.errors.NormgraphError`) become one clear message and a non-zero exit,
never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from .. import __version__
from ..errors import NormgraphError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="normgraph",
        description="A linked-data knowledge graph of multinational organisations, roles, norms and sourced claims.",
        epilog="Run 'normgraph COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"normgraph {__version__}")
    parser.add_argument(
        "--root",
        metavar="DIR",
        help="the normgraph tree to work on (default: $NORMGRAPH_ROOT, the tree around the current folder, else the bundled copy)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return int(args.handler(args) or 0)
    except NormgraphError as exc:
        print(f"normgraph {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"normgraph {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
