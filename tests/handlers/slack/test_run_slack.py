"""`debrief run --platform slack` as deployed: a separate process serving /slack/events over HTTP."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from datetime import UTC, datetime

import aiohttp
from redis.asyncio import Redis

from bot.app.embedded_redis import free_port
from bot.channel_settings import ChannelSettings
from bot.identities import Channel
from bot.store import Stores
from tests.bot.scenario import GOOD_ANSWER
from tests.handlers.slack.fake_slack import FakeSlack, command_body, event_body, sign
from tests.processes import terminate

SECRET = "process-secret"


async def test_run_platform_slack_serves_events_end_to_end(redis_url: str, redis: Redis) -> None:
    fake = FakeSlack(admins={"UADMIN"})
    await fake.start()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DEBRIEF_"))}
    env.update(
        SLACK_MODE="http",
        SLACK_BOT_TOKEN="xoxb-process",
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=fake.api_url,
        REDIS_URL=redis_url,
        SLACK_HTTP_PORT=str(port),
        SLACK_HTTP_HOST="127.0.0.1",
        DEBRIEF_HEALTH_PORT="0",
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        "--platform",
        "slack",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/slack/events"
    try:
        async with aiohttp.ClientSession() as session:
            await _wait_until_serving(session, url, process)

            async def send(body: str, content_type: str) -> int:
                headers = {**sign(SECRET, body), "Content-Type": content_type}
                async with session.post(url, data=body.encode(), headers=headers) as response:
                    return response.status

            body = command_body("post", user_id="UADMIN", response_url=fake.response_url())
            assert await send(body, "application/x-www-form-urlencoded") == 200
            await fake.wait_for("chat.postMessage")
            await fake.wait_for("response_url")
            store = Stores.over(redis)
            channel = Channel("slack:T1", "C1")
            settings = await store.channels.settings(channel)
            assert settings is not None
            prompts = await store.prompts.on_day(channel, _today(settings))
            thread_ts = prompts[0].thread_id
            answer = {
                "type": "message",
                "channel": "C1",
                "user": "UMEMBER",
                "text": GOOD_ANSWER,
                "ts": fake.next_ts(),
                "thread_ts": thread_ts,
                "event_ts": fake.next_ts(),
            }
            assert await send(json.dumps(event_body(answer, event_id="Ev-proc")), "application/json") == 200
            await fake.wait_for("reactions.add")
            feedback = (await fake.wait_for("chat.postEphemeral"))[0]
            assert "Streak: 1-day streak" in str(feedback["blocks"])
    finally:
        status, output = await terminate(process)
        await fake.stop()
    assert status == 0, output


def _today(settings: ChannelSettings) -> int:
    return datetime.now(UTC).astimezone(settings.zone).date().toordinal()


async def _wait_until_serving(session: aiohttp.ClientSession, url: str, process: asyncio.subprocess.Process) -> None:
    for _ in range(200):
        if process.returncode is not None:
            output = (await process.stdout.read()).decode() if process.stdout else ""
            raise AssertionError(f"debrief exited early with {process.returncode}: {output}")
        try:
            async with session.get(url) as response:
                await response.read()
                return
        except aiohttp.ClientConnectionError:
            await asyncio.sleep(0.1)
    raise AssertionError("debrief never started serving")


async def test_run_with_the_install_flow_installs_a_workspace_and_serves_it(redis_url: str, redis: Redis) -> None:
    fake = FakeSlack(admins={"UADMIN"})
    await fake.start()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DEBRIEF_"))}
    env.update(
        SLACK_CLIENT_ID=fake.client_id,
        SLACK_CLIENT_SECRET=fake.client_secret,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=fake.api_url,
        REDIS_URL=redis_url,
        SLACK_HTTP_PORT=str(port),
        SLACK_HTTP_HOST="127.0.0.1",
        DEBRIEF_HEALTH_PORT="0",
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as session:
            await _wait_until_serving(session, f"{base}/slack/events", process)
            async with session.get(f"{base}/slack/install", allow_redirects=False) as page:
                assert page.status == 200
                state = page.cookies["slack-app-oauth-state"].value
            params = {"code": fake.issue_code("T9"), "state": state}
            headers = {"Cookie": f"slack-app-oauth-state={state}"}
            async with session.get(f"{base}/slack/oauth_redirect", params=params, headers=headers) as done:
                assert done.status == 200
            body = command_body("post", user_id="UADMIN", response_url=fake.response_url(), team_id="T9")
            headers = {**sign(SECRET, body), "Content-Type": "application/x-www-form-urlencoded"}
            async with session.post(f"{base}/slack/events", data=body.encode(), headers=headers) as response:
                assert response.status == 200
            await fake.wait_for("chat.postMessage")
            assert {c.token for c in fake.calls if c.method == "chat.postMessage"} == {fake.token_of("T9")}
    finally:
        status, output = await terminate(process)
        await fake.stop()
    assert status == 0, output
    assert fake.token_of("T9") not in output and fake.client_secret not in output, "secrets are never logged"
