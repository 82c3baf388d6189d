"""Forget-me: a deletion of everything debrief keeps about a member, asked for by the member (or by an admin, for a
member who left), confirmed by whoever asked and nobody else, and reported as counts."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, fields

from bot.identities import Member
from bot.replies import Button, Command, Kind, Reply, line, say, text
from bot.store.member_data import FORGET_REQUEST_SECONDS, Footprint, MemberDataStore, outbox_platform

FORGET_BUTTON = "forget-me:"


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
        return any(getattr(self, f.name) for f in fields(self))

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


def button_confirmation(action_id: str) -> tuple[str, ...] | None:
    """The command words a forget-me button stands for (`confirm` and its nonce), or None for other buttons."""
    if not action_id.startswith(FORGET_BUTTON):
        return None
    return ("confirm", action_id.removeprefix(FORGET_BUTTON))


def forget_button(nonce: str) -> Button:
    """The button that confirms one forget-me request (its nonce), for the member who asked."""
    return Button("Delete everything", f"{FORGET_BUTTON}{nonce}")


class ForgetMe:
    """Forget-me requests, their confirmation, and the deletion itself."""

    def __init__(self, store: MemberDataStore) -> None:
        self.store = store

    async def ask_to_forget(self, requester: Member, target: Member) -> Reply:
        """Say what would be deleted and ask for the confirmation only the requester can give; nothing is deleted
        yet. A member nobody knows here gets a clear reply and no request."""
        yourself = target.user_id == requester.user_id
        found = await self.store.footprints(target, personal_too=yourself)
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
            buttons=(forget_button(nonce),),
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
        for found in await self.store.footprints(member, personal_too=personal_too):
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
        stay = "stays" if erased.reviews_anonymised == 1 else "stay"
        body.append(text(f"{_count(erased.reviews_anonymised, 'review')} {wrote} wrote {stay}, without a name."))
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
    totals = {f.name: getattr(a, f.name) + getattr(b, f.name) for f in fields(Erased) if f.name != "streak"}
    return Erased(**totals, streak=a.streak or b.streak)
