"""The `debrief` command line: argument parsing, settings, and dispatch to the commands."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version

from bot.app import content_commands, health, run, score_command
from bot.app.embedded_redis import EmbeddedRedisError
from bot.app.settings import SettingError, load_settings
from content.loader import ContentError

SIGPIPE_STATUS = 141


def package_version() -> str:
    """The installed debrief version."""
    try:
        return version("debrief")
    except PackageNotFoundError:
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    """The parser for every `debrief` subcommand."""
    parser = argparse.ArgumentParser(prog="debrief", description="Interview coaching for PM and PgM loops.")
    parser.add_argument("--version", action="version", version=f"debrief {package_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    content_commands.add_parser(commands)
    score_command.add_parser(commands)
    run.add_parsers(commands)
    health.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `debrief` console script: one line and a non-zero status for every known failure."""
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        return int(args.run(args, settings))
    except SettingError as exc:
        print(exc, file=sys.stderr)
        return 2
    except (EmbeddedRedisError, ContentError) as exc:
        print(exc, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def entry() -> None:
    """Console-script wrapper that exits with main()'s status (quietly when the reader of stdout went away)."""
    try:
        status = main()
        sys.stdout.flush()
    except BrokenPipeError:
        # `debrief content list | head`: the reader is gone; say nothing more on a pipe nobody reads.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        status = SIGPIPE_STATUS
    sys.exit(status)
