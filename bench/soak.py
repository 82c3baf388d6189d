"""Soak: `debrief run` (Slack over HTTP) under mixed traffic for a long stretch, with Redis killed and restarted
twice and a 429 storm from Slack, then an account of every answer.

Everything runs on 127.0.0.1: a redis-server with an append-only file fsynced on every write (how a deployment
that must not lose answers runs it), the fake Slack Web API, and the real `debrief run` process. Members behave as
members do: a new answer in the thread, an edit that changes the text, a reply with a file; Slack behaves as
Slack does: the same event again under its own id (a retry) or the same message under a new id. A member told
that their answer could not be saved (Redis down) sends it again a little later.

At the end, after the outbox has drained: for every member, feedback messages expected (one per accepted new
text) against feedback delivered, answers stored in Redis, and how often the process had to be restarted.

    .venv/bin/python -m bench.soak                  # 30 minutes, 3 answers a second
    .venv/bin/python -m bench.soak --minutes 3      # a quick run
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import random
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import time as clock_time
from pathlib import Path
from typing import Any

import aiohttp
from redis.asyncio import Redis

from bench.scoring import answers_of
from bot.answers import UNSAVED_ANSWER
from bot.app.embedded_redis import find_redis_server, free_port
from bot.channel_settings import ChannelSettings
from bot.identities import Channel, ThreadRef
from bot.store import Stores
from bot.store.outbox import OutboxStore
from content.loader import load_bank
from tests.handlers.slack.fake_slack import FakeSlack, command_body, event_body, fake_bot_token, reply_message, sign

SECRET = "soak-secret"
CHANNEL = Channel("slack:T1", "C1")
UNSAVED_MARK = UNSAVED_ANSWER[:30]
ROOT = Path(__file__).resolve().parents[1]


class SoakSlack(FakeSlack):
    """The fake Slack, remembering the ts of each top-level post (the question's thread) and counting, per
    member, the feedback messages it accepted and the "not saved" notes."""

    posted: list[str]
    feedback: Counter[str]
    unsaved: Counter[str]

    def _record(self, method: str, params: dict[str, Any], token: str | None = None) -> None:
        if method == "chat.postEphemeral":
            text, user = str(params.get("text", "")), str(params.get("user"))
            if UNSAVED_MARK in text:
                self.unsaved[user] += 1
            elif "Score " in text:
                self.feedback[user] += 1
        super()._record(method, params, token)

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        answer = super()._answer(method, params)
        if method == "chat.postMessage" and not params.get("thread_ts"):
            self.posted.append(str(answer["ts"]))
        return answer


@dataclass
class RedisServer:
    """A redis-server on a fixed port that can be killed (SIGKILL) and started again on the same files."""

    port: int
    data: Path
    process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        binary = find_redis_server() or shutil.which("redis-server") or "redis-server"
        args = ["--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.data), "--save", ""]
        args += ["--appendonly", "yes", "--appendfsync", "always", "--protected-mode", "no"]
        self.process = await asyncio.create_subprocess_exec(
            binary, *args, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
        )
        client = Redis(port=self.port)
        try:
            for _ in range(200):
                with contextlib.suppress(Exception):
                    if await client.ping():
                        return
                await asyncio.sleep(0.05)
            raise RuntimeError("redis-server did not start")
        finally:
            await client.aclose()

    async def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()


@dataclass
class Bot:
    """`debrief run` in HTTP mode; restarted (and counted) if it ever exits."""

    env: dict[str, str]
    cwd: Path
    log: Path
    restarts: int = 0
    process: asyncio.subprocess.Process | None = None
    stopping: bool = False

    async def start(self) -> None:
        out = self.log.open("ab")
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", env=self.env, cwd=self.cwd, stdout=out, stderr=out
        )
        out.close()

    async def watch(self) -> None:
        while not self.stopping:
            assert self.process is not None
            await self.process.wait()
            if self.stopping:
                return
            self.restarts += 1
            await self.start()

    async def stop(self) -> None:
        self.stopping = True
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 20)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


@dataclass
class Member:
    """What one simulated member sent: texts that should each earn one feedback message."""

    user: str
    ts: str
    texts: list[str] = field(default_factory=list)  # every distinct text sent, in order: one feedback each
    handled: int = 0  # "not saved" notes already acted on


@dataclass
class Soak:
    """The traffic generator and its bookkeeping."""

    session: aiohttp.ClientSession
    url: str
    fake: SoakSlack
    thread_ts: str
    texts: list[str]
    rng: random.Random
    members: list[Member] = field(default_factory=list)
    sent: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    quiet: bool = True  # False while Redis is down (members wait before sending again)
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def post(self, body: str, content_type: str, retry: int | None = None) -> None:
        headers = {**sign(SECRET, body), "Content-Type": content_type}
        if retry is not None:
            headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        try:
            async with self.session.post(self.url, data=body.encode(), headers=headers) as response:
                self.statuses[response.status] += 1
        except aiohttp.ClientError:
            self.statuses[0] += 1

    async def event(self, event: dict[str, Any], event_id: str, retry: int | None = None) -> None:
        await self.post(json.dumps(event_body(event, event_id=event_id)), "application/json", retry)

    def message(self, member: Member, text: str, ts: str, subtype: str | None = None) -> dict[str, Any]:
        event = reply_message(ts, self.thread_ts, text, member.user)
        if subtype == "file_share":
            event["subtype"] = "file_share"
            event["files"] = [{"id": f"F{ts}", "name": "notes.pdf"}]
        return event

    async def new_answer(self, with_file: bool = False) -> None:
        n = next(self.ids)
        member = Member(f"US{n:06d}", self.fake.next_ts())
        text = f"{self.rng.choice(self.texts)} (member {n})"
        member.texts.append(text)
        self.members.append(member)
        self.sent["file reply" if with_file else "new answer"] += 1
        subtype = "file_share" if with_file else None
        await self.event(self.message(member, text, member.ts, subtype), f"Ev{n}-0")

    def settled(self) -> list[Member]:
        """Recent members whose every text has had its feedback."""
        return [m for m in self.members[-200:] if self.fake.feedback[m.user] >= len(m.texts)]

    async def edit(self) -> None:
        settled = self.settled()
        if not settled:
            return
        member = self.rng.choice(settled)
        text = f"{self.rng.choice(self.texts)} (member {member.user}, edit {len(member.texts)})"
        member.texts.append(text)
        self.sent["edit"] += 1
        await self.send_edit(member, text)

    async def send_edit(self, member: Member, text: str) -> None:
        stamp = self.fake.next_ts()
        event = {
            "type": "message",
            "subtype": "message_changed",
            "channel": "C1",
            "event_ts": stamp,
            "ts": stamp,
            "message": {
                "type": "message",
                "user": member.user,
                "text": text,
                "ts": member.ts,
                "thread_ts": self.thread_ts,
                "edited": {"user": member.user, "ts": stamp},
            },
            "previous_message": {
                "type": "message",
                "user": member.user,
                "text": member.texts[max(0, len(member.texts) - 2)],
                "ts": member.ts,
            },
        }
        await self.event(event, f"EvEdit{next(self.ids)}")

    async def slack_duplicate(self) -> None:
        """Slack delivering an event again: a retry under the same event id, or the same message under a new id."""
        settled = [m for m in self.settled() if len(m.texts) == 1]
        if not settled:
            return
        member = self.rng.choice(settled)
        if self.rng.random() < 0.5:
            self.sent["slack retry (same event id)"] += 1
            n = int(member.user.removeprefix("US"))
            await self.event(self.message(member, member.texts[0], member.ts), f"Ev{n}-0", retry=1)
        else:
            self.sent["same message, new event id"] += 1
            await self.event(self.message(member, member.texts[0], member.ts), f"EvDup{next(self.ids)}")

    async def command(self) -> None:
        user = self.rng.choice(self.members).user if self.members else "UADMIN"
        self.sent["command"] += 1
        words = self.rng.choice(("streak", "leaderboard points", "today", "help"))
        url = self.fake.response_url(f"c{next(self.ids)}")
        await self.post(command_body(words, user_id=user, response_url=url), "application/x-www-form-urlencoded")

    async def resend_unsaved(self) -> None:
        """Members told their answer was not saved send their latest text once more: as a new message when
        nothing of theirs was saved yet, as the same edit again otherwise."""
        for member in self.members:
            told = self.fake.unsaved[member.user]
            if member.handled >= told:
                continue
            member.handled = told
            self.sent["sent again after 'not saved'"] += 1
            latest = member.texts[-1]
            if self.fake.feedback[member.user] == 0:
                member.ts = self.fake.next_ts()
                await self.event(self.message(member, latest, member.ts), f"EvAgain{next(self.ids)}")
            else:
                await self.send_edit(member, latest)


async def wait_until_listening(url: str, bot: Bot, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            with contextlib.suppress(aiohttp.ClientError):
                async with session.post(url, data=b"{}") as response:
                    if response.status in (400, 401):
                        return
            await asyncio.sleep(0.2)
    raise RuntimeError(f"debrief never listened on {url}; see {bot.log}")


async def soak(minutes: float, rate: float, seed: int) -> None:
    """Run the soak and print its account."""
    workdir = Path(tempfile.mkdtemp(prefix="debrief-soak-"))
    redis_server = RedisServer(free_port(), workdir)
    await redis_server.start()
    redis_url = f"redis://127.0.0.1:{redis_server.port}/0"
    fake = SoakSlack(admins={"UADMIN"})
    fake.posted, fake.feedback, fake.unsaved = [], Counter(), Counter()
    await fake.start()
    http_port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_", "DEBRIEF_", "REDIS_URL"))}
    env |= {
        "HOME": str(workdir),
        "PYTHONUNBUFFERED": "1",
        "REDIS_URL": redis_url,
        "SLACK_BOT_TOKEN": fake_bot_token("soak"),
        "SLACK_MODE": "http",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_HTTP_PORT": str(http_port),
        "SLACK_HTTP_HOST": "127.0.0.1",
        "SLACK_API_URL": fake.api_url,
        "DEBRIEF_HEALTH_PORT": "0",
    }
    redis = Redis.from_url(redis_url, decode_responses=True)
    stores = Stores.over(redis)
    far = clock_time(3, 0)  # no scheduled post during the run; the admin posts by command
    await stores.channels.save(CHANNEL, ChannelSettings(post_time=far, timezone="UTC", weekdays=tuple(range(7))))
    bot = Bot(env, ROOT, workdir / "debrief.log")
    await bot.start()
    watcher = asyncio.create_task(bot.watch())
    url = f"http://127.0.0.1:{http_port}/slack/events"
    started = time.monotonic()
    try:
        await wait_until_listening(url, bot)
        async with aiohttp.ClientSession() as session:
            body = command_body("post", user_id="UADMIN", response_url=fake.response_url("post"))
            await session.post(url, data=body.encode(), headers={**sign(SECRET, body)})
            while not fake.posted:
                await asyncio.sleep(0.05)
            bank = load_bank()
            texts = [text for words in (40, 90, 160, 250, 350, 600) for _, text in answers_of(bank, words)]
            sim = Soak(session, url, fake, fake.posted[0], texts, random.Random(seed))
            account = await drive(sim, bot, redis_server, fake, minutes * 60, rate)
            await drain(fake, stores)
    finally:
        await bot.stop()
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
    feedback, unsaved = fake.feedback, fake.unsaved
    answered = await stored_answers(stores, fake.posted[0])
    await redis.aclose()
    await redis_server.kill()
    await fake.stop()
    report(sim, account, feedback, unsaved, answered, bot, time.monotonic() - started, minutes, rate, workdir)


async def stored_answers(stores: Stores, thread_ts: str) -> dict[str, float]:
    prompt = await stores.prompts.for_thread(ThreadRef(CHANNEL, thread_ts))
    if prompt is None:
        print(f"the question posted at {thread_ts} is not in Redis")
        return {}
    return await stores.answers.answered(CHANNEL.workspace, prompt.id)


async def drive(
    sim: Soak, bot: Bot, redis_server: RedisServer, fake: SoakSlack, seconds: float, rate: float
) -> dict[str, Any]:
    """Mixed traffic for `seconds`; Redis is killed at 25% and 60% of the run, Slack storms 429 at 40%."""
    kills = [seconds * 0.25, seconds * 0.60]
    storm = (seconds * 0.40, seconds * 0.40 + min(60.0, seconds * 0.1))
    outage = 8.0
    tasks: set[asyncio.Task[Any]] = set()
    start = time.monotonic()
    next_resend = start + 5
    events = 0
    while (now := time.monotonic() - start) < seconds:
        if kills and now >= kills[0]:
            kills.pop(0)
            sim.quiet = False
            await redis_server.kill()
            sim.sent["redis killed"] += 1

            async def back() -> None:
                await asyncio.sleep(outage)
                await redis_server.start()
                await asyncio.sleep(3)
                sim.quiet = True

            tasks.add(asyncio.create_task(back()))
        if storm[0] <= now < storm[1]:
            fake.rate_limited |= {"chat.postEphemeral", "chat.postMessage"}
        elif fake.rate_limited:
            fake.rate_limited.clear()
        if time.monotonic() >= next_resend and sim.quiet:
            await sim.resend_unsaved()
            next_resend = time.monotonic() + 5
        roll = sim.rng.random()
        if roll < 0.62:
            action = sim.new_answer()
        elif roll < 0.67:
            action = sim.new_answer(with_file=True)
        elif roll < 0.77:
            action = sim.edit()
        elif roll < 0.90:
            action = sim.slack_duplicate()
        else:
            action = sim.command()
        task = asyncio.create_task(action)
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        events += 1
        await asyncio.sleep(sim.rng.expovariate(rate / 0.67))  # answers (new + file) arrive at `rate` per second
    fake.rate_limited.clear()
    await asyncio.gather(*tasks)
    # the last members told "not saved" send their answers again
    for _ in range(3):
        await asyncio.sleep(5)
        await sim.resend_unsaved()
    return {"events": events, "seconds": time.monotonic() - start}


async def drain(fake: FakeSlack, stores: Stores, quiet_seconds: float = 20, limit: float = 20 * 60) -> None:
    """Wait until the outbox is empty and Slack has heard nothing new for a while."""
    deadline = time.monotonic() + limit
    seen, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        pending = 1
        with contextlib.suppress(Exception):
            pending = await OutboxStore(stores.redis).pending("slack")
        if len(fake.calls) != seen:
            seen, since = len(fake.calls), time.monotonic()
        elif pending == 0 and time.monotonic() - since >= quiet_seconds:
            return
        await asyncio.sleep(1)


def report(
    sim: Soak,
    account: dict[str, Any],
    feedback: Counter[str],
    unsaved: Counter[str],
    answered: dict[str, float],
    bot: Bot,
    took: float,
    minutes: float,
    rate: float,
    workdir: Path,
) -> None:
    expected = {m.user: len(m.texts) for m in sim.members}
    lost = sum(max(0, n - feedback[user]) for user, n in expected.items())
    duplicates = sum(max(0, feedback[user] - n) for user, n in expected.items())
    should_be_stored = [m.user for m in sim.members if expected[m.user] > 0]
    missing = [user for user in should_be_stored if user not in answered]
    rejected = sum(1 for c in sim.fake.calls if c.method.endswith("#429"))
    odd = [
        {
            "user": m.user,
            "texts": len(m.texts),
            "unsaved": unsaved[m.user],
            "feedback": feedback[m.user],
        }
        for m in sim.members
        if feedback[m.user] != expected[m.user]
    ]
    (workdir / "mismatches.json").write_text(json.dumps(odd, indent=1))
    print(f"soak: {minutes:g} min of traffic at {rate:g} answers/s ({took / 60:.1f} min with the drain)")
    print("sent: " + ", ".join(f"{what} {n}" for what, n in sorted(sim.sent.items())))
    print(f"HTTP statuses from debrief: {dict(sorted(sim.statuses.items()))}; Slack 429s served: {rejected}")
    print(f"members {len(sim.members)}; told 'not saved, send again' {sum(unsaved.values())} times")
    answered_commands = len(sim.fake.of("response_url")) - 1  # less the admin's `post`
    print(f"commands sent {sim.sent['command']}, answered {answered_commands}")
    print(f"feedback expected {sum(expected.values())}, delivered {sum(feedback.values())}")
    print(f"answers that should be stored {len(should_be_stored)}, stored {len(should_be_stored) - len(missing)}")
    print(f"LOST {lost + len(missing)}   DUPLICATES {duplicates}   PROCESS RESTARTS {bot.restarts}")
    print(f"debrief's log: {bot.log} (work files in {workdir})")


def main() -> None:
    """`python -m bench.soak [--minutes M] [--rate R] [--seed S]`."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--rate", type=float, default=3.0, help="new answers per second")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    asyncio.run(soak(args.minutes, args.rate, args.seed))


if __name__ == "__main__":
    main()
