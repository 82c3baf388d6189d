"""/metrics after real traffic through the Slack app and the fake Slack: the counters move by what happened."""

from __future__ import annotations

import pytest

from bot.app.bootstrap import redis_client
from bot.app.embedded_redis import free_port
from bot.identities import Channel
from tests.bot.scenario import GOOD_ANSWER
from tests.handlers.slack.fake_slack import reply_message
from tests.handlers.slack.harness import SlackHarness, running_slack
from tests.metrics import metrics_url, sample, scrape, scrape_until

SLACK = {"platform": "slack"}


async def test_answers_posts_claims_latency_and_a_429_are_counted(slack: SlackHarness) -> None:
    slack.fake.rate_limit_once.add("chat.postMessage")
    slack.fake.errors["reactions.add"] = "channel_not_found"
    async with metrics_url(slack.app, ["slack"]) as url:
        before = await scrape(url)
        assert before.get(sample("debrief_answers_total", status="recorded", **SLACK), 0) == 0
        assert before[sample("debrief_outbox_depth", **SLACK)] == 0

        await slack.command("post", "UADMIN")
        await slack.fake.wait_for("response_url")
        thread_ts = await _thread(slack)
        await slack.command("post", "UADMIN", key="again")
        await slack.fake.wait_for("response_url", 2)

        first_ts = slack.fake.next_ts()
        await slack.event(reply_message(first_ts, thread_ts, "I decided to cut scope.", "UMEMBER"), "Ev-1")
        await slack.fake.wait_for("chat.postEphemeral", 1)
        await slack.event(reply_message(slack.fake.next_ts(), thread_ts, GOOD_ANSWER, "UMEMBER"), "Ev-2")
        await slack.fake.wait_for("chat.postEphemeral", 2)
        await slack.event(reply_message(slack.fake.next_ts(), thread_ts, GOOD_ANSWER, "UADMIN"), "Ev-3")
        await slack.fake.wait_for("chat.postEphemeral", 3)
        # the same message under a new event id: a duplicate, no reply
        await slack.event(reply_message(first_ts, thread_ts, "I decided to cut scope.", "UMEMBER"), "Ev-1-again")

        samples = await scrape_until(
            url,
            lambda s: (
                s.get(sample("debrief_answers_total", status="duplicate", **SLACK)) == 1
                and s.get(sample("debrief_feedback_latency_seconds_count", **SLACK)) == 3
            ),
        )
    assert samples[sample("debrief_answers_total", status="recorded", **SLACK)] == 3
    assert samples[sample("debrief_answers_total", status="duplicate", **SLACK)] == 1
    assert samples[sample("debrief_feedback_latency_seconds_count", **SLACK)] == 3
    assert 0 < samples[sample("debrief_feedback_latency_seconds_sum", **SLACK)] < 3 * 10
    assert samples[sample("debrief_daily_posts_total", status="posted", **SLACK)] == 1
    assert samples[sample("debrief_daily_posts_total", status="already_posted", **SLACK)] == 1
    assert samples[sample("debrief_post_claims_total", result="won", **SLACK)] == 1
    assert samples[sample("debrief_post_claims_total", result="lost", **SLACK)] == 1
    assert samples[sample("debrief_platform_rate_limited_total", **SLACK)] == 1
    assert samples[sample("debrief_platform_rate_limit_retries_total", **SLACK)] == 1
    assert samples[sample("debrief_platform_api_errors_total", error="ratelimited", **SLACK)] == 1
    # one reaction per new answer (two members), each refused
    assert samples[sample("debrief_platform_api_errors_total", error="channel_not_found", **SLACK)] == 2


async def test_a_reply_slack_refuses_is_kept_and_the_outbox_depth_shows_it(slack: SlackHarness) -> None:
    async with metrics_url(slack.app, ["slack"]) as url:
        await slack.command("post", "UADMIN")
        await slack.fake.wait_for("response_url")
        thread_ts = await _thread(slack)
        slack.fake.rate_limited.add("chat.postEphemeral")  # a storm past the client's own retries
        await slack.event(reply_message(slack.fake.next_ts(), thread_ts, GOOD_ANSWER, "UMEMBER"), "Ev-storm")
        # the depth is read from Redis before the counters are written out, so the scrape that first shows the
        # kept reply may have read the depth a moment before it was stored: the next one shows it
        stormy = await scrape_until(
            url,
            lambda s: (
                s.get(sample("debrief_outbox_total", outcome="kept", **SLACK)) == 1
                and s.get(sample("debrief_outbox_depth", **SLACK)) == 1
            ),
        )
        assert stormy[sample("debrief_outbox_depth", **SLACK)] == 1
        slack.fake.rate_limited.discard("chat.postEphemeral")
        await slack.fake.wait_for("chat.postEphemeral", 1, timeout=30)
        calm = await scrape_until(
            url,
            lambda s: (
                s.get(sample("debrief_outbox_total", outcome="delivered", **SLACK)) == 1
                and s.get(sample("debrief_outbox_depth", **SLACK)) == 0
            ),
            timeout=30,
        )
    assert calm[sample("debrief_outbox_depth", **SLACK)] == 0
    assert calm[sample("debrief_platform_rate_limited_total", **SLACK)] >= 4, "the first try and 3 retries"


async def _thread(slack: SlackHarness) -> str:
    channel = Channel("slack:T1", "C1")
    settings = await slack.app.channels.settings(channel)
    assert settings is not None
    prompts = await slack.app.posts.todays(channel, settings)
    assert prompts and prompts[0].thread_id
    return prompts[0].thread_id


async def test_redis_down_counts_store_errors_by_action_and_unsaved_answers(
    monkeypatch: pytest.MonkeyPatch, redis_url: str
) -> None:
    dead = redis_client(f"redis://127.0.0.1:{free_port()}/0")
    async with running_slack(monkeypatch, redis_url, dead) as slack, metrics_url(slack.app, ["slack"]) as url:
        await slack.event(reply_message(slack.fake.next_ts(), "1.000001", GOOD_ANSWER, "UMEMBER"), "Ev-down")
        await slack.fake.wait_for("chat.postEphemeral")
        samples = await scrape_until(
            url, lambda s: s.get(sample("debrief_answers_total", status="unsaved", **SLACK)) == 1
        )
    await dead.aclose()
    assert samples[sample("debrief_answers_total", status="unsaved", **SLACK)] == 1
    assert samples[sample("debrief_store_errors_total", action="find the question for this thread")] == 1
    assert sample("debrief_answers_total", status="recorded", **SLACK) not in samples
