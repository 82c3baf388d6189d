"""Many workspaces installing debrief through Bolt's install flow, over HTTP against the fake Slack and real Redis:
each workspace is served and posted to with its own bot token, states are checked, uninstalls are honoured, and
installations outlive a restart and are shared by replicas."""

from __future__ import annotations

import asyncio
import html
import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest
import time_machine
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from redis.asyncio import Redis

from bot.identities import Channel
from scheduler.channel_jobs import ChannelJobs
from tests.bot.scenario import GOOD_ANSWER
from tests.conftest import FakeClock
from tests.handlers.slack.fake_slack import FakeSlack, event_body
from tests.handlers.slack.harness import SlackHarness, installable_settings, serving_slack
from tests.scheduler.replicas import tick

STATE_COOKIE = "slack-app-oauth-state"
MONDAY_MORNING = datetime(2026, 4, 6, 8, 50, tzinfo=UTC)


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack(admins={"UADMIN"}, names={"UADMIN": "Ada", "UMEMBER": "Ben"})
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


async def start_install(slack: SlackHarness) -> str:
    """GET /slack/install as a browser: the Add to Slack link's state, which Bolt also set as a cookie."""
    page = await slack.session.get(f"{slack.base}/slack/install", allow_redirects=False)
    assert page.status == 200
    found = re.search(r'href="(https://slack\.com/oauth/v2/authorize\?[^"]+)"', await page.text())
    assert found, "the install page links to Slack's authorize URL"
    query = parse_qs(urlsplit(html.unescape(found.group(1))).query)
    assert query["client_id"] == [slack.fake.client_id]
    assert "chat:write" in query["scope"][0].split(",") and "commands" in query["scope"][0].split(",")
    state = query["state"][0]
    assert page.cookies[STATE_COOKIE].value == state
    return state


async def finish_install(
    slack: SlackHarness, state: str, code: str, cookie: str | None = None
) -> aiohttp.ClientResponse:
    """Slack sends the browser back to /slack/oauth_redirect with the code and the state (and its cookie)."""
    cookie = state if cookie is None else cookie
    response = await slack.session.get(
        f"{slack.base}/slack/oauth_redirect",
        params={"code": code, "state": state},
        headers={"Cookie": f"{STATE_COOKIE}={cookie}"},
        allow_redirects=False,
    )
    await response.read()
    return response


async def install(slack: SlackHarness, team: str) -> None:
    response = await finish_install(slack, await start_install(slack), slack.fake.issue_code(team))
    assert response.status == 200, await response.text()
    assert slack.fake.of("oauth.v2.access")[-1]["code"].startswith(f"code-{team}-")


def tokens(fake: FakeSlack, since: int = 0, **params: str) -> set[str | None]:
    """The tokens of the Web API calls (after the first `since`) whose params include `params`."""
    api = [c for c in fake.calls[since:] if c.method not in ("response_url", "upload")]
    return {c.token for c in api if all(c.params.get(k) == v for k, v in params.items())}


def answer_event(fake: FakeSlack, channel: str, thread_ts: str, user: str = "UMEMBER") -> dict[str, Any]:
    ts = fake.next_ts()
    return {
        "type": "message",
        "channel": channel,
        "user": user,
        "text": GOOD_ANSWER,
        "ts": ts,
        "thread_ts": thread_ts,
        "event_ts": ts,
        "channel_type": "channel",
    }


async def thread_of(slack: SlackHarness, channel: Channel) -> str:
    settings = await slack.app.channels.settings(channel)
    assert settings is not None
    prompts = await slack.app.posts.todays(channel, settings)
    assert prompts and prompts[0].thread_id
    return prompts[0].thread_id


async def test_two_installed_workspaces_each_speak_with_their_own_token(
    monkeypatch: pytest.MonkeyPatch, redis_url: str, redis: Redis, fake: FakeSlack
) -> None:
    one, two = fake.token_of("T1"), fake.token_of("T2")
    with time_machine.travel(MONDAY_MORNING, tick=False) as traveller:
        async with serving_slack(installable_settings(monkeypatch, fake, redis_url), fake, redis) as slack:
            await install(slack, "T1")
            await install(slack, "T2")
            for team, channel in (("T1", "C1"), ("T2", "C2")):
                await slack.command("setup time=09:00 tz=UTC days=daily", "UADMIN", channel, key=team, team_id=team)
            assert all("Saved." in r["text"] for r in await slack.responses(2))
            jobs = ChannelJobs(
                slack.app.scheduled, {"slack": slack.slack.port}, scheduler=AsyncIOScheduler(timezone="UTC")
            )
            await jobs.start()
            traveller.shift(timedelta(minutes=11))
            await tick([jobs])
            await fake.wait_for("chat.postMessage", 2)
            assert tokens(fake, channel="C1") == {one} and tokens(fake, channel="C2") == {two}, "the scheduler's posts"

            for team, channel in (("T1", "C1"), ("T2", "C2")):
                thread = await thread_of(slack, Channel(f"slack:{team}", channel))
                before = len(fake.calls)
                await slack.event(answer_event(fake, channel, thread), f"Ev-{team}", team_id=team)
                await fake.wait_for("reactions.add", 1 if team == "T1" else 2)
                await fake.wait_for("chat.postEphemeral", 1 if team == "T1" else 2)
                expected = one if team == "T1" else two
                assert tokens(fake, before) == {expected}, f"every call for {team}'s member used {team}'s token"
            await jobs.stop()
    users_info = [c for c in fake.calls if c.method == "users.info"]
    assert users_info and all(c.token in (one, two) for c in users_info)
    assert {t for c in fake.calls if c.method == "auth.test" for t in [c.token]} <= {one, two}


async def test_forged_expired_and_reused_states_are_refused(
    monkeypatch: pytest.MonkeyPatch, redis_url: str, redis: Redis, fake: FakeSlack
) -> None:
    clock = FakeClock(datetime.now(UTC))
    async with serving_slack(installable_settings(monkeypatch, fake, redis_url), fake, redis, clock) as slack:
        forged = await finish_install(slack, "d1b6a3e0-forged-state", fake.issue_code("T1"))
        issued = await start_install(slack)
        other_cookie = await finish_install(slack, issued, fake.issue_code("T1"), cookie="another-state")
        late = await start_install(slack)
        clock.advance(seconds=601)
        expired = await finish_install(slack, late, fake.issue_code("T1"))
        clock.advance(seconds=-601)
        used = await start_install(slack)
        first = await finish_install(slack, used, fake.issue_code("T2"))
        replayed = await finish_install(slack, used, fake.issue_code("T3"))

    assert [r.status for r in (forged, other_cookie, expired, replayed)] == [401, 400, 401, 401]  # Bolt's refusals
    assert first.status == 200
    assert [c["code"].split("-")[1] for c in fake.of("oauth.v2.access")] == ["T2"], "only the good state's code"
    assert await redis.keys("debrief:{slack:T1}:*") == [] and await redis.keys("debrief:{slack:T3}:*") == []


async def test_an_uninstalled_workspace_gets_no_calls_afterwards(
    monkeypatch: pytest.MonkeyPatch, redis_url: str, redis: Redis, fake: FakeSlack
) -> None:
    gone, kept = fake.token_of("T1"), fake.token_of("T2")
    with time_machine.travel(MONDAY_MORNING, tick=False) as traveller:
        async with serving_slack(installable_settings(monkeypatch, fake, redis_url), fake, redis) as slack:
            await install(slack, "T1")
            await install(slack, "T2")
            for team, channel in (("T1", "C1"), ("T2", "C2")):
                await slack.command("setup time=09:00 tz=UTC days=daily", "UADMIN", channel, key=team, team_id=team)
            await slack.responses(2)
            uninstalled = event_body({"type": "app_uninstalled"}, event_id="Ev-gone", team_id="T1")
            assert (await slack.post(json.dumps(uninstalled), "application/json")).status == 200
            fake.revoke("T1")
            assert await redis.keys("debrief:{slack:T1}:install:*") == []
            since = len(fake.calls)

            jobs = ChannelJobs(
                slack.app.scheduled, {"slack": slack.slack.port}, scheduler=AsyncIOScheduler(timezone="UTC")
            )
            await jobs.start()
            traveller.shift(timedelta(minutes=11))
            await tick([jobs])
            await fake.wait_for("chat.postMessage", 1)
            assert await jobs.post_channel("slack:T1", "C1") is None
            assert jobs.scheduler.get_job("post:slack:T2:C2") is not None
            assert jobs.scheduler.get_job("post:slack:T1:C1") is None, "the uninstalled workspace is not scheduled"
            assert jobs.scheduler.get_job("retry:slack:T1:C1") is None, "nor retried"
            await slack.command("today", "UMEMBER", "C1", key="after", team_id="T1")
            await slack.event(answer_event(fake, "C1", "1.000001"), "Ev-after", team_id="T1")
            await slack.responses(3)
            await jobs.stop()
    assert gone not in tokens(fake, since), "nothing was sent with the uninstalled workspace's token"
    assert [c.token for c in fake.calls[since:] if c.method == "chat.postMessage"] == [kept]
    assert "no longer available" in fake.of("response_url")[-1]["text"], "Bolt tells the member, through Slack"


async def test_revoked_bot_token_deletes_the_installation(
    monkeypatch: pytest.MonkeyPatch, redis_url: str, redis: Redis, fake: FakeSlack
) -> None:
    async with serving_slack(installable_settings(monkeypatch, fake, redis_url), fake, redis) as slack:
        await install(slack, "T1")
        await install(slack, "T2")
        revoked = event_body({"type": "tokens_revoked", "tokens": {"bot": ["UBOTT2"]}}, event_id="Ev-rv", team_id="T2")
        assert (await slack.post(json.dumps(revoked), "application/json")).status == 200
        assert await slack.slack.port.reaches("slack:T1") is True
        assert await slack.slack.port.reaches("slack:T2") is False


async def test_installations_survive_a_restart_and_are_shared_by_replicas(
    monkeypatch: pytest.MonkeyPatch, redis_url: str, redis: Redis, fake: FakeSlack
) -> None:
    settings = installable_settings(monkeypatch, fake, redis_url)
    async with serving_slack(settings, fake, redis) as first, serving_slack(settings, fake) as second:
        await install(first, "T1")
        before = len(fake.calls)
        await second.command("help", "UMEMBER", key="replica", team_id="T1")
        assert "How to use debrief" in (await second.responses())[0]["text"]
        assert tokens(fake, before) == {fake.token_of("T1")}, "the replica authorized T1 with T1's token"
        state = await start_install(second)
        assert (await finish_install(first, state, fake.issue_code("T2"))).status == 200, "a state from a replica"
    async with serving_slack(settings, fake) as restarted:
        before = len(fake.calls)
        await restarted.command("post", "UADMIN", key="restarted", team_id="T2", channel_id="C2")
        await fake.wait_for("chat.postMessage")
        assert tokens(fake, before) == {fake.token_of("T2")}, "the restarted app still knows T2's installation"


async def test_one_token_mode_only_logs_an_uninstall(slack: SlackHarness, caplog: pytest.LogCaptureFixture) -> None:
    uninstalled = event_body({"type": "app_uninstalled"}, event_id="Ev-gone-token", team_id="T1")
    before = len(slack.fake.calls)

    assert (await slack.post(json.dumps(uninstalled), "application/json")).status == 200
    for _ in range(50):
        if "SLACK_BOT_TOKEN no longer works" in caplog.text:
            break
        await asyncio.sleep(0.02)

    assert "app_uninstalled in workspace T1" in caplog.text
    assert slack.fake.calls[before:] == [], "one-token mode does not reach for an installation store"
    assert await slack.slack.port.reaches("slack:T1") is True


async def test_a_workspace_token_is_tested_once_not_at_every_event(
    monkeypatch: pytest.MonkeyPatch, redis_url: str, redis: Redis, fake: FakeSlack
) -> None:
    async with serving_slack(installable_settings(monkeypatch, fake, redis_url), fake, redis) as slack:
        await install(slack, "T1")
        before = len(fake.of("auth.test"))
        for n in range(5):
            await slack.command("status", "UMEMBER", "C1", key=f"status-{n}", team_id="T1")
        assert len(await slack.responses(5)) == 5
        assert len(fake.of("auth.test")) - before == 1, "Bolt's authorize is cached by token"
        await slack.event({"type": "app_uninstalled"}, "Ev-gone", team_id="T1")
        await asyncio.sleep(0.2)
        calls = len(fake.calls)
        await slack.command("status", "UMEMBER", "C1", key="status-after", team_id="T1")
        await asyncio.sleep(0.2)
        assert not [c for c in fake.calls[calls:] if c.method not in ("response_url",)], "uninstalled: no calls"
