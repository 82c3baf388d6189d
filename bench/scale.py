"""Many workspaces on a Redis Cluster with several replicas: install, post, answer, and what it costs.

On 127.0.0.1, all in one run:
- a real 3-master Redis Cluster (redis-server and redis-cli from PATH);
- the fake Slack, handing out one bot token per workspace through the install flow;
- N debrief replicas (real Bolt apps over HTTP, `REDIS_CLUSTER=true`, install mode);
- and a bare Bolt app as the baseline.

Workspaces install through `/slack/install` and `/slack/oauth_redirect`. Every replica then races to post every
channel's question, and each must go out once with its own workspace's token. Members' answers are spread over
the replicas. The run reports:
- answers/s and feedback p50/p99, beside the bare app on the same fake in the same run;
- Redis memory per answer and keys per node;
- how long the posts took.

    .venv/bin/python -m bench.scale                                    # 100 workspaces, 500 channels, 3,000 answers
    .venv/bin/python -m bench.scale --workspaces 1000 --channels 20 --answers 200000   # the full size (hours here)
"""

from __future__ import annotations

import argparse
import asyncio
import html
import json
import os
import re
import statistics
import tempfile
import time
from collections import Counter
from contextlib import AsyncExitStack
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import aiohttp

from bench.harness import latency_line
from bench.scoring import answers_of
from bench.slack_answers import SECRET as BARE_SECRET
from bench.slack_answers import TimedFakeSlack, bare_app, serving
from bot.app.settings import Settings
from bot.channel_settings import ChannelSettings
from bot.identities import Channel
from bot.store.client import redis_client
from content.loader import load_bank
from tests.cluster.nodes import LocalCluster, cluster_tools
from tests.handlers.slack.fake_slack import FakeSlack, event_body, fake_bot_token, reply_message, sign
from tests.handlers.slack.harness import SECRET, SlackHarness, serving_slack

STATE_COOKIE = "slack-app-oauth-state"


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


async def post_everywhere(replicas: list[SlackHarness], channels: list[Channel]) -> tuple[dict[str, str], float]:
    """Every replica tries to post every channel's question; each goes out once. Returns channel -> thread, and
    the seconds the racing posts took (setting the channels up and reading the threads back not counted)."""
    settings = ChannelSettings(weekdays=tuple(range(7)))
    for channel in channels:
        await replicas[0].app.stores.channels.save(channel, settings)
    started = time.perf_counter()
    semaphore = asyncio.Semaphore(64)

    async def one(replica: SlackHarness, channel: Channel) -> None:
        async with semaphore:
            await replica.app.posts.post(channel, settings, replica.slack.port)

    await asyncio.gather(*(one(r, c) for c in channels for r in replicas))
    took = time.perf_counter() - started
    threads = {}
    for channel in channels:
        (prompt,) = await replicas[0].app.posts.todays(channel, settings)
        threads[f"{channel.workspace}/{channel.channel_id}"] = prompt.thread_id or ""
    return threads, took


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


def node_stats(cluster: LocalCluster) -> list[tuple[int, int]]:
    """(keys, used memory bytes) per master."""
    stats = []
    for node in cluster.nodes:
        client = cluster.client(node)
        stats.append((int(client.dbsize()), int(client.info("memory")["used_memory"])))
        client.close()
    return stats


async def run(workspaces: int, channels_each: int, answers: int, replicas: int, concurrency: int) -> None:
    """Build the cluster and the fleet, then measure."""
    tools = cluster_tools()
    if tools is None:
        raise SystemExit("redis-server and redis-cli must be on PATH")
    texts = [text for words in (90, 250, 400) for _, text in answers_of(load_bank(), words)]
    with tempfile.TemporaryDirectory(prefix="debrief-bench-cluster-") as base:
        cluster = LocalCluster(*tools)
        cluster.start(Path(base))
        fake = TimedFakeSlack(admins={"UADMIN"})
        fake.arrived = {}
        await fake.start()
        try:
            async with AsyncExitStack() as stack:
                settings = install_settings(fake, cluster.url)
                fleet = [
                    await stack.enter_async_context(
                        serving_slack(settings, fake, redis_client(cluster.url, cluster=True))
                    )
                    for _ in range(replicas)
                ]
                teams = [f"TB{n:05d}" for n in range(workspaces)]
                started = time.perf_counter()
                for n, team in enumerate(teams):
                    await install(fleet[n % replicas], team)  # any replica serves the flow
                installed = time.perf_counter() - started
                channels = [Channel(f"slack:{t}", f"C{c:03d}") for t in teams for c in range(channels_each)]
                threads, posted = await post_everywhere(fleet, channels)
                posts = fake.of("chat.postMessage")
                tokens = Counter(c.token for c in fake.calls if c.method == "chat.postMessage")
                before = node_stats(cluster)
                targets = [
                    (ch.workspace.removeprefix("slack:"), ch.channel_id, threads[f"{ch.workspace}/{ch.channel_id}"])
                    for ch in (channels[i % len(channels)] for i in range(answers))
                ]
                session = await stack.enter_async_context(aiohttp.ClientSession())
                bare_url = await stack.enter_async_context(serving(bare_app(_bare_settings(fake, cluster.url))))
                urls = [r.url for r in fleet]
                ours = await drive(session, urls, fake, targets, texts, "M", concurrency)
                after = node_stats(cluster)
                bare_targets = targets[: min(answers, 2000)]
                bare = await drive(session, [bare_url], fake, bare_targets, texts, "B", concurrency, BARE_SECRET)
        finally:
            await fake.stop()
            cluster.stop()
    stored = sum(m for _, m in after) - sum(m for _, m in before)
    print(f"{workspaces} workspaces installed through the install flow in {installed:.1f} s on {replicas} replicas")
    print(
        f"{len(channels)} channels: {len(posts)} posts by {replicas} racing replicas in {posted:.1f} s "
        f"({len(channels) / posted:.0f} posts/s), {len(tokens)} distinct bot tokens used"
    )
    print(f"{answers} answers, {concurrency} at a time, round-robin over the replicas:")
    print(latency_line("bare Bolt (ack + 1 post)", *bare))
    print(latency_line("debrief (answer -> feedback)", *ours))
    print(f"   p50 ratio {statistics.median(ours[0]) / statistics.median(bare[0]):.2f}x")
    print(f"Redis memory per answer: {stored / answers / 1024:.2f} KiB (used_memory across the masters)")
    print("keys per node: " + " / ".join(str(k) for k, _ in after))


def _bare_settings(fake: FakeSlack, url: str) -> Settings:
    os.environ.update(SLACK_BOT_TOKEN=fake_bot_token("bare"), SLACK_MODE="http")
    for name in ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"):
        os.environ.pop(name, None)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    fake.bot_tokens[fake_bot_token("bare")] = "TBARE"
    return settings


def main() -> None:
    """`python -m bench.scale [--workspaces W] [--channels C] [--answers A] [--replicas R] [--concurrency N]`."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workspaces", type=int, default=100)
    parser.add_argument("--channels", type=int, default=5, help="channels per workspace")
    parser.add_argument("--answers", type=int, default=3000)
    parser.add_argument("--replicas", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=24)
    args = parser.parse_args()
    asyncio.run(run(args.workspaces, args.channels, args.answers, args.replicas, args.concurrency))


if __name__ == "__main__":
    main()
