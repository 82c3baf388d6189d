"""Many workspaces on a Redis Cluster with replicas: install, the scheduled posts, answers, and what it costs.

On 127.0.0.1, all in one run:
- a real Redis Cluster of 3 masters, each with 1 replica (redis-server and redis-cli from PATH);
- the fake Slack, handing out one bot token per workspace through the install flow, and limiting chat.postMessage
  per bot token as Slack does per workspace: a token bucket for the workspace (5/s, bursts of 10, i.e. 300 a
  minute) and one per channel (1/s, bursts of 3), answering 429 with Retry-After when either is empty;
- N debrief replicas (real Bolt apps over HTTP, `REDIS_CLUSTER=true`, install mode), each running the real
  scheduler (ChannelJobs on APScheduler; only the clock is moved, with time_machine);
- and a bare Bolt app as the baseline for answers.

Workspaces install through `/slack/install` and `/slack/oauth_redirect`, and every channel is set up for 09:00 UTC.
The clock then reaches 09:00 and every replica's scheduler races to post every channel's question; each must go
out once, with its own workspace's token, while the fake answers every Web API call after 20 ms. Its baseline, in
the same run: what the limits allow (computed from the buckets, the latency and the posts in flight), and the
same Web API client posting the same messages directly, as many at a time as the replicas' schedulers together,
taking the workspaces in turn. Members' answers are then spread over the replicas (the fake adds no latency
there, so the figures compare with earlier runs). The run reports:
- the scheduler's post time against the rate-limit ideal, as ratios;
- answers/s and feedback p50/p99, beside the bare app on the same fake in the same run;
- Redis memory per answer and keys per master (the spread).

    .venv/bin/python -m bench.scale                           # 50 workspaces, 1,000 channels, 3,000 answers: ~1.5 min
    .venv/bin/python -m bench.scale --workspaces 1000 --channels 20 --answers 200000   # the full size

On a shared 2-core machine the full size takes about 10 minutes to install and post and about 40 answers/s after
that (1.5 hours for 200,000); `--answers 40000` fits in half an hour.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import json
import math
import os
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp
import time_machine
from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from slack_sdk.errors import SlackApiError

from bench.harness import latency_line
from bench.scoring import answers_of
from bench.slack_answers import SECRET as BARE_SECRET
from bench.slack_answers import TimedFakeSlack, bare_app, serving
from bot.app.adapters import slack_config
from bot.app.settings import Settings
from bot.channel_settings import ChannelSettings
from bot.identities import Channel
from bot.store.client import redis_client
from content.loader import load_bank
from handlers.slack.config import web_client
from scheduler.channel_jobs import ChannelJobs
from tests.cluster.nodes import MASTERS, LocalCluster, cluster_tools
from tests.handlers.slack.fake_slack import FakeSlack, event_body, fake_bot_token, reply_message, sign
from tests.handlers.slack.harness import SECRET, SlackHarness, serving_slack

STATE_COOKIE = "slack-app-oauth-state"
POST = "chat.postMessage"


@dataclass(frozen=True)
class PostLimits:
    """Slack's limits on chat.postMessage for one bot token (one workspace): about one message a second in a channel
    with short bursts, a few hundred a minute across the workspace; and how long every Web API call takes."""

    workspace_rate: float = 5.0
    workspace_burst: float = 10.0
    channel_rate: float = 1.0
    channel_burst: float = 3.0
    latency: float = 0.02

    def fastest(self, per_workspace: list[int], concurrency: int) -> float:
        """The earliest the last of these posts can arrive, whatever the client: each workspace's bucket lets its
        burst through and then `workspace_rate` a second, and `concurrency` calls in flight each take the latency.
        (Each channel posts once, so the channel buckets never bind.)"""
        bucket = max(max(0.0, n - self.workspace_burst) / self.workspace_rate for n in per_workspace) + self.latency
        in_flight = math.ceil(sum(per_workspace) / concurrency) * self.latency
        return max(bucket, in_flight)

    def refill(self) -> float:
        """Seconds until an emptied workspace's and channel's buckets are full again."""
        return max(self.workspace_burst / self.workspace_rate, self.channel_burst / self.channel_rate)

    def describe(self) -> str:
        """The limits in a line."""
        return (
            f"{self.workspace_rate:g}/s per workspace (burst {self.workspace_burst:g}), "
            f"{self.channel_rate:g}/s per channel (burst {self.channel_burst:g}), 429 with Retry-After; "
            f"{self.latency * 1000:.0f} ms latency"
        )


@dataclass
class Bucket:
    """A token bucket: `rate` tokens a second, holding at most `burst`."""

    rate: float
    burst: float
    tokens: float
    at: float

    def wait(self, now: float) -> float:
        """Seconds until a token is there (0: there is one now)."""
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate


@dataclass
class Tally:
    """What one phase did at the fake: Web API calls by method, and the posts it took (token, channel)."""

    methods: Counter[str] = field(default_factory=Counter)
    posts: Counter[tuple[str, str]] = field(default_factory=Counter)
    first_arrival: dict[tuple[str, str], float] = field(default_factory=dict)
    messages: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    @property
    def refused(self) -> int:
        """Posts answered with 429."""
        return self.methods[f"{POST}#429"]

    def done_at(self) -> float:
        """When the last (token, channel) got its first post (perf_counter)."""
        return max(self.first_arrival.values())


class LimitedSlack(TimedFakeSlack):
    """The fake Slack with Slack's per-workspace limits on chat.postMessage and a latency on every call; it keeps a
    tally per phase instead of every call (a run makes millions)."""

    def __init__(self, limits: PostLimits, **fields: Any) -> None:
        super().__init__(**fields)
        self.limits = limits
        self.latency = 0.0
        self.arrived = {}
        self.tally = Tally()
        self._buckets: dict[tuple[str, str], Bucket] = {}

    async def _api(self, request: web.Request) -> web.Response:
        if self.latency:
            await asyncio.sleep(self.latency)
        if request.match_info["method"] == POST:
            params = await self._params(request)  # aiohttp keeps the body, so the fake reads it again
            token = self._token(request, params) or ""
            retry_after = self._admit(token, str(params.get("channel")))
            if retry_after:
                self._record(f"{POST}#429", params, token)
                return web.json_response(
                    {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": str(retry_after)}
                )
        return await super()._api(request)

    def _admit(self, token: str, channel: str) -> int:
        """0 when both the workspace's and the channel's bucket have a token (both are taken), otherwise the
        Retry-After seconds."""
        now = time.monotonic()
        workspace = self._bucket((token, ""), self.limits.workspace_rate, self.limits.workspace_burst, now)
        here = self._bucket((token, channel), self.limits.channel_rate, self.limits.channel_burst, now)
        wait = max(workspace.wait(now), here.wait(now))
        if wait:
            return max(1, math.ceil(wait))
        workspace.tokens -= 1
        here.tokens -= 1
        return 0

    def _bucket(self, key: tuple[str, str], rate: float, burst: float, now: float) -> Bucket:
        if key not in self._buckets:
            self._buckets[key] = Bucket(rate, burst, burst, now)
        return self._buckets[key]

    def _record(self, method: str, params: dict[str, Any], token: str | None = None) -> None:
        tally = self.tally
        tally.methods[method] += 1
        if method == POST:
            key = (token or "", str(params.get("channel")))
            tally.posts[key] += 1
            if key not in tally.first_arrival:
                tally.first_arrival[key] = time.perf_counter()
                tally.messages.append((key[0], params))
        super()._record(method, params, token)
        self.calls.clear()

    async def until_posted(self, count: int, timeout: float) -> bool:
        """Wait until `count` distinct (token, channel) pairs were posted in this phase; False after `timeout`."""
        deadline = time.monotonic() + timeout
        while len(self.tally.posts) < count:
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.02)
        return True


def install_settings(fake: FakeSlack, url: str) -> Settings:
    """Install-mode settings on the cluster (the environment is this process's own)."""
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_MODE", "DISCORD_TOKEN"):
        os.environ.pop(name, None)
    os.environ.update(
        SLACK_CLIENT_ID=fake.client_id,
        SLACK_CLIENT_SECRET=fake.client_secret,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=fake.api_url,
        REDIS_URL=url,
        REDIS_CLUSTER="true",
    )
    return Settings(_env_file=None)  # type: ignore[call-arg]


async def install(replica: SlackHarness, team: str) -> None:
    """One workspace through the install flow, as a browser would."""
    page = await replica.session.get(f"{replica.base}/slack/install", allow_redirects=False)
    found = re.search(r'href="(https://slack\.com/oauth/v2/authorize\?[^"]+)"', await page.text())
    assert found, "the install page links to Slack's authorize URL"
    state = parse_qs(urlsplit(html.unescape(found.group(1))).query)["state"][0]
    done = await replica.session.get(
        f"{replica.base}/slack/oauth_redirect",
        params={"code": replica.fake.issue_code(team), "state": state},
        headers={"Cookie": f"{STATE_COOKIE}={state}"},
        allow_redirects=False,
    )
    await done.read()
    assert done.status == 200, f"install of {team} answered {done.status}"


async def at_most(concurrency: int, calls: list[Any]) -> list[Any]:
    """Await the coroutines, `concurrency` at a time; their results in order."""
    semaphore = asyncio.Semaphore(concurrency)

    async def one(call: Any) -> Any:
        async with semaphore:
            return await call

    return await asyncio.gather(*(one(c) for c in calls))


async def scheduled_posts(
    fleet: list[SlackHarness],
    fake: LimitedSlack,
    traveller: time_machine.Traveller,
    due: datetime,
    expected: int,
    concurrency: int,
    timeout: float,
) -> float | None:
    """Every replica's scheduler, started before `due`; then the clock reaches `due`. Seconds from then until every
    channel's post arrived (None if some had not after `timeout`); the schedulers are stopped once idle."""
    jobs = [
        ChannelJobs(
            r.app.scheduled,
            {"slack": r.slack.port},
            scheduler=AsyncIOScheduler(timezone="UTC"),
            concurrency=concurrency,
        )
        for r in fleet
    ]
    for job in jobs:
        await job.start()
    fake.tally = Tally()
    traveller.move_to(due, tick=True)
    started = time.perf_counter()
    for job in jobs:
        job.scheduler.wakeup()
    complete = await fake.until_posted(expected, timeout)
    for job in jobs:  # from this task, which `start` ran in: `stop` waits for every other task the jobs ran in
        await job.stop()
    return fake.tally.done_at() - started if complete else None


async def post_directly(settings: Settings, messages: list[tuple[str, dict[str, Any]]], concurrency: int) -> float:
    """The baseline: the same messages through the same Web API client (one per bot token, with the retries on 429
    the app's clients have), `concurrency` at a time, taking the workspaces in turn. Returns when it started."""
    by_token: dict[str, list[dict[str, Any]]] = {}
    for token, params in messages:
        by_token.setdefault(token, []).append(params)
    longest = max(len(p) for p in by_token.values())
    order = [(t, posts[i]) for i in range(longest) for t, posts in by_token.items() if i < len(posts)]
    config = slack_config(settings)
    async with aiohttp.ClientSession() as session:
        clients = {token: web_client(config, token) for token in by_token}
        for client in clients.values():
            client.session = session

        async def one(token: str, params: dict[str, Any]) -> None:
            try:
                await clients[token].chat_postMessage(
                    channel=params["channel"],
                    text=params.get("text"),
                    blocks=params.get("blocks"),
                    unfurl_links=params.get("unfurl_links"),
                )
            except SlackApiError as exc:
                print(f"direct post to {params['channel']} refused: {exc.response.get('error')}")

        started = time.perf_counter()
        await at_most(concurrency, [one(t, p) for t, p in order])
    return started


def check_posts(tally: Tally, owners: dict[str, str], fake: FakeSlack) -> str:
    """Each channel posted once, with the token its workspace installed: what was not."""
    tokens_by_channel: dict[str, list[str]] = {}
    for (token, channel), times in tally.posts.items():
        tokens_by_channel.setdefault(channel, []).extend([token] * times)
    missing = [c for c in owners if c not in tokens_by_channel]
    twice = [c for c, tokens in tokens_by_channel.items() if len(tokens) > 1]
    wrong = [c for c, tokens in tokens_by_channel.items() if any(t != fake.token_of(owners[c]) for t in tokens)]
    distinct = len({t for t, _ in tally.posts})
    return (
        f"{len(tokens_by_channel)} channels posted, {len(missing)} missing, {len(twice)} posted more than once, "
        f"{len(wrong)} with another workspace's token; {distinct} distinct bot tokens"
    )


async def drive(
    session: aiohttp.ClientSession,
    urls: list[str],
    fake: TimedFakeSlack,
    targets: list[tuple[str, str, str]],
    texts: list[str],
    prefix: str,
    concurrency: int,
    secret: str = SECRET,
) -> tuple[list[float], float]:
    """One answer per (team, channel, thread) target from a new member, round-robin over `urls`."""
    sent: dict[str, float] = {}
    semaphore = asyncio.Semaphore(concurrency)

    async def one(i: int, team: str, channel: str, thread: str) -> None:
        user = f"{prefix}{i}"
        ts = fake.next_ts()
        event = reply_message(ts, thread, texts[i % len(texts)], user, channel)
        body = json.dumps(event_body(event, event_id=f"{prefix}-{i}", team_id=team))
        async with semaphore:
            sent[user] = time.perf_counter()
            headers = {**sign(secret, body), "Content-Type": "application/json"}
            async with session.post(urls[i % len(urls)], data=body.encode(), headers=headers) as response:
                await response.read()
                if response.status != 200:
                    raise RuntimeError(f"answer {i} was refused with HTTP {response.status}")
            waited = time.perf_counter()
            while user not in fake.arrived:
                if time.perf_counter() - waited > 60:
                    raise RuntimeError(f"no feedback for answer {i} after 60 s")
                await asyncio.sleep(0.001)

    started = time.perf_counter()
    await asyncio.gather(*(one(i, *target) for i, target in enumerate(targets)))
    elapsed = time.perf_counter() - started
    return [fake.arrived[u] - sent[u] for u in sent], len(targets) / elapsed


def note(message: str) -> None:
    """Where a long run is, on stderr (the figures go to stdout)."""
    print(f"[{time.perf_counter() - _STARTED:7.1f} s] {message}", file=sys.stderr, flush=True)


_STARTED = time.perf_counter()  # the run moves the clock, so progress counts seconds from here


def node_stats(cluster: LocalCluster) -> list[tuple[int, int]]:
    """(keys, used memory bytes) per master (the replicas hold copies)."""
    stats = []
    for node in cluster.masters():
        with cluster.client(node) as client:
            stats.append((int(client.dbsize()), int(client.info("memory")["used_memory"])))
    return stats


def next_nine() -> datetime:
    """The next 09:00 UTC: the clock only ever moves forward, so Redis's own time and ours keep their order."""
    now = datetime.now(UTC)
    nine = now.replace(hour=9, minute=0, second=0, microsecond=0)
    return nine if nine > now + timedelta(seconds=5) else nine + timedelta(days=1)


@dataclass(frozen=True)
class Size:
    """How big a run is."""

    workspaces: int
    channels_each: int
    answers: int
    replicas: int
    concurrency: int
    post_concurrency: int
    post_timeout: float


async def run(size: Size, limits: PostLimits) -> None:
    """Build the cluster and the fleet, then measure."""
    tools = cluster_tools()
    if tools is None:
        raise SystemExit("redis-server and redis-cli must be on PATH")
    texts = [text for words in (90, 250, 400) for _, text in answers_of(load_bank(), words)]
    due = next_nine()
    with (
        tempfile.TemporaryDirectory(prefix="debrief-bench-cluster-") as base,
        time_machine.travel(due - timedelta(seconds=1), tick=False) as traveller,
    ):
        cluster = LocalCluster(*tools, replicas=1)
        note(f"starting a cluster of {MASTERS} masters with a replica each")
        cluster.start(Path(base))
        fake = LimitedSlack(limits, admins={"UADMIN"})
        await fake.start()
        try:
            async with AsyncExitStack() as stack:
                settings = install_settings(fake, cluster.url)
                fleet = [
                    await stack.enter_async_context(
                        serving_slack(settings, fake, redis_client(cluster.url, cluster=True))
                    )
                    for _ in range(size.replicas)
                ]
                teams = [f"TB{n:05d}" for n in range(size.workspaces)]
                note(f"installing {size.workspaces} workspaces")
                started = time.perf_counter()
                for n, team in enumerate(teams):
                    await install(fleet[n % size.replicas], team)  # any replica serves the flow
                installed = time.perf_counter() - started
                channels = [
                    Channel(f"slack:{t}", f"C{n:04d}{c:03d}")
                    for n, t in enumerate(teams)
                    for c in range(size.channels_each)
                ]
                owners = {c.channel_id: c.workspace.removeprefix("slack:") for c in channels}
                daily = ChannelSettings(weekdays=tuple(range(7)), digest=False)  # 09:00 UTC
                await at_most(64, [fleet[0].app.stores.channels.save(c, daily) for c in channels])

                fake.latency = limits.latency
                note(f"{len(channels)} channels set up; the schedulers start, then the clock reaches 09:00")
                scheduled = await scheduled_posts(
                    fleet, fake, traveller, due, len(channels), size.post_concurrency, size.post_timeout
                )
                ours = fake.tally
                await asyncio.sleep(limits.refill() + 1)  # the direct posts start on full buckets too
                note("the same posts directly")
                fake.tally = Tally()
                in_flight = size.replicas * size.post_concurrency
                direct_started = await post_directly(settings, ours.messages, in_flight)
                theirs = fake.tally
                direct = theirs.done_at() - direct_started
                fake.latency = 0.0

                note("reading the threads back")
                prompts = await at_most(64, [fleet[0].app.posts.todays(c, daily) for c in channels])
                threads = {c: p[0].thread_id for c, p in zip(channels, prompts, strict=True) if p and p[0].thread_id}
                posted = [c for c in channels if c in threads]
                before = node_stats(cluster)
                targets = [
                    (ch.workspace.removeprefix("slack:"), ch.channel_id, threads[ch])
                    for ch in (posted[i % len(posted)] for i in range(size.answers))
                ]
                fake.tally = Tally()
                session = await stack.enter_async_context(aiohttp.ClientSession())
                bare_url = await stack.enter_async_context(serving(bare_app(_bare_settings(fake, cluster.url))))
                urls = [r.url for r in fleet]
                note(f"{size.answers} answers")
                answered = await drive(session, urls, fake, targets, texts, "M", size.concurrency)
                per_answer = Counter(fake.tally.methods)
                after = node_stats(cluster)
                bare_targets = targets[: min(size.answers, 2000)]
                note("the bare Bolt app's answers")
                bare = await drive(session, [bare_url], fake, bare_targets, texts, "B", size.concurrency, BARE_SECRET)
        finally:
            await fake.stop()
            cluster.stop()

    flow = f"{size.workspaces} workspaces installed through the install flow"
    print(f"{flow} in {installed:.1f} s on {size.replicas} replicas")
    masters = len(before)
    print(f"Redis Cluster: {masters} masters, each with {len(cluster.nodes) // masters - 1} replica(s)")
    per_workspace = list(Counter(owners.values()).values())
    fastest = limits.fastest(per_workspace, in_flight)
    print(
        f"{len(channels)} channels in {size.workspaces} workspaces due at 09:00 UTC; the fake chat.postMessage: "
        f"{limits.describe()}; {size.replicas} replicas x {size.post_concurrency} posts at a time"
    )
    print(f"what the limits allow, computed:                {fastest:7.2f} s")
    print(f"the same client posting directly, {in_flight} at a time: {direct:7.2f} s   ({theirs.refused} 429s)")
    print(f"   {check_posts(theirs, owners, fake)}")
    if scheduled is None:
        print(f"the schedulers -> core -> Slack: NOT DONE after {size.post_timeout:.0f} s")
    else:
        print(
            f"the schedulers -> core -> Slack:                {scheduled:7.2f} s   ({ours.refused} 429s)   "
            f"ratio {scheduled / fastest:.2f}x computed, {scheduled / direct:.2f}x direct"
        )
    print(f"   {check_posts(ours, owners, fake)}")
    print(f"{size.answers} answers, {size.concurrency} at a time, round-robin over the replicas:")
    print(latency_line("bare Bolt (ack + 1 post)", *bare))
    print(latency_line("debrief (answer -> feedback)", *answered))
    print(f"   p50 ratio {statistics.median(answered[0]) / statistics.median(bare[0]):.2f}x")
    calls = ", ".join(f"{m} {n / size.answers:.2f}" for m, n in sorted(per_answer.items()))
    print(f"   Web API calls per answer: {calls}")
    stored = sum(m for _, m in after) - sum(m for _, m in before)
    print(f"Redis memory per answer: {stored / size.answers / 1024:.2f} KiB (used_memory across the masters)")
    keys = [k for k, _ in after]
    print(f"keys per master: {' / '.join(str(k) for k in keys)}   (max/min {max(keys) / max(1, min(keys)):.2f}x)")


def _bare_settings(fake: FakeSlack, url: str) -> Settings:
    os.environ.update(SLACK_BOT_TOKEN=fake_bot_token("bare"), SLACK_MODE="http")
    for name in ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"):
        os.environ.pop(name, None)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    fake.bot_tokens[fake_bot_token("bare")] = "TBARE"
    return settings


def main() -> None:
    """`python -m bench.scale [--workspaces W] [--channels C] [--answers A] [--replicas R] [--concurrency N] …`."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workspaces", type=int, default=50)
    parser.add_argument("--channels", type=int, default=20, help="channels per workspace")
    parser.add_argument("--answers", type=int, default=3000)
    parser.add_argument("--replicas", type=int, default=3, help="debrief replicas")
    parser.add_argument("--concurrency", type=int, default=24, help="answers in flight")
    parser.add_argument("--post-concurrency", type=int, default=16, help="posts in flight per replica's scheduler")
    parser.add_argument("--post-timeout", type=float, default=1800, help="seconds the posts may take")
    parser.add_argument("--workspace-rate", type=float, default=PostLimits.workspace_rate, help="posts/s")
    parser.add_argument("--workspace-burst", type=float, default=PostLimits.workspace_burst)
    parser.add_argument("--latency-ms", type=float, default=PostLimits.latency * 1000)
    args = parser.parse_args()
    size = Size(
        args.workspaces,
        args.channels,
        args.answers,
        args.replicas,
        args.concurrency,
        args.post_concurrency,
        args.post_timeout,
    )
    limits = PostLimits(args.workspace_rate, args.workspace_burst, latency=args.latency_ms / 1000)
    asyncio.run(run(size, limits))


if __name__ == "__main__":
    main()
