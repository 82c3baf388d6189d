"""`debrief content check|list|show`: inspect and validate question banks."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bot.app.settings import Settings
from content.loader import Bank, check_bank
from content.schema import Question


def add_parser(commands: Any) -> None:
    """Register `content` and its subcommands."""
    parser = commands.add_parser("content", help="check, list and show questions")
    sub = parser.add_subparsers(dest="content_command", required=True, metavar="ACTION")

    check = sub.add_parser("check", help="validate the bank (and an extra directory)")
    check.add_argument("path", nargs="?", type=Path, help="an extra content directory to check with the bank")
    check.set_defaults(run=run_check)

    listing = sub.add_parser("list", help="list questions")
    listing.add_argument("--category", metavar="CATEGORY", help="only this category's questions")
    listing.add_argument("--json", action="store_true", help="print a JSON array")
    listing.set_defaults(run=run_list)

    show = sub.add_parser("show", help="show one question with its rubric")
    show.add_argument("id")
    show.set_defaults(run=run_show)


def run_check(args: argparse.Namespace, settings: Settings) -> int:
    """Validate; print one line per problem and exit non-zero when there are any."""
    dirs = [args.path] if args.path else settings.content_dirs
    bank, problems = check_bank(dirs)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems or bank is None:
        print(f"{len(problems)} problem(s) found", file=sys.stderr)
        return 1
    counts = {c: len(bank.in_category(c)) for c in bank.categories}
    print(f"ok: {len(bank.questions)} questions, {len(bank.rubrics)} rubrics, {len(bank.rounds)} rounds")
    for category, count in counts.items():
        print(f"  {category:<18} {count}")
    return 0


def run_list(args: argparse.Namespace, settings: Settings) -> int:
    """List questions as a table or a JSON array."""
    bank = _load_or_report(settings)
    if bank is None:
        return 1
    if args.category and args.category not in bank.categories:
        print(f"unknown category '{args.category}' (one of: {', '.join(bank.categories)})", file=sys.stderr)
        return 2
    questions = [q for q in bank.questions.values() if not args.category or q.category == args.category]
    if args.json:
        print(json.dumps([question_summary(q) for q in questions], indent=2))
        return 0
    for q in questions:
        print(f"{q.id:<10} {q.category:<17} d{q.difficulty}  {_shorten(q.text, 80)}")
    return 0


def run_show(args: argparse.Namespace, settings: Settings) -> int:
    """Show one question, what a strong answer covers, its probes and rubric criteria."""
    bank = _load_or_report(settings)
    if bank is None:
        return 1
    if args.id not in bank.questions:
        print(f"unknown question id '{args.id}' (try `debrief content list`)", file=sys.stderr)
        return 2
    q = bank.question(args.id)
    rubric = bank.rubric_for(q)
    round_ = bank.rounds[q.round]
    lines = [
        f"{q.id}  [{q.category}, {round_.name} round ({round_.minutes} min), difficulty {q.difficulty}]",
        "",
        q.text,
        "",
        "A strong answer covers:",
        *(f"  - {e.point}" for e in q.covers),
        "Follow-up probes:",
        *(f"  - {p.text}" for p in q.follow_ups),
        f"Rubric: {rubric.name}",
        *(f"  - {c.name} ({c.weight:.0%}): {c.description}" for c in rubric.criteria),
        f"Tags: {', '.join(q.tags)}",
    ]
    print("\n".join(lines))
    return 0


def question_summary(q: Question) -> dict[str, Any]:
    """The JSON form of a question used by `content list --json`."""
    return {
        "id": q.id,
        "category": q.category,
        "round": q.round,
        "difficulty": q.difficulty,
        "text": q.text,
        "rubric": q.rubric,
        "follow_ups": [p.text for p in q.follow_ups],
        "covers": [e.point for e in q.covers],
        "tags": list(q.tags),
    }


def _load_or_report(settings: Settings) -> Bank | None:
    bank, problems = check_bank(settings.content_dirs)
    for problem in problems:
        print(problem, file=sys.stderr)
    return bank


def _shorten(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"
