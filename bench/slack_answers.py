"""Latency and throughput from a signed Slack answer event to the feedback call at a fake Web API.

Side by side, in the same run: a bare Bolt app that only acknowledges the event and posts one ephemeral
message. Both run the real AsyncApp over HTTP on 127.0.0.1 against the same fake Slack. Then the same answers
with the workspace on `coach=model`, a fake model on 127.0.0.1 answering each judgement after MODEL_SECONDS:
the engine's feedback must arrive as fast as with `coach=rules` (the model's follows as a second message).
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncApp

from bench.harness import latency_line, percentile, run_bench
from bench.scoring import answer_of
from bot.app.adapters import slack_app, slack_config
from bot.app.bootstrap import bootstrap
from bot.app.embedded_redis import free_port
from bot.app.settings import Settings
from bot.channel_settings import ChannelSettings
from bot.coach.openai_model import OpenAIChatModel
from bot.identities import Channel
from bot.store.client import redis_client
from content.loader import load_bank
from handlers.slack.config import web_client
from handlers.slack.server import SlackHttpServer
from tests.coach.fake_openai import FakeOpenAI
from tests.coach.judging import fixed_judge
from tests.handlers.slack.fake_slack import FakeSlack, event_body, fake_bot_token, sign

SECRET = "bench-secret"
MODEL_SECONDS = 1.0
PACED_PER_SECOND = 20.0


class TimedFakeSlack(FakeSlack):
    """The fake Slack, noting when each user's ephemeral message arrives."""

    arrived: dict[str, float]

    def _record(self, method: str, params: dict[str, Any], token: str | None = None) -> None:
        if method == "chat.postEphemeral":  # the first one: the engine's feedback (the model's may follow)
            self.arrived.setdefault(str(params.get("user")), time.perf_counter())
        super()._record(method, params, token)


def bare_app(settings: Settings) -> AsyncApp:
    """The baseline: ack, then post one ephemeral message."""
    bolt = AsyncApp(client=web_client(slack_config(settings)), signing_secret=SECRET, process_before_response=False)

    async def message(body: dict[str, Any], client: Any) -> None:
        event = body["event"]
        await client.chat_postEphemeral(
            channel=event["channel"], user=event["user"], thread_ts=event.get("thread_ts"), text="ok"
        )

    bolt.event("message")(message)
    return bolt


async def drive(
    session: aiohttp.ClientSession,
    url: str,
    fake: TimedFakeSlack,
    thread_ts: str,
    text: str,
    prefix: str,
    count: int,
    concurrency: int,
    per_second: float | None = None,
) -> tuple[list[float], float]:
    """Send `count` answer events, `concurrency` at a time (or arriving at `per_second`, however many are still
    waiting for their feedback); return per-event latencies (seconds) and answers per second."""
    sent: dict[str, float] = {}
    semaphore = asyncio.Semaphore(concurrency if per_second is None else count)
    started = time.perf_counter()

    async def one(i: int) -> None:
        if per_second is not None:
            await asyncio.sleep(max(0.0, started + i / per_second - time.perf_counter()))
        user = f"{prefix}{i}"
        event = {
            "type": "message",
            "channel": "C1",
            "user": user,
            "text": text,
            "ts": fake.next_ts(),
            "thread_ts": thread_ts,
            "event_ts": fake.next_ts(),
        }
        body = json.dumps(event_body(event, event_id=f"{prefix}-{i}"))
        async with semaphore:
            sent[user] = time.perf_counter()
            headers = {**sign(SECRET, body), "Content-Type": "application/json"}
            async with session.post(url, data=body.encode(), headers=headers) as response:
                await response.read()
            while user not in fake.arrived:
                await asyncio.sleep(0.0005)

    await asyncio.gather(*(one(i) for i in range(count)))
    elapsed = time.perf_counter() - started
    return [fake.arrived[u] - sent[u] for u in sent], count / elapsed


@asynccontextmanager
async def serving(bolt: AsyncApp) -> AsyncIterator[str]:
    port = free_port()
    server = SlackHttpServer(bolt, "127.0.0.1", port)
    await server.start()
    try:
        yield f"http://127.0.0.1:{port}/slack/events"
    finally:
        await server.stop()


async def measure(redis_url: str, count: int, concurrency: int) -> None:
    fake = TimedFakeSlack(admins={"UADMIN"})
    fake.arrived = {}
    await fake.start()
    os.environ.update(
        SLACK_MODE="http",
        SLACK_BOT_TOKEN=fake_bot_token("bench"),
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=fake.api_url,
    )
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    redis = redis_client(redis_url)
    await redis.flushdb()
    text = answer_of_default()
    model_server = FakeOpenAI()
    model_server.judge = fixed_judge(4, lambda answer: [" ".join(answer.split()[:8])])
    model_server.stall(MODEL_SECONDS)
    await model_server.start()
    model = OpenAIChatModel(model_server.url, None, "fake-model", timeout=MODEL_SECONDS + 5)
    try:
        async with bootstrap(settings, redis=redis, model=model) as app, aiohttp.ClientSession() as session:
            slack = slack_app(app)
            outcome = await app.posts.post(Channel("slack:T1", "C1"), await _settings(app), slack.port)
            assert outcome.prompt is not None and outcome.prompt.thread_id
            thread = outcome.prompt.thread_id
            async with serving(slack.bolt) as debrief_url, serving(bare_app(settings)) as bare_url:
                for url, prefix in ((debrief_url, "WARM"), (bare_url, "WARMB")):  # connections, caches, scripts
                    await drive(session, url, fake, thread, text, prefix, 20, 1)
                # Steady state: members are known (names cached); each event is a member's first answer today.
                for conc in (1, concurrency):
                    for i in range(count):
                        await slack.handlers.directory.user("slack:T1", f"D{conc}-{i}")
                print(f"{count} answer events of 350 words each; sequential, then {concurrency} at a time")
                for mode, conc in (("sequential", 1), (f"concurrency {concurrency}", concurrency)):
                    bare = await drive(session, bare_url, fake, thread, text, f"B{conc}-", count, conc)
                    ours = await drive(session, debrief_url, fake, thread, text, f"D{conc}-", count, conc)
                    print(f"-- {mode}")
                    print(latency_line("bare Bolt (ack + 1 post)", *bare))
                    print(latency_line("debrief (answer -> feedback)", *ours))
                    print(f"   latency ratio p50 {statistics.median(ours[0]) / statistics.median(bare[0]):.2f}x")
                await coach_model_round(app, slack, session, debrief_url, fake, thread, text, count, concurrency)
                print(f"   model judgements answered: {len(model_server.responses)} of {len(model_server.requests)}")
    finally:
        await redis.flushdb()
        await redis.aclose()
        await model.aclose()
        await model_server.stop()
        await fake.stop()


async def coach_model_round(
    app: Any,
    slack: Any,
    session: aiohttp.ClientSession,
    url: str,
    fake: TimedFakeSlack,
    thread: str,
    text: str,
    count: int,
    concurrency: int,
) -> None:
    """The same answers with coach=rules and then coach=model (the model answering after MODEL_SECONDS): time to
    the engine's feedback in both, in the same run: answers arriving at PACED_PER_SECOND (a busy deployment), then
    as fast as the process takes them, `concurrency` at a time (saturation: the model's follow-ups then compete
    for the same CPU)."""
    for label, conc, pace in (
        (f"{PACED_PER_SECOND:g} answers/s arriving", 1, PACED_PER_SECOND),
        (f"saturated, concurrency {concurrency}", concurrency, None),
    ):
        print(f"-- {label}: time to the engine's feedback, coach=rules against coach=model")
        runs = {}
        for mode in ("rules", "model"):
            await app.coach.set_mode("slack:T1", mode)
            prefix = f"C{conc}{mode}-"
            for i in range(count):
                await slack.handlers.directory.user("slack:T1", f"{prefix}{i}")
            runs[mode] = await drive(session, url, fake, thread, text, prefix, count, conc, pace)
            print(latency_line(f"debrief, coach={mode}", *runs[mode]))
            await asyncio.sleep(MODEL_SECONDS + 1)  # the model's follow-ups finish before the next run
        for name, share in (("p50", 0.5), ("p99", 0.99)):
            ratio = percentile(runs["model"][0], share) / percentile(runs["rules"][0], share)
            print(f"   latency ratio {name} coach=model / coach=rules {ratio:.2f}x")


async def _settings(app: Any) -> ChannelSettings:
    return ChannelSettings()


def answer_of_default() -> str:
    """A 350-word answer from the shipped bank's exemplars."""
    return answer_of(load_bank(), 350)


if __name__ == "__main__":
    run_bench(measure, __doc__, count_name="answers", count=300)
