"""Answers per second through the core with real Redis, Redis round trips per answer, bytes per stored answer.

Baseline in the same run: scoring the same answers with the engine alone (no Redis), so the ratio is the
cost of storage, streaks and points on top of feedback. Starts a private redis-server unless REDIS_URL is set.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

from redis.asyncio import Connection, ConnectionPool, Redis

from bench.harness import run_bench
from bench.scoring import answer_of
from bot.answers import SubmitAnswer
from bot.app.bootstrap import build_core
from bot.app.settings import Settings
from bot.identities import Channel, Member, ThreadRef
from bot.prompts import new_prompt
from bot.scoring.engine import FeedbackEngine
from content.loader import load_bank


class CountingConnection(Connection):
    """A connection that counts what it sends: one packed send is one round trip."""

    sent = 0

    async def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        CountingConnection.sent += 1
        await super().send_packed_command(command, check_health)


async def measure(url: str, answers: int, concurrency: int) -> None:
    bank = load_bank()
    engine = FeedbackEngine(bank)
    pool = ConnectionPool.from_url(url, decode_responses=True, connection_class=CountingConnection)
    redis = Redis(connection_pool=pool)
    await redis.flushdb()
    core = build_core(Settings.model_construct(), bank, redis)
    channel = Channel("slack:TBENCH", "C1")
    start_day = date(2026, 1, 1)
    text = answer_of(bank, 350)

    # One prompt per day so streak logic runs its normal path; members answer every day.
    members = [Member("slack:TBENCH", f"U{i}", f"member{i}") for i in range(max(1, answers // 10))]
    per_day = len(members)
    day_count = max(1, answers // per_day)
    prompts = []
    for offset in range(day_count):
        day = start_day + timedelta(days=offset)
        posted = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
        prompt = new_prompt(channel, "beh-001", day, posted, timedelta(hours=24)).model_copy(
            update={"thread_id": f"th-{offset}"}
        )
        await core.stores.prompts.save(prompt)
        prompts.append(prompt)

    used_before = int((await redis.info("memory"))["used_memory"])
    commands = [
        SubmitAnswer(
            m,
            f"msg-{m.user_id}-{p.id}",
            text,
            p.posted_at + timedelta(hours=1),
            f"ev-{m.user_id}-{p.id}",
            ThreadRef(channel, p.thread_id or ""),
        )
        for p in prompts
        for m in members
    ]
    # Warm the process's prompt cache the way a running bot has it.
    for p in prompts:
        await core.stores.prompts.for_thread(ThreadRef(channel, p.thread_id or ""))
    CountingConnection.sent = 0
    semaphore = asyncio.Semaphore(concurrency)

    async def one(command: SubmitAnswer) -> None:
        async with semaphore:
            await core.answers.submit(command)

    started = time.perf_counter()
    await asyncio.gather(*(one(c) for c in commands))
    elapsed = time.perf_counter() - started
    round_trips = CountingConnection.sent / len(commands)
    used_after = int((await redis.info("memory"))["used_memory"])

    started = time.perf_counter()
    for command in commands:
        engine.score(command.text, question_id="beh-001")
    engine_elapsed = time.perf_counter() - started

    core_rate, engine_rate = len(commands) / elapsed, len(commands) / engine_elapsed
    print(f"answers: {len(commands)} ({len(members)} members x {day_count} days), concurrency {concurrency}, 350 words")
    print(f"core (score+store+streak+points): {core_rate:8.0f} answers/s")
    print(
        f"engine alone (baseline):          {engine_rate:8.0f} answers/s   "
        f"ratio core/engine {core_rate / engine_rate:.2f}"
    )
    print(f"redis round trips per answer:     {round_trips:8.2f}")
    print(f"redis memory per stored answer:   {(used_after - used_before) / len(commands):8.0f} bytes")
    await redis.flushdb()
    await redis.aclose()
    await pool.disconnect()


if __name__ == "__main__":
    run_bench(measure, __doc__, count_name="answers", count=2000)
