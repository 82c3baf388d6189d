"""`debrief score`: score an answer from a file or standard input."""

from __future__ import annotations

import argparse
import codecs
import json
import sys
from pathlib import Path
from typing import Any

from bot.answers import MAX_ANSWER_CHARS
from bot.app.settings import Settings
from bot.scoring.engine import FeedbackEngine, UnknownCategory, UnknownQuestion
from bot.scoring.render_text import render_feedback
from content.loader import ContentError, load_bank

MAX_INPUT_BYTES = 1_000_000


def add_parser(commands: Any) -> None:
    """Register `score`."""
    parser = commands.add_parser("score", help="score an answer against a rubric")
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--question", metavar="ID", help="the bank question the answer is for")
    target.add_argument(
        "--question-text", metavar="TEXT", help="any other question, as asked (with --category, or it is guessed)"
    )
    parser.add_argument(
        "--category", metavar="CAT", help="score against a category's rubric (see `debrief content list`)"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("file", nargs="?", type=Path, help="the answer (default: standard input)")
    parser.set_defaults(run=run_score)


def run_score(args: argparse.Namespace, settings: Settings) -> int:
    """Read the answer, score it, print the feedback."""
    if not args.question and not args.category and not args.question_text:
        print(
            "give --question ID, --question-text TEXT or --category CAT (see `debrief content list`)", file=sys.stderr
        )
        return 2
    if args.question and args.category:
        print("--category goes with --question-text; a bank question has its own category", file=sys.stderr)
        return 2
    if args.question_text is not None and not args.question_text.strip():
        print("--question-text is empty", file=sys.stderr)
        return 2
    try:
        answer = _read(args.file)
    except (OSError, UnicodeDecodeError) as exc:
        print(f"cannot read the answer: {exc}", file=sys.stderr)
        return 2
    if not answer.strip():
        print("the answer is empty: nothing to score", file=sys.stderr)
        return 2
    if len(answer) > MAX_ANSWER_CHARS:
        print(
            f"the answer has {len(answer):,} characters; answers are limited to {MAX_ANSWER_CHARS:,}", file=sys.stderr
        )
        return 2
    try:
        engine = FeedbackEngine(load_bank(settings.content_dirs))
    except ContentError as exc:
        print(exc, file=sys.stderr)
        return 1
    category = args.category
    if args.question_text and category is None:
        category = engine.guess_category(args.question_text)
        if not args.json:
            print(f"(scored as a {category} question; pass --category to choose)", file=sys.stderr)
    try:
        feedback = engine.score(answer, question_id=args.question, question_text=args.question_text, category=category)
    except (UnknownQuestion, UnknownCategory) as exc:
        print(f"{exc.args[0]} (see `debrief content list`)", file=sys.stderr)
        return 2
    print(json.dumps(feedback.to_dict(), indent=2) if args.json else render_feedback(feedback))
    return 0


def _read(path: Path | None) -> str:
    if path is None:
        if sys.stdin.isatty():
            print("Type or paste the answer, then press Ctrl-D on a line of its own.", file=sys.stderr)
        data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
    else:
        with path.open("rb") as handle:
            data = handle.read(MAX_INPUT_BYTES + 1)
    return decoded(data[:MAX_INPUT_BYTES])


def decoded(data: bytes) -> str:
    """An answer's bytes as text: UTF-8, or UTF-16 where the bytes say so (Windows PowerShell's `>` writes it)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    return data.decode("utf-8-sig", errors="replace")
