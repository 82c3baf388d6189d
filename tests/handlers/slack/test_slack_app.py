"""The real Bolt app over signed HTTP against a fake Slack: commands, daily post, answers, feedback, safety."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.app.bootstrap import redis_client
from bot.app.embedded_redis import free_port
from bot.identities import Channel
from tests.bot.scenario import GOOD_ANSWER
from tests.handlers.slack.fake_slack import reply_message
from tests.handlers.slack.harness import SlackHarness, running_slack

CHANNEL = Channel("slack:T1", "C1")


async def _posted_ts(slack: SlackHarness) -> str:
    settings = await slack.app.channels.settings(CHANNEL)
    assert settings is not None
    prompts = await slack.app.posts.todays(CHANNEL, settings)
    assert prompts and prompts[0].thread_id
    return prompts[0].thread_id


async def test_admin_posts_todays_question_with_block_kit(slack: SlackHarness) -> None:
    response = await slack.command("post", "UADMIN")
    assert response.status == 200 and response.elapsed < 3  # type: ignore[attr-defined]
    posted = (await slack.fake.wait_for("chat.postMessage"))[0]
    assert posted["channel"] == "C1"
    text = str(posted["blocks"])
    assert "Judged on" in text and "Time budget" in text and "Reply in this thread" in text
    reply = (await slack.responses())[0]
    assert reply["response_type"] == "ephemeral" and "Posted today's question" in reply["text"]
    assert "now gets a question weekdays at 09:00 (UTC)" in str(reply["blocks"]), "the admin learns of the schedule"
    await slack.command("post", "UADMIN", key="again")
    await slack.fake.wait_for("response_url", 2)
    assert "already posted" in slack.fake.of("response_url")[1]["text"]
    assert "now gets a question" not in str(slack.fake.of("response_url")[1]["blocks"])
    assert len(slack.fake.of("chat.postMessage")) == 1


async def test_setup_by_admin_and_refusal_for_members(slack: SlackHarness) -> None:
    await slack.command("setup time=07:30 tz=Europe/Berlin days=mon,wed feedback=public", "UADMIN")
    await slack.command("setup time=08:00", "UMEMBER", key="member")
    await slack.command("setup", "UALLOWED", key="allow-listed")
    replies = {r["text"]: r for r in await slack.responses(3)}
    texts = " | ".join(replies)
    assert "Saved." in texts
    assert "Only workspace admins can use `/debrief setup`" in texts
    assert "Settings for this channel" in texts
    settings = await slack.app.channels.settings(CHANNEL)
    assert settings is not None and settings.timezone == "Europe/Berlin" and settings.feedback == "public"
    assert settings.post_time.strftime("%H:%M") == "07:30", "the member's attempt changed nothing"


async def test_bad_setup_word_is_named_and_changes_nothing(slack: SlackHarness) -> None:
    await slack.command("setup time=08:15", "UADMIN", key="a")
    await slack.command("setup time=09:00 tz=Mars/Olympus", "UADMIN", key="b")
    replies = await slack.responses(2)
    bad = next(r for r in replies if "Nothing was changed" in r["text"])
    assert "`tz=Mars/Olympus`" in bad["text"]
    settings = await slack.app.channels.settings(CHANNEL)
    assert settings is not None and settings.post_time.strftime("%H:%M") == "08:15"


@pytest.mark.parametrize("text", ["dance", "leaderboard fastest", "post now please", "help me", "today x" * 30, ""])
async def test_garbage_subcommands_get_private_usage(slack: SlackHarness, text: str) -> None:
    response = await slack.command(text, "UMEMBER")
    assert response.status == 200
    reply = (await slack.responses())[0]
    assert reply["response_type"] == "ephemeral"
    assert any(
        word in reply["text"]
        for word in (
            "How to use debrief",
            "Unknown command",
            "takes no words",
            "Leaderboards:",
            "Too many words",
            "Only workspace admins",
        )
    )


async def test_answer_gets_reaction_and_private_feedback(slack: SlackHarness) -> None:
    thread_ts = await _post_and_get_thread(slack)
    answer_ts = slack.fake.next_ts()
    response = await slack.event(reply_message(answer_ts, thread_ts, GOOD_ANSWER), "Ev-answer-1")
    assert response.status == 200
    ephemeral = (await slack.fake.wait_for("chat.postEphemeral"))[0]
    assert ephemeral["user"] == "UMEMBER" and ephemeral["thread_ts"] == thread_ts
    blocks = str(ephemeral["blocks"])
    assert "Score" in blocks and "Streak: 1-day streak" in blocks and "points" in blocks
    reaction = (await slack.fake.wait_for("reactions.add"))[0]
    assert reaction["timestamp"] == answer_ts and reaction["channel"] == "C1"


async def test_revision_by_reply_and_by_edit(slack: SlackHarness) -> None:
    thread_ts = await _post_and_get_thread(slack)
    first_ts = slack.fake.next_ts()
    await slack.event(reply_message(first_ts, thread_ts, "I decided to cut scope."), "Ev-1")
    await slack.fake.wait_for("chat.postEphemeral", 1)
    await slack.event(reply_message(slack.fake.next_ts(), thread_ts, GOOD_ANSWER), "Ev-2")
    await slack.fake.wait_for("chat.postEphemeral", 2)
    edit = {
        "type": "message",
        "subtype": "message_changed",
        "channel": "C1",
        "event_ts": slack.fake.next_ts(),
        "message": {
            "type": "message",
            "user": "UMEMBER",
            "text": "I decided to cut the polygon workflow.",
            "ts": first_ts,
            "thread_ts": thread_ts,
            "edited": {"user": "UMEMBER", "ts": "1"},
        },
    }
    await slack.event(edit, "Ev-3")
    third = (await slack.fake.wait_for("chat.postEphemeral", 3))[2]
    assert "Revision 3 saved" in str(third["blocks"])
    assert len(slack.fake.of("reactions.add")) == 1, "one reaction per answer"


async def test_retried_event_is_handled_once(slack: SlackHarness) -> None:
    thread_ts = await _post_and_get_thread(slack)
    event = reply_message(slack.fake.next_ts(), thread_ts, GOOD_ANSWER)
    await slack.event(event, "Ev-dup")
    await slack.event(event, "Ev-dup", retry=1)
    await slack.event(event, "Ev-dup", retry=2)
    await slack.fake.wait_for("chat.postEphemeral", 1)
    await asyncio.sleep(0.5)
    assert len(slack.fake.of("chat.postEphemeral")) == 1
    assert len(slack.fake.of("reactions.add")) == 1


async def test_mentions_in_an_answer_never_ping(slack: SlackHarness) -> None:
    thread_ts = await _post_and_get_thread(slack)
    text = GOOD_ANSWER + " <!channel> <!here> <@UADMIN> I decided to tell <!everyone> about it."
    await slack.command("setup feedback=public", "UADMIN", key="pub")
    await slack.event(reply_message(slack.fake.next_ts(), thread_ts, text), "Ev-ping")
    public = (await slack.fake.wait_for("chat.postMessage", 2))[1]
    rendered = str(public["blocks"]) + str(public["text"])
    assert "<!channel>" not in rendered and "<!here>" not in rendered and "<!everyone>" not in rendered
    assert "<@UADMIN>" not in rendered
    assert "@everyone" in rendered or "@channel" in rendered, "the words survive as plain text"


async def test_bot_messages_and_top_level_chatter_are_ignored(slack: SlackHarness) -> None:
    thread_ts = await _post_and_get_thread(slack)
    bot = reply_message(slack.fake.next_ts(), thread_ts, GOOD_ANSWER, user="UBOT") | {"bot_id": "BBOT"}
    top = {"type": "message", "channel": "C1", "user": "UMEMBER", "text": "hello all", "ts": slack.fake.next_ts()}
    other = reply_message(slack.fake.next_ts(), "1.000001", "chatter in another thread")
    for i, event in enumerate((bot, top, other)):
        await slack.event(event, f"Ev-ignore-{i}")
    await asyncio.sleep(0.5)
    assert not slack.fake.of("chat.postEphemeral") and not slack.fake.of("reactions.add")


async def test_empty_and_huge_answers_get_a_clear_private_reply(slack: SlackHarness) -> None:
    thread_ts = await _post_and_get_thread(slack)
    await slack.event(reply_message(slack.fake.next_ts(), thread_ts, "x" * 41_000), "Ev-huge")
    reply = (await slack.fake.wait_for("chat.postEphemeral"))[0]
    assert "limited to 40,000" in reply["text"] and "Nothing was saved" in reply["text"]
    assert not slack.fake.of("reactions.add")


async def test_streak_leaderboard_and_today_commands(slack: SlackHarness) -> None:
    thread_ts = await _post_and_get_thread(slack)
    await slack.event(reply_message(slack.fake.next_ts(), thread_ts, GOOD_ANSWER), "Ev-s1")
    await slack.fake.wait_for("chat.postEphemeral")
    await slack.command("streak", "UMEMBER", key="s")
    await slack.command("leaderboard points", "UMEMBER", key="l")
    await slack.command("today", "UMEMBER", key="t")
    texts = " | ".join(r["text"] + str(r.get("blocks")) for r in await slack.responses(4))
    assert "1-day streak" in texts
    assert "1. Ben:" in texts
    assert "Today's question" in texts


async def test_app_home_shows_streak_and_recent_scores(slack: SlackHarness) -> None:
    thread_ts = await _post_and_get_thread(slack)
    await slack.event(reply_message(slack.fake.next_ts(), thread_ts, GOOD_ANSWER), "Ev-h1")
    await slack.fake.wait_for("chat.postEphemeral")
    await slack.event(
        {
            "type": "app_home_opened",
            "user": "UMEMBER",
            "channel": "D1",
            "tab": "home",
            "event_ts": slack.fake.next_ts(),
        },
        "Ev-home",
    )
    view = (await slack.fake.wait_for("views.publish"))[0]
    rendered = str(view["view"])
    assert "1-day streak" in rendered and "/5" in rendered and "<#C1>" in rendered
    assert "/debrief stats" in rendered, "the home points to the progress chart"


async def test_rate_limited_call_is_retried_after_retry_after(slack: SlackHarness) -> None:
    slack.fake.rate_limit_once.add("chat.postMessage")
    started = time.monotonic()
    await slack.command("post", "UADMIN")
    await slack.fake.wait_for("chat.postMessage")
    assert slack.fake.of("chat.postMessage#429") and time.monotonic() - started >= 1.0
    assert "Posted" in (await slack.responses())[0]["text"]


async def test_redis_down_gives_clear_replies_and_keeps_nothing_half_written(
    monkeypatch: pytest.MonkeyPatch, redis_url: str
) -> None:
    dead = redis_client(f"redis://127.0.0.1:{free_port()}/0")
    async with running_slack(monkeypatch, redis_url, dead) as slack:
        await slack.command("post", "UADMIN")
        reply = (await slack.responses())[0]
        assert "database is not reachable" in reply["text"]
        assert not slack.fake.of("chat.postMessage"), "nothing is posted when it cannot be recorded"
        await slack.event(reply_message(slack.fake.next_ts(), "1.000001", GOOD_ANSWER), "Ev-down")
        told = (await slack.fake.wait_for("chat.postEphemeral"))[0]
        assert "Could not save your answer" in told["text"] and "send your answer again" in told["text"]
    await dead.aclose()


async def _post_and_get_thread(slack: SlackHarness) -> str:
    await slack.command("post", "UADMIN", key="post")
    await slack.fake.wait_for("chat.postMessage")
    await slack.fake.wait_for("response_url")
    return await _posted_ts(slack)
