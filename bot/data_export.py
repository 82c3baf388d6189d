"""A member's export: everything debrief keeps about them as a JSON document, and their answers as a CSV file."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.chat_port import FileToSend
from bot.clock import Clock
from bot.identities import Member
from bot.replies import Kind, Reply, text
from bot.store.answers import resolve_messages, stored_refs
from bot.store.member_data import Footprint, MemberDataStore
from bot.store.prompts import PromptStore
from content.loader import Bank

EXPORT_FORMAT = "debrief-export/1"
CSV_COLUMNS = (
    "prompt_id",
    "question_id",
    "question",
    "channel_id",
    "local_date",
    "first_answered_at",
    "revisions",
    "latest_score",
    "best_score",
    "verdict",
    "points",
    "late",
    "withdrawn",
    "answer",
)
# A spreadsheet runs a cell that starts like this as a formula; such cells are written as text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class DataExport:
    """The files of an export and the message that goes with them."""

    files: tuple[FileToSend, ...]
    reply: Reply
    answers: int


class DataExports:
    """Builds a member's export from what the database holds about them."""

    def __init__(self, store: MemberDataStore, prompts: PromptStore, bank: Bank, clock: Clock) -> None:
        self.store = store
        self.prompts = prompts
        self.bank = bank
        self.clock = clock

    async def export(self, member: Member) -> DataExport:
        """Everything debrief keeps about the member as a JSON file, and their answers as a CSV file."""
        footprints = await self.store.footprints(member)
        data = await self._document(member, footprints)
        stamp = self.clock().strftime("%Y%m%d")
        files = (
            FileToSend(
                f"debrief-data-{stamp}.json",
                json.dumps(data, ensure_ascii=False, indent=2, default=str).encode(),
                "application/json",
            ),
            FileToSend(f"debrief-answers-{stamp}.csv", _answers_csv(data["answers"]).encode(), "text/csv"),
        )
        count = len(data["answers"])
        headline = f"Your debrief data: {count} answer{'' if count == 1 else 's'} with every revision and its feedback."
        reply = Reply(
            headline,
            title="Your data",
            body=(
                text(
                    f"{files[0].filename}: everything debrief keeps about you here (answers with every revision, "
                    "feedback and scores, reviews you gave and received, streak, points, mock interviews).",
                    f"{files[1].filename}: one row per answer, for a spreadsheet.",
                    kind=Kind.BULLETS,
                ),
            ),
        )
        return DataExport(files, reply, count)

    async def _document(self, member: Member, footprints: list[Footprint]) -> dict[str, Any]:
        here = footprints[0]
        answers = [await self._answer(here, prompt_id) for prompt_id in sorted(here.answers)]
        for prompt_id in sorted(set(here.revisions) - set(here.answers)):  # revisions whose answer hash is gone
            answers.append(await self._answer(here, prompt_id))
        mock = next((f for f in reversed(footprints) if f.mock_session or f.mock_history or f.mock_seen), here)
        counted_days = sorted(a["local_date"] for a in answers if a.get("counted_for_streak") and a["local_date"])
        return {
            "format": EXPORT_FORMAT,
            "exported_at": self.clock().isoformat(),
            "member": {
                "workspace": member.workspace,
                "user_id": member.user_id,
                "display_name": here.name or member.display_name,
                "time_zone": here.timezone,
            },
            "answers": answers,
            "reviews_given": [
                {
                    "prompt_id": ref.partition("|")[0],
                    "scores": review.get("scores", {}),
                    "comment": review.get("comment", ""),
                    "at": review.get("at", ""),
                    "marked_helpful": bool(review.get("helpful")),
                }
                for ref, review in sorted(here.reviews_given.items())
            ],
            "streak": {**_numbers(here.streak), "days_counted": counted_days},
            "points": int(here.boards.get("points", 0)),
            "leaderboards": {board: int(score) for board, score in sorted(here.boards.items())},
            "mock_interviews": {
                "open_session": mock.mock_session,
                "round_scores": mock.mock_history,
                "questions_asked": mock.mock_seen,
            },
            "undelivered_notices": here.notices,
            "replies_waiting_to_be_delivered": [
                {"what": p.get("what"), "created": p.get("created"), "request": p.get("request")}
                for _, p in sorted(here.parcels.items())
            ],
        }

    async def _answer(self, here: Footprint, prompt_id: str) -> dict[str, Any]:
        row = here.answers.get(prompt_id, {})
        prompt = await self.prompts.get(here.member.workspace, prompt_id)
        question_id = row.get("question") or (prompt.question_id if prompt else "")
        question = self.bank.questions.get(question_id)
        messages = resolve_messages(stored_refs(row.get("messages")), here.revisions.get(prompt_id, []))
        return {
            "prompt_id": prompt_id,
            "question_id": question_id,
            "question": question.text if question else "",
            "channel_id": prompt.channel_id if prompt else "",
            "local_date": prompt.local_date.isoformat() if prompt else "",
            "text": "\n\n".join(str(t) for _, t in messages),
            "messages": [{"message_id": str(m), "text": str(t)} for m, t in messages],
            "first_answered_at": _iso(row.get("first_at")),
            "updated_at": _iso(row.get("updated_at")),
            "revision_count": int(row.get("revisions", 0)),
            "latest_score": float(row.get("score", 0)),
            "best_score": float(row.get("best", row.get("score", 0))),
            "verdict": row.get("verdict", ""),
            "points": int(row.get("points", 0)),
            "late": row.get("late") == "1",
            "counted_for_streak": row.get("counted") == "1",
            "withdrawn": row.get("withdrawn") == "1",
            "revisions": here.revisions.get(prompt_id, []),
            # Reviewers may be anonymous to the author, so who reviewed is left out.
            "reviews_received": [
                {
                    "scores": r.get("scores", {}),
                    "comment": r.get("comment", ""),
                    "at": r.get("at", ""),
                    "marked_helpful": bool(r.get("helpful")),
                }
                for r in here.reviews_received.get(prompt_id, [])
            ],
        }


def _numbers(row: dict[str, str]) -> dict[str, int]:
    return {k: int(v) for k, v in sorted(row.items()) if v.lstrip("-").isdigit()}


def _iso(unix: str | None) -> str:
    return datetime.fromtimestamp(int(unix), UTC).isoformat() if unix and unix.isdigit() else ""


def _cell(value: object) -> str:
    """A CSV cell that a spreadsheet shows as text, never runs as a formula."""
    out = str(value)
    return "'" + out if out.startswith(_FORMULA_START) else out


def _answers_csv(answers: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for a in answers:
        row = {
            **a,
            "first_answered_at": a["first_answered_at"],
            "revisions": a["revision_count"],
            "answer": a["text"],
        }
        writer.writerow([_cell(row.get(column, "")) for column in CSV_COLUMNS])
    return out.getvalue()
