"""Fuzzing the real Slack app (signed HTTP into Bolt, the fake Web API behind it) with hostile member input:
`/debrief` texts, setup values, thread answers and review form submissions.

For every example: no 5xx, no exception in the log, nothing sent that pings or links from member text, every
Block Kit payload within Slack's limits and every Web API call shaped as Slack's method spec says. One app runs
for all the examples of a test; each example uses fresh member ids so examples do not depend on each other.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import assume, event, given
from hypothesis import strategies as st
from redis.asyncio import Redis

from bot.identities import Channel
from bot.review.peer_review import SCORES
from tests.bot.scenario import GOOD_ANSWER
from tests.handlers.fuzz import fuzz_settings
from tests.handlers.fuzz.payloads import log_problems, slack_call_problems, slack_view_response_problems
from tests.handlers.fuzz.strategies import (
    UNSET,
    answer_text,
    command_text,
    display_name,
    review_comment,
    review_scores,
    setup_text,
)
from tests.handlers.slack.fake_slack import FakeSlack, reply_message
from tests.handlers.slack.harness import SlackHarness, running_slack

ADMIN = "UADMIN"
MEMBER = "UMEMBER"
CHANNEL = Channel("slack:T1", "C1")
AUTHORS = ("UAUTHONE", "UAUTHTWO")
NASTY_ANSWER = GOOD_ANSWER + " <!channel> <@UADMIN> <https://evil.example|click> [x](https://evil.example) \u202e"
_ids = itertools.count(1)


def fresh_user() -> str:
    return f"UF{next(_ids):07d}"


@pytest.fixture
async def slack(monkeypatch: pytest.MonkeyPatch, redis_url: str, redis: Redis) -> AsyncIterator[SlackHarness]:
    fake = FakeSlack(admins={ADMIN}, names={ADMIN: "Ada <!channel>", MEMBER: "Ben @here"})
    async with running_slack(monkeypatch, redis_url, redis, fake) as harness:
        yield harness


@dataclass
class Example:
    """What one example made the app do: the calls it sent to the fake and the records it logged."""

    slack: SlackHarness
    caplog: pytest.LogCaptureFixture
    first_call: int = 0
    first_log: int = 0
    extra: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.first_call = len(self.slack.fake.calls)
        self.first_log = len(self.caplog.records)

    def problems(self) -> list[str]:
        found = list(self.extra)
        for call in self.slack.fake.calls[self.first_call :]:
            found += slack_call_problems(call.method, call.params)
        return found + log_problems(self.caplog.records[self.first_log :])

    def check(self) -> None:
        problems = self.problems()
        assert not problems, "\n".join(problems)

    async def until(self, done: Callable[[], bool], what: str, timeout: float = 5.0) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not done():
            if loop.time() > deadline:
                raise AssertionError(f"the app never sent {what}\n" + "\n".join(self.problems()))
            await asyncio.sleep(0.005)


def count(slack: SlackHarness, *methods: str) -> int:
    return sum(len(slack.fake.of(m)) for m in methods)


async def command(slack: SlackHarness, example: Example, text: str, user: str) -> dict[str, Any] | None:
    """Run `/debrief <text>` and wait for its answer: a response-URL message, or a modal it opened."""
    replies, views = count(slack, "response_url"), count(slack, "views.open")
    response = await slack.command(text, user, key=f"k{next(_ids)}")
    assert response.status < 500, f"/debrief {text[:80]!r} answered HTTP {response.status}"
    await example.until(
        lambda: count(slack, "response_url") > replies or count(slack, "views.open") > views, "a reply to the command"
    )
    return slack.fake.of("response_url")[-1] if count(slack, "response_url") > replies else None


def edit(ts: str, thread_ts: str, text: str, user: str, event_ts: str) -> dict[str, Any]:
    return {
        "type": "message",
        "subtype": "message_changed",
        "channel": "C1",
        "event_ts": event_ts,
        "message": {"type": "message", "user": user, "text": text, "ts": ts, "thread_ts": thread_ts},
    }


async def send_event(slack: SlackHarness, example: Example, event: dict[str, Any]) -> None:
    """Deliver one message event and wait for the app's one reply in the thread (feedback or a note)."""
    before = count(slack, "chat.postEphemeral", "chat.postMessage")
    response = await slack.event(event, f"Ev{next(_ids)}")
    assert response.status < 500, f"event answered HTTP {response.status}"
    await example.until(
        lambda: count(slack, "chat.postEphemeral", "chat.postMessage") > before, "a reply in the thread"
    )


async def post_question(slack: SlackHarness) -> str:
    return await slack.post_today(ADMIN, CHANNEL)


# ---- 1. /debrief command texts -------------------------------------------------------------------


@fuzz_settings(40)
@given(text=command_text(), user=st.sampled_from((ADMIN, MEMBER, "UOTHER")))
async def test_fuzz_command_texts(slack: SlackHarness, caplog: pytest.LogCaptureFixture, text: str, user: str) -> None:
    example = Example(slack, caplog)
    reply = await command(slack, example, text, user)
    event("reply: " + (str(reply.get("text"))[:24] if reply else "a modal"))
    example.check()


# ---- 4. setup values --------------------------------------------------------------------------------


@fuzz_settings(40)
@given(text=setup_text)
async def test_fuzz_setup_values(slack: SlackHarness, caplog: pytest.LogCaptureFixture, text: str) -> None:
    example = Example(slack, caplog)
    before = await slack.app.channels.settings(CHANNEL)
    reply = await command(slack, example, text, ADMIN)
    assert reply is not None
    after = await slack.app.channels.settings(CHANNEL)
    said = str(reply.get("text"))
    assert any(
        phrase in said
        for phrase in ("Saved.", "Nothing was changed", "Settings for this channel", "not set up", "Too many words")
    ), f"unexpected reply to setup: {said[:300]!r}"
    event("setup: " + said[:20])
    if "Saved." not in said:
        assert after == before, f"a refused setup changed the settings: {said[:200]!r}"
    example.check()


# ---- 2. thread answers ------------------------------------------------------------------------------


@pytest.fixture
async def thread_ts(slack: SlackHarness) -> str:
    return await post_question(slack)


@fuzz_settings(30)
@given(
    name=display_name(80),
    first=answer_text,
    second=st.one_of(st.none(), st.tuples(st.sampled_from(("reply", "edit")), answer_text)),
    public=st.booleans(),
    board=st.booleans(),
)
async def test_fuzz_thread_answers(
    slack: SlackHarness,
    thread_ts: str,
    caplog: pytest.LogCaptureFixture,
    name: str,
    first: str,
    second: tuple[str, str] | None,
    public: bool,
    board: bool,
) -> None:
    assume(second is None or second[1] != first)
    example = Example(slack, caplog)
    settings = await slack.app.channels.settings(CHANNEL)
    assert settings is not None
    if (settings.feedback == "public") != public:
        await command(slack, example, f"setup feedback={'public' if public else 'private'}", ADMIN)
    user = fresh_user()
    slack.fake.names[user] = name
    first_ts = slack.fake.next_ts()
    await send_event(slack, example, reply_message(first_ts, thread_ts, first, user))
    if second is not None:
        kind, text = second
        if kind == "reply":
            await send_event(slack, example, reply_message(slack.fake.next_ts(), thread_ts, text, user))
        else:
            await send_event(slack, example, edit(first_ts, thread_ts, text, user, slack.fake.next_ts()))
    if board:
        await command(slack, example, "leaderboard points", user)
    last = [c.params for c in slack.fake.calls if c.method in ("chat.postEphemeral", "chat.postMessage")][-1]
    event("answer: " + str(last.get("text"))[:30].replace("\n", " "))
    example.check()


# ---- 3. review form submissions -------------------------------------------------------------------


@dataclass
class ReviewBench:
    """Two answers to today's question and a real review form to submit against them."""

    view: dict[str, Any]
    answer_ids: tuple[str, ...]
    criteria: tuple[str, ...]
    reviewed: set[tuple[str, str]] = field(default_factory=set)


@pytest.fixture
async def bench(slack: SlackHarness) -> ReviewBench:
    thread = await post_question(slack)
    for author in AUTHORS:
        slack.fake.names[author] = f"{author} <!here> *bold* <https://evil.example|x>"
        event = reply_message(slack.fake.next_ts(), thread, NASTY_ANSWER + " " + author, author)
        await slack.event(event, f"Ev-{author}")
    await slack.fake.wait_for("chat.postEphemeral", len(AUTHORS))
    await slack.command("review", MEMBER, key="open-review")
    view = (await slack.fake.wait_for("views.open"))[0]["view"]
    prompt_id = view["private_metadata"].rsplit("|", 1)[0]
    criteria = tuple(b["block_id"].removeprefix("crit:") for b in view["blocks"] if b.get("type") == "input")
    return ReviewBench(view, tuple(f"{prompt_id}|{a}" for a in AUTHORS), tuple(c for c in criteria if c != "comment"))


def submission(
    view: dict[str, Any], user: str, name: str, answer_id: str, scores: dict[str, str | None], comment: str
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for cid, value in scores.items():
        if value == UNSET:
            continue
        selected = None if value is None else {"text": {"type": "plain_text", "text": "x"}, "value": value}
        values[f"crit:{cid}"] = {"score": {"type": "static_select", "selected_option": selected}}
    values["comment"] = {"text": {"type": "plain_text_input", "value": comment}}
    return {
        "type": "view_submission",
        "team": {"id": "T1"},
        "user": {"id": user, "name": name, "username": name},
        "api_app_id": "A1",
        "trigger_id": "t-fuzz",
        "view": {**view, "id": "V1", "private_metadata": answer_id, "state": {"values": values}},
    }


@fuzz_settings(30)
@given(
    data=st.data(),
    reviewer=st.sampled_from(("fresh", "fresh", "fresh", AUTHORS[0], AUTHORS[1])),
    target=st.one_of(st.sampled_from((0, 0, 1)), st.sampled_from(("", "|", "x|y", "<!channel>|U1")), st.text()),
    name=display_name(80),
    comment=review_comment,
)
async def test_fuzz_review_submissions(
    slack: SlackHarness,
    bench: ReviewBench,
    caplog: pytest.LogCaptureFixture,
    data: st.DataObject,
    reviewer: str,
    target: int | str,
    name: str,
    comment: str,
) -> None:
    example = Example(slack, caplog)
    user = fresh_user() if reviewer == "fresh" else reviewer
    scores = data.draw(review_scores(bench.criteria), label="scores")
    answer_id = bench.answer_ids[target] if isinstance(target, int) else target
    author = AUTHORS[target] if isinstance(target, int) else None
    valid = (
        author is not None
        and author != user
        and (user, answer_id) not in bench.reviewed
        and all(v is not None and v != UNSET and v.strip() in SCORES for v in scores.values())
        and 20 <= len(comment.strip()) <= 2000
    )
    posts = count(slack, "chat.postMessage")
    response = await slack.action(submission(bench.view, user, name, answer_id, scores, comment))
    assert response.status < 500, f"view_submission answered HTTP {response.status}"
    body = (await response.text()).strip()
    answer = json.loads(body) if body else {}
    example.extra += slack_view_response_problems(answer, bench.view)
    saved = not answer
    event("review saved" if saved else "review refused")
    if saved:
        bench.reviewed.add((user, answer_id))
        await example.until(lambda: count(slack, "chat.postMessage") > posts, "the review in the thread")
    assert saved == valid, (
        f"review {'saved' if saved else 'refused'} but it is {'valid' if valid else 'invalid'}: "
        f"scores={scores} comment={len(comment.strip())} chars; answered {body[:300]!r}"
    )
    example.check()
