"""Real Slack payload shapes and hostile input: files, link previews, one message under many event ids, deleted
answers, names that try to ping, forged timestamps."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from typing import Any

import pytest

from bot.identities import Channel
from bot.review.peer_review import AnswerRef
from tests.bot.scenario import GOOD_ANSWER
from tests.handlers.slack.fake_slack import event_body
from tests.handlers.slack.harness import SECRET, SlackHarness
from tests.handlers.slack.test_slack_app import _post_and_get_thread, reply_message
from tests.handlers.slack.test_slack_review import criteria, submission

CHANNEL = Channel("slack:T1", "C1")
LIVE = ("<!channel>", "<!here>", "<!everyone>", "<@U")


async def _prompt_id(slack: SlackHarness) -> str:
    settings = await slack.app.channels.settings(CHANNEL)
    assert settings is not None
    return (await slack.app.posts.todays(CHANNEL, settings))[0].id


async def test_a_reply_with_a_file_is_scored_like_any_reply(slack: SlackHarness) -> None:
    thread_ts = await _post_and_get_thread(slack)
    event = reply_message(slack.fake.next_ts(), thread_ts, GOOD_ANSWER)
    event |= {"subtype": "file_share", "files": [{"id": "F1", "name": "notes.pdf", "mimetype": "application/pdf"}]}
    await slack.event(event, "Ev-file")
    feedback = (await slack.fake.wait_for("chat.postEphemeral"))[0]
    assert "Score" in str(feedback["blocks"])


async def test_a_link_preview_is_not_an_edit(slack: SlackHarness) -> None:
    thread_ts = await _post_and_get_thread(slack)
    ts = slack.fake.next_ts()
    text = GOOD_ANSWER + " <https://example.com/postmortem>"
    await slack.event(reply_message(ts, thread_ts, text), "Ev-link")
    await slack.fake.wait_for("chat.postEphemeral", 1)
    original = {"type": "message", "user": "UMEMBER", "text": text, "ts": ts, "thread_ts": thread_ts}
    unfurl = {
        "type": "message",
        "subtype": "message_changed",
        "channel": "C1",
        "event_ts": slack.fake.next_ts(),
        "hidden": True,
        "message": {**original, "attachments": [{"from_url": "https://example.com/postmortem", "title": "Notes"}]},
        "previous_message": original,
    }
    await slack.event(unfurl, "Ev-unfurl")
    await asyncio.sleep(0.4)
    assert len(slack.fake.of("chat.postEphemeral")) == 1


async def test_one_message_under_fifty_event_ids_gets_one_feedback(slack: SlackHarness) -> None:
    thread_ts = await _post_and_get_thread(slack)
    event = reply_message(slack.fake.next_ts(), thread_ts, GOOD_ANSWER)
    await asyncio.gather(*(slack.event(event, f"Ev-many-{i}") for i in range(50)))
    await slack.fake.wait_for("chat.postEphemeral", 1)
    await asyncio.sleep(0.5)
    assert len(slack.fake.of("chat.postEphemeral")) == 1
    assert len(slack.fake.of("reactions.add")) == 1


async def test_a_deleted_answer_is_withdrawn_and_keeps_the_streak_day(slack: SlackHarness) -> None:
    thread_ts = await _post_and_get_thread(slack)
    ts = slack.fake.next_ts()
    await slack.event(reply_message(ts, thread_ts, GOOD_ANSWER), "Ev-del-1")
    await slack.fake.wait_for("chat.postEphemeral", 1)
    prompt_id = await _prompt_id(slack)
    deleted = {
        "type": "message",
        "subtype": "message_deleted",
        "channel": "C1",
        "hidden": True,
        "deleted_ts": ts,
        "event_ts": slack.fake.next_ts(),
        "ts": slack.fake.next_ts(),
        "previous_message": {
            "type": "message",
            "user": "UMEMBER",
            "text": GOOD_ANSWER,
            "ts": ts,
            "thread_ts": thread_ts,
        },
    }
    await slack.event(deleted, "Ev-del-2")
    for _ in range(200):
        if "UMEMBER" not in await slack.app.stores.answers.answered("slack:T1", prompt_id):
            break
        await asyncio.sleep(0.01)
    assert "UMEMBER" not in await slack.app.stores.answers.answered("slack:T1", prompt_id)
    await slack.command("streak", "UMEMBER", key="streak")
    assert "1-day streak" in (await slack.responses(2))[-1]["text"], "the streak day stays"
    await slack.command("review", "UOTHER", key="rv")
    told = (await slack.responses(3))[-1]
    assert "no answer for you to review" in told["text"].lower(), told["text"]


async def test_a_name_that_tries_to_ping_never_pings(slack: SlackHarness) -> None:
    slack.fake.names["UMEMBER"] = "<!channel> Eve"
    thread_ts = await _post_and_get_thread(slack)
    await slack.event(reply_message(slack.fake.next_ts(), thread_ts, GOOD_ANSWER), "Ev-eve")
    await slack.fake.wait_for("chat.postEphemeral", 1)
    await asyncio.sleep(0.3)  # the name is learned off the answer's path
    await slack.event(reply_message(slack.fake.next_ts(), thread_ts, GOOD_ANSWER + " Again."), "Ev-eve-2")
    await slack.fake.wait_for("chat.postEphemeral", 2)
    await slack.command("review", "UOTHER", key="rv")
    view = (await slack.fake.wait_for("views.open"))[0]["view"]
    ids = criteria(view)
    await slack.action(submission(view, "UOTHER", {i: "4" for i in ids}, "Clear decision and a real trade-off here."))
    posted = [p for p in await slack.fake.wait_for("chat.postMessage", 2) if p.get("thread_ts") == thread_ts]
    sent = json.dumps(posted) + json.dumps(slack.fake.of("chat.postEphemeral")) + json.dumps(view)
    assert "Eve" in sent
    assert not any(live in sent for live in LIVE), sent


async def test_a_command_word_that_tries_to_ping_is_shown_inert(slack: SlackHarness) -> None:
    await slack.command("<!channel> <https://evil.example|click me>", "UMEMBER", key="ping")
    told = (await slack.responses())[0]
    sent = json.dumps(told)
    assert not any(live in sent for live in LIVE) and "<https://" not in sent


async def test_a_garbage_timestamp_header_is_refused_not_a_server_error(slack: SlackHarness) -> None:
    body = json.dumps(
        event_body({"type": "message", "channel": "C1", "user": "U1", "text": "x", "ts": "1.1"}, event_id="E")
    )
    digest = hmac.new(SECRET.encode(), f"v0:abc:{body}".encode(), hashlib.sha256).hexdigest()
    headers: dict[str, Any] = {"X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": f"v0={digest}"}
    response = await slack.session.post(
        slack.url, data=body.encode(), headers={**headers, "Content-Type": "application/json"}
    )
    assert response.status == 401


async def test_a_failure_outside_the_core_ends_in_one_reply_and_one_log_line(
    slack: SlackHarness, caplog: pytest.LogCaptureFixture
) -> None:
    thread_ts = await _post_and_get_thread(slack)
    await slack.event(reply_message(slack.fake.next_ts(), thread_ts, GOOD_ANSWER, user="UADMIN"), "Ev-a")
    await slack.fake.wait_for("chat.postEphemeral", 1)
    slack.fake.errors["views.open"] = "trigger_expired"
    with caplog.at_level(logging.DEBUG):
        await slack.command("review", "UMEMBER", key="boom")
        told = (await slack.responses(2))[-1]
    assert "Something went wrong" in told["text"] and told["response_type"] == "ephemeral"
    lines = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(lines) == 1 and "trigger_expired" in lines[0].getMessage(), [r.getMessage() for r in lines]


async def test_feedback_slack_refuses_in_a_429_storm_is_delivered_once_when_it_passes(slack: SlackHarness) -> None:
    thread_ts = await _post_and_get_thread(slack)
    slack.fake.rate_limited.add("chat.postEphemeral")
    await asyncio.gather(
        *(
            slack.event(reply_message(slack.fake.next_ts(), thread_ts, GOOD_ANSWER, user=f"UM{i}"), f"Ev-storm-{i}")
            for i in range(6)
        )
    )
    for _ in range(200):  # the client's own retries run out, then the replies are kept
        if await slack.app.outbox.store.pending("slack") == 6:
            break
        await asyncio.sleep(0.05)
    assert await slack.app.outbox.store.pending("slack") == 6
    assert not slack.fake.of("chat.postEphemeral")
    slack.fake.rate_limited.clear()
    delivered = await slack.fake.wait_for("chat.postEphemeral", 6, timeout=20)
    await asyncio.sleep(1.5)
    assert sorted(d["user"] for d in slack.fake.of("chat.postEphemeral")) == [f"UM{i}" for i in range(6)]
    assert all("Score" in str(d["blocks"]) for d in delivered)
    assert await slack.app.outbox.store.pending("slack") == 0


@pytest.mark.parametrize("odd", ["²", "⑤", "٣", "５"])
async def test_a_score_that_only_looks_like_a_digit_is_refused_plainly(slack: SlackHarness, odd: str) -> None:
    thread_ts = await _post_and_get_thread(slack)
    await slack.event(reply_message(slack.fake.next_ts(), thread_ts, GOOD_ANSWER, user="UADMIN"), "Ev-a")
    await slack.fake.wait_for("chat.postEphemeral", 1)
    await slack.command("review", "UMEMBER", key="rv")
    view = (await slack.fake.wait_for("views.open"))[0]["view"]
    ids = criteria(view)
    scores = {ids[0]: odd, **{i: "4" for i in ids[1:]}}
    response = await slack.action(submission(view, "UMEMBER", scores, "Clear decision and a real trade-off here."))
    assert response.status == 200
    refused = json.loads(await response.text())
    assert refused["response_action"] == "errors" and "1 to 5" in json.dumps(refused["errors"])
    ref = AnswerRef.parse(view["private_metadata"])
    assert ref is not None and (await slack.app.reviews.summary(CHANNEL.workspace, ref)).count == 0


async def test_a_time_zone_longer_than_a_file_name_is_an_unknown_time_zone(slack: SlackHarness) -> None:
    await slack.command("setup tz=" + "Europe/" * 50, "UADMIN", key="tz")
    told = (await slack.responses())[0]["text"]
    assert "unknown timezone" in told.lower() and "went wrong" not in told.lower(), told
    settings = await slack.app.channels.settings(CHANNEL)
    assert settings is None or settings.timezone != "Europe/" * 50


async def test_replies_reuse_kept_alive_connections(slack: SlackHarness) -> None:
    thread_ts = await _post_and_get_thread(slack)
    slack.fake.connections.clear()
    for n in range(20):
        await slack.event(reply_message(slack.fake.next_ts(), thread_ts, GOOD_ANSWER, user=f"UK{n}"), f"Ev-k{n}")
    await slack.fake.wait_for("chat.postEphemeral", 20)
    calls = len([c for c in slack.fake.calls if c.method != "response_url"])
    # slack_sdk without a session opens a new connection per call (on Slack, a TLS handshake each): 60 for 63
    # calls; kept alive, the 20 answers handled at once share a pool of connections
    assert len(slack.fake.connections) <= calls // 3, f"{len(slack.fake.connections)} connections for {calls} calls"
