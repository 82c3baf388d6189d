"""Fuzzing the real Discord bot (discord.py over the fake gateway and REST API) with hostile member input:
`/debrief` subcommands and options, thread answers and edits, and review modal submissions.

For every example: the gateway stays up, no exception in the log, nothing sent that pings or renders a link
from member text, every message, embed, modal and thread name within Discord's limits and shaped as Discord's
OpenAPI description says. One bot runs for all the examples of a test; each example uses a fresh member.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import assume, event, given
from hypothesis import strategies as st
from redis.asyncio import Redis

from tests.bot.scenario import GOOD_ANSWER
from tests.handlers.discord.fake_discord import BuiltInteraction, Call
from tests.handlers.discord.harness import DiscordHarness, F, running_discord
from tests.handlers.discord.test_discord_review import form_button, open_form, show_task
from tests.handlers.fuzz import fuzz_settings
from tests.handlers.fuzz.payloads import discord_call_problems, log_problems
from tests.handlers.fuzz.strategies import answer_text, discord_command, discord_scores, display_name, review_comment

_ids = itertools.count(1)
NASTY_NAME = "Eve @everyone <@&1180000000000000021> [x](https://evil.example)"


def fresh_member(harness: DiscordHarness, name: str) -> int:
    """A new member of the guild whose display name is `name`."""
    uid = 1190000000000000000 + next(_ids)
    harness.fake.users[uid] = harness.fake._user(uid, f"fuzz{uid % 100000}", name or None)
    return uid


@pytest.fixture
async def discord(monkeypatch: pytest.MonkeyPatch, redis_url: str, redis: Redis) -> AsyncIterator[DiscordHarness]:
    async with running_discord(monkeypatch, redis_url, redis) as harness:
        harness.fake.users[F.ADMIN_ID]["global_name"] = NASTY_NAME
        yield harness


@dataclass
class Example:
    """What one example made the bot do: the REST calls it sent and the records it logged."""

    harness: DiscordHarness
    caplog: pytest.LogCaptureFixture
    first_call: int = 0
    first_log: int = 0
    extra: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.first_call = len(self.harness.fake.calls)
        self.first_log = len(self.caplog.records)

    def calls(self) -> list[Call]:
        return self.harness.fake.calls[self.first_call :]

    def problems(self) -> list[str]:
        found = list(self.extra)
        for call in self.calls():
            found += discord_call_problems(call.method, call.path, call.json)
            if call.status >= 500:
                found.append(f"{call.method} {call.path}: the fake answered {call.status}")
        return found + log_problems(self.caplog.records[self.first_log :])

    async def settle(self, quiet: float = 0.08, timeout: float = 10.0) -> None:
        """Wait for the bot's first call of this example, then until it has sent nothing new for `quiet` seconds
        (its work for this example is done)."""
        loop = asyncio.get_running_loop()
        deadline, seen, since = loop.time() + timeout, -1, loop.time()
        while not self.calls() and loop.time() < deadline:
            await asyncio.sleep(0.01)
        while loop.time() < deadline:
            now = len(self.harness.fake.calls)
            if now != seen:
                seen, since = now, loop.time()
            elif loop.time() - since >= quiet:
                return
            await asyncio.sleep(0.01)

    def check(self) -> None:
        bot = self.harness.bot
        assert bot.ws is not None and bot.ws.open and not bot.is_closed(), "the gateway connection went down"
        problems = self.problems()
        assert not problems, "\n".join(problems)


async def interact(example: Example, built: BuiltInteraction) -> Call:
    """Dispatch an interaction and return the bot's answer: a modal, a message, or the followup to a deferral."""
    fake = example.harness.fake
    await fake.dispatch_interaction(built)
    (callback,) = await fake.wait_for("POST", built.callback_path, timeout=10)
    if callback.json["type"] == 5:  # deferred: the real answer is the followup
        return (await fake.wait_for("POST", built.followup_path, timeout=10))[0]
    return callback


def said(call: Call) -> str:
    body = call.json if call.json.get("type") is None else call.json.get("data") or {}
    return str(body.get("content") or "") + " " + str(body.get("embeds") or body.get("title") or "")


# ---- /debrief subcommands and their options -----------------------------------------------------------


@fuzz_settings(40)
@given(command=discord_command(), who=st.sampled_from(("admin", "member", "fresh")))
async def test_fuzz_commands(
    discord: DiscordHarness, caplog: pytest.LogCaptureFixture, command: tuple[str, dict[str, object]], who: str
) -> None:
    example = Example(discord, caplog)
    user = {"admin": F.ADMIN_ID, "member": F.MEMBER_ID}.get(who) or fresh_member(discord, "Mallory @here")
    name, options = command
    answer = await interact(example, discord.fake.command_interaction(user, name, options))
    event(f"/{name}: " + said(answer)[:24])
    await example.settle()
    example.check()


# ---- thread answers, edits and replies -----------------------------------------------------------------


@pytest.fixture
async def thread_id(discord: DiscordHarness) -> int:
    return await discord.post_today()


@fuzz_settings(30)
@given(
    name=display_name(80),
    first=answer_text,
    second=st.one_of(st.none(), st.tuples(st.sampled_from(("reply", "edit")), answer_text)),
)
async def test_fuzz_thread_answers(
    discord: DiscordHarness,
    thread_id: int,
    caplog: pytest.LogCaptureFixture,
    name: str,
    first: str,
    second: tuple[str, str] | None,
) -> None:
    assume(second is None or second[1] != first)
    example = Example(discord, caplog)
    user = fresh_member(discord, name)
    message = await discord.say(thread_id, user, first[:4000])  # Discord's longest message (Nitro)
    if second is not None:
        kind, text = second
        if kind == "reply":
            await discord.say(thread_id, user, text[:4000])
        else:
            edited = dict(message, content=text[:4000], edited_timestamp="2026-12-01T10:00:00+00:00")
            await discord.fake.dispatch("MESSAGE_UPDATE", edited)
    await example.settle()
    assert example.calls(), "the bot did not react to the answer at all"
    event(f"answer sent {min(len(example.calls()), 5)} calls")
    example.check()


# ---- review modal submissions ----------------------------------------------------------------------------


@dataclass
class ReviewDesk:
    """Two answers to today's question, the review task shown to members, and the number of criteria."""

    shown: dict[str, Any]
    criteria: int
    reviewed: set[int] = field(default_factory=set)


@pytest.fixture
async def desk(discord: DiscordHarness) -> ReviewDesk:
    thread = await discord.post_today()
    await discord.say(thread, F.ADMIN_ID, GOOD_ANSWER + " <@&1180000000000000021> @everyone")
    await discord.fake.wait_for("PUT", r"/channels/\d+/messages/\d+/reactions/.+/@me")
    shown = await show_task(discord, F.MEMBER_ID)
    question = discord.app.bank.question(form_button(shown).rsplit("|", 1)[1])
    return ReviewDesk(shown, len(discord.app.bank.rubric_for(question).criteria))


@fuzz_settings(30)
@given(data=st.data(), comment=review_comment, fresh=st.booleans())
async def test_fuzz_review_submissions(
    discord: DiscordHarness,
    desk: ReviewDesk,
    caplog: pytest.LogCaptureFixture,
    data: st.DataObject,
    comment: str,
    fresh: bool,
) -> None:
    example = Example(discord, caplog)
    user = fresh_member(discord, "Rev <@1180000000000000011>") if fresh else F.ADMIN_ID  # the admin is the author
    scores = data.draw(discord_scores(desk.criteria), label="scores")
    modal = await open_form(discord, user, desk.shown)
    example.extra += discord_call_problems(modal.method, modal.path, modal.json)
    values = {"Scores 1-5 in order, e.g. 4 3 5 2 4": scores, "Why? (at least 20 characters)": comment[:1000]}
    answer = await interact(example, discord.fake.modal_submit_from(user, modal, values))
    text = said(answer)
    parts = scores.replace(",", " ").split()
    valid = (
        user != F.ADMIN_ID
        and user not in desk.reviewed
        and len(parts) == desk.criteria
        and all(p in ("1", "2", "3", "4", "5") for p in parts)
        and len(comment[:1000].strip()) >= 20
    )
    saved = "Review posted" in text
    event("review saved" if saved else "review refused")
    if saved:
        desk.reviewed.add(user)
    assert saved == valid, f"review {'saved' if saved else 'refused'} but valid={valid}: {scores!r} -> {text[:300]!r}"
    await example.settle()
    example.check()
