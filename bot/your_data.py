"""Your data: a member's export (everything debrief keeps about them, as JSON, and their answers as CSV) and
forget-me (a deletion the member, or an admin for a member who left, asks for and then confirms)."""

from __future__ import annotations

import csv
import io
import json
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.chat_port import FileToSend
from bot.clock import Clock
from bot.identities import Member, personal
from bot.replies import Button, Command, Kind, Reply, line, say, text
from bot.store.member_data import FORGET_REQUEST_SECONDS, Footprint, MemberDataStore
from bot.store.prompts import PromptStore
from content.loader import Bank

EXPORT_FORMAT = "debrief-export/1"
FORGET_BUTTON = "forget-me:"
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


@dataclass(frozen=True)
class Erased:
    """What forgetting a member deleted, and how many reviews they wrote were kept as anonymous."""

    answers: int = 0
    revisions: int = 0
    reviews_received: int = 0
    reviews_anonymised: int = 0
    streak: bool = False
    points: int = 0
    board_places: int = 0
    mock_sessions: int = 0
    mock_scores: int = 0
    mock_questions: int = 0
    kept_replies: int = 0
    notices: int = 0
    message_links: int = 0

    @property
    def anything(self) -> bool:
        """Whether there was anything to delete."""
        return any(
            (
                self.answers,
                self.revisions,
                self.reviews_received,
                self.reviews_anonymised,
                self.streak,
                self.points,
                self.board_places,
                self.mock_sessions,
                self.mock_scores,
                self.mock_questions,
                self.kept_replies,
                self.notices,
                self.message_links,
            )
        )

    def lines(self) -> list[str]:
        """What was deleted, one line per kind (kinds with nothing left out)."""
        found = [
            _count(self.answers, "answer") + (f" with {_count(self.revisions, 'revision')}" if self.revisions else ""),
            _count(self.reviews_received, "review") + " of those answers",
            "the streak" if self.streak else "",
            _count(self.points, "point"),
            _count(self.board_places, "leaderboard place"),
            _count(self.mock_sessions, "open mock interview"),
            _count(self.mock_scores, "mock round score"),
            _count(self.mock_questions, "mock question asked", "mock questions asked"),
            _count(self.kept_replies, "reply waiting to be delivered", "replies waiting to be delivered"),
            _count(self.notices, "notice"),
            _count(self.message_links, "link from a chat message to an answer", "links from chat messages to answers"),
        ]
        return [item for item in found if item and not item.startswith("0 ")]


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def outbox_platform(workspace: str) -> str | None:
    """The platform whose outbox may hold replies for this workspace's members."""
    platform = workspace.partition(":")[0]
    return platform if platform in ("slack", "discord") else None


def button_confirmation(action_id: str) -> tuple[str, ...] | None:
    """The command words a forget-me button stands for (`confirm` and its nonce), or None for other buttons."""
    if not action_id.startswith(FORGET_BUTTON):
        return None
    return ("confirm", action_id.removeprefix(FORGET_BUTTON))


class YourData:
    """Exports and forget-me requests, confirmations and deletions."""

    def __init__(self, store: MemberDataStore, prompts: PromptStore, bank: Bank, clock: Clock) -> None:
        self.store = store
        self.prompts = prompts
        self.bank = bank
        self.clock = clock

    async def _footprints(self, member: Member, *, personal_too: bool = True) -> list[Footprint]:
        """The member's workspace, and (on Discord) their personal scope, where mock interviews are kept."""
        found = [await self.store.footprint(member, outbox_platform=outbox_platform(member.workspace))]
        own = personal(member)
        if personal_too and own.workspace != member.workspace:
            found.append(await self.store.footprint(own))
        return found

    # export ---------------------------------------------------------------------------------------

    async def export(self, member: Member) -> DataExport:
        """Everything debrief keeps about the member as a JSON file, and their answers as a CSV file."""
        footprints = await self._footprints(member)
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
        headline = f"Your debrief data: {_count(count, 'answer')} with every revision and its feedback."
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
        messages = json.loads(row["messages"]) if row.get("messages") else []
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

    # forget-me ------------------------------------------------------------------------------------

    async def ask_to_forget(self, requester: Member, target: Member) -> Reply:
        """Say what would be deleted and ask for the confirmation only the requester can give; nothing is deleted
        yet. A member nobody knows here gets a clear reply and no request."""
        yourself = target.user_id == requester.user_id
        found = await self._footprints(target, personal_too=yourself)
        if all(f.empty for f in found):
            if yourself:
                return say("debrief keeps no data about you here, so there is nothing to delete.")
            return say("debrief has no data about that member here; nothing was changed.")
        nonce = secrets.token_hex(8)
        await self.store.ask_to_forget(requester, target.user_id, nonce)
        whose = "you" if yourself else "that member"
        answers = sum(len(f.answers) for f in found)
        minutes = FORGET_REQUEST_SECONDS // 60
        headline = f"Delete everything debrief keeps about {whose} here? This cannot be undone."
        return Reply(
            headline,
            title="Forget me" if yourself else "Forget a member",
            body=(
                text(
                    f"{headline} That is {_count(answers, 'answer')} with every revision, feedback and reviews, "
                    "the streak, points and leaderboard places, mock interviews, and replies waiting to be "
                    f"delivered. Reviews {whose} wrote stay, without a name.",
                ),
                text(
                    line(
                        "Press the button, or type ",
                        Command("forget-me", ("confirm",)),
                        f", within {minutes} minutes. ",
                        Command("forget-me", ("cancel",)),
                        " keeps everything.",
                    ),
                    kind=Kind.NOTE,
                ),
            ),
            buttons=(Button("Delete everything", f"{FORGET_BUTTON}{nonce}"),),
        )

    async def confirm_forget(
        self, requester: Member, nonce: str | None, is_admin: Callable[[], Awaitable[bool]]
    ) -> Reply:
        """Carry out the requester's own pending deletion (the button's, when `nonce` is given)."""
        request = await self.store.take_forget_request(requester, nonce)
        if request is None:
            return say(
                "There is no deletion of yours waiting to be confirmed (a request expires after "
                f"{FORGET_REQUEST_SECONDS // 60} minutes, and only whoever asked can confirm it). Nothing was "
                "deleted; start with ",
                Command("forget-me"),
                ".",
            )
        yourself = request.target_id == requester.user_id
        if not yourself and not await is_admin():
            return say("Only workspace admins can delete another member's data. Nothing was deleted.")
        erased = await self.forget(Member(requester.workspace, request.target_id), personal_too=yourself)
        return erased_reply(erased, yourself=yourself)

    async def cancel_forget(self, requester: Member) -> Reply:
        """Drop the requester's pending deletion."""
        if await self.store.cancel_forget_request(requester):
            return say("Cancelled. Nothing was deleted.")
        return say("There was no deletion waiting for your confirmation; nothing was changed.")

    async def forget(self, member: Member, *, personal_too: bool = True) -> Erased:
        """Delete every key and entry about the member in their workspace (and, with `personal_too`, their
        personal scope); reviews they wrote stay under an anonymous id. Running it again is harmless."""
        anonymous_id = f"former-member-{secrets.token_hex(6)}"
        platform = outbox_platform(member.workspace)
        total = Erased()
        for found in await self._footprints(member, personal_too=personal_too):
            anonymised = await self.store.erase(found, anonymous_id, outbox_platform=platform)
            total = _add(total, _erased(found, anonymised))
        return total


def erased_reply(erased: Erased, *, yourself: bool) -> Reply:
    """What forgetting deleted, as counts."""
    whose = "you" if yourself else "that member"
    if not erased.anything:
        return say(f"debrief kept no data about {whose} here; nothing needed deleting.")
    headline = f"Done: debrief deleted everything it kept about {whose} here."
    body = [text(headline), text(*erased.lines(), kind=Kind.BULLETS)]
    if erased.reviews_anonymised:
        wrote = "you" if yourself else "they"
        body.append(text(f"{_count(erased.reviews_anonymised, 'review')} {wrote} wrote stay, without a name."))
    return Reply(headline, body=tuple(body))


def _erased(found: Footprint, anonymised: int) -> Erased:
    return Erased(
        answers=len(found.answers),
        revisions=sum(len(r) for r in found.revisions.values()),
        reviews_received=sum(len(r) for r in found.reviews_received.values()),
        reviews_anonymised=anonymised,
        streak=bool(found.streak),
        points=int(found.boards.get("points", 0)),
        board_places=len(found.boards),
        mock_sessions=1 if found.mock_session else 0,
        mock_scores=sum(len(s) for s in found.mock_history.values()),
        mock_questions=len(found.mock_seen),
        kept_replies=len(found.parcels),
        notices=len(found.notices),
        message_links=found.message_links,
    )


def _add(a: Erased, b: Erased) -> Erased:
    return Erased(
        **{name: getattr(a, name) + getattr(b, name) for name in Erased.__dataclass_fields__ if name != "streak"},
        streak=a.streak or b.streak,
    )


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
