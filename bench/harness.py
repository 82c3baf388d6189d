"""What every benchmark shares: a Redis to run against, and latency summaries."""

from __future__ import annotations

import os
import statistics
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.embedded_redis import EmbeddedRedis


@asynccontextmanager
async def bench_redis() -> AsyncIterator[str]:
    """REDIS_URL when set, otherwise a private redis-server for the run."""
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    with tempfile.TemporaryDirectory() as data:
        async with EmbeddedRedis(Path(data)) as server:
            yield server.url


def latency_line(name: str, latencies: list[float], rate: float) -> str:
    """`name  p50 … ms  p99 … ms  … answers/s` for latencies in seconds."""
    ordered = sorted(latencies)
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
    return f"{name:<32} p50 {p50:7.2f} ms   p99 {p99:7.2f} ms   {rate:7.0f} answers/s"
