"""The `debrief` command line: argument parsing and dispatch to the commands."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bot import content_commands, run_commands, score_command
from bot.settings import Settings


def build_parser() -> argparse.ArgumentParser:
    """The parser for every `debrief` subcommand."""
    parser = argparse.ArgumentParser(prog="debrief", description="Interview coaching for PM and PgM loops.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    content_commands.add_parser(commands)
    score_command.add_parser(commands)
    run_commands.add_parsers(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `debrief` console script."""
    args = build_parser().parse_args(argv)
    settings = Settings()
    try:
        return int(args.run(args, settings))
    except KeyboardInterrupt:
        return 130


def entry() -> None:
    """Console-script wrapper that exits with main()'s status."""
    sys.exit(main())
