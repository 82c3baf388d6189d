"""Mock interviews on Slack: `/debrief mock` opens a DM with the member and the round runs there."""

from __future__ import annotations

import json
from typing import Any

import pytest
from redis.asyncio import Redis

from bot.identities import Member
from tests.bot.scenario import GOOD_ANSWER
from tests.handlers.slack.fake_slack import event_body
from tests.handlers.slack.harness import SlackHarness, running_slack


def dm(slack: SlackHarness, text: str, user: str = "UMEMBER") -> dict[str, Any]:
    return {
        "type": "message",
        "channel": f"D{user}",
        "channel_type": "im",
        "user": user,
        "text": text,
        "ts": slack.fake.next_ts(),
        "event_ts": slack.fake.next_ts(),
    }


async def say(slack: SlackHarness, text: str, event_id: str, user: str = "UMEMBER") -> None:
    await slack.post(json.dumps(event_body(dm(slack, text, user), event_id=event_id)), "application/json")


def dm_posts(slack: SlackHarness, user: str = "UMEMBER") -> list[dict[str, Any]]:
    return [p for p in slack.fake.of("chat.postMessage") if p["channel"] == f"D{user}"]


async def test_a_behavioral_round_runs_in_a_dm_to_its_scorecard(slack: SlackHarness) -> None:
    await slack.command("mock behavioral", "UMEMBER")
    assert "direct messages" in (await slack.responses())[0]["text"]
    await slack.fake.wait_for("conversations.open")
    first = (await slack.fake.wait_for("chat.postMessage"))[0]
    assert first["channel"] == "DUMEMBER" and "Question 1 of 3" in first["text"]
    for i in range(6):
        if any("Hiring-manager behavioral round:" in p["text"] for p in dm_posts(slack)):
            break
        await say(slack, GOOD_ANSWER, f"Ev-dm-{i}")
        await slack.fake.wait_for("chat.postMessage", 2 + i)
    final = dm_posts(slack)[-1]["text"]
    assert "Hiring-manager behavioral round:" in final and "Fix first:" in final and "guideline 2:30" in final


async def test_a_gap_gets_a_follow_up_and_a_retried_dm_is_answered_once(slack: SlackHarness) -> None:
    await slack.command("mock behavioral", "UMEMBER")
    await slack.fake.wait_for("chat.postMessage")
    weak = "We worked hard as a team and it went well. Everyone was happy with it."
    event = dm(slack, weak)
    for retry in range(3):
        await slack.post(
            json.dumps(event_body(event, event_id="Ev-weak")),
            "application/json",
            {"X-Slack-Retry-Num": str(retry)} if retry else None,
        )
    probe = (await slack.fake.wait_for("chat.postMessage", 2))[1]
    assert "Follow-up:" in probe["text"]
    await say(slack, GOOD_ANSWER, "Ev-follow")
    nxt = (await slack.fake.wait_for("chat.postMessage", 3))[2]
    assert "Question 2 of 3" in nxt["text"]
    assert len(dm_posts(slack)) == 3, "the retried event was not answered again"


async def test_restart_mid_session_continues(monkeypatch: pytest.MonkeyPatch, redis_url: str, redis: Redis) -> None:
    async with running_slack(monkeypatch, redis_url, redis) as first:
        await first.command("mock metrics", "UMEMBER")
        await first.fake.wait_for("chat.postMessage")
        await say(first, GOOD_ANSWER, "Ev-before")
        await first.fake.wait_for("chat.postMessage", 2)
    async with running_slack(monkeypatch, redis_url, redis) as second:
        await second.command("mock repeat", "UMEMBER")
        repeated = (await second.fake.wait_for("chat.postMessage"))[0]
        assert repeated["text"].startswith(("Question 2 of 3", "Follow-up:"))


async def test_garbage_round_names_and_a_second_start(slack: SlackHarness) -> None:
    await slack.command("mock karaoke", "UMEMBER", key="bad")
    bad = (await slack.responses())[0]
    assert "Unknown round `karaoke`" in bad["text"] and bad["response_type"] == "ephemeral"
    assert not slack.fake.of("chat.postMessage")
    await slack.command("mock technical", "UMEMBER", key="one")
    await slack.command("mock leadership", "UMEMBER", key="two")
    replies = [r["text"] for r in (await slack.responses(3))[1:]]  # the two starts race: either may answer first
    assert sum("Resume it, or abandon it" in r for r in replies) == 1, replies
    assert sum("continues in your direct messages" in r for r in replies) == 1, replies


async def test_a_stranger_without_a_session_is_told_and_nothing_changes(slack: SlackHarness) -> None:
    await slack.command("mock behavioral", "UMEMBER")
    await slack.fake.wait_for("chat.postMessage")
    await say(slack, GOOD_ANSWER, "Ev-stranger", user="UOTHER")
    told = (await slack.fake.wait_for("chat.postMessage", 2))[1]
    assert told["channel"] == "DUOTHER" and "No mock interview is open" in told["text"]
    session = await slack.app.mocks.store.session(Member("slack:T1", "UMEMBER"))
    assert session is not None and session.answers == []


async def test_mock_loop_advances_through_the_five_rounds(slack: SlackHarness) -> None:
    await slack.command("mock loop", "UMEMBER")
    await slack.fake.wait_for("chat.postMessage")
    for i in range(40):
        if any("Full loop:" in p["text"] for p in dm_posts(slack)):
            break
        await say(slack, GOOD_ANSWER, f"Ev-loop-{i}")
        await slack.fake.wait_for("chat.postMessage", 2 + i)
    transcript = "\n".join(p["text"] for p in dm_posts(slack))
    for title in (
        "Recruiter screen round:",
        "Hiring-manager behavioral round:",
        "Technical deep dive round:",
        "Cross-functional scenario round:",
        "Leadership principles panel round:",
        "Full loop:",
    ):
        assert title in transcript
    assert transcript.index("Recruiter screen round:") < transcript.index("Leadership principles panel round:")
