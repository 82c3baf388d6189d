"""What every benchmark shares: a Redis to run against, and latency summaries."""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from bot.app.embedded_redis import EmbeddedRedis


@asynccontextmanager
async def bench_redis() -> AsyncIterator[str]:
    """REDIS_URL when set, otherwise a private redis-server for the run."""
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    with tempfile.TemporaryDirectory() as data:
        async with EmbeddedRedis(Path(data)) as server:
            yield server.url


def percentile(values: Sequence[float], share: float) -> float:
    """The value below which `share` of `values` fall (0 for none): the benches' p99 is the second slowest of 200."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def latency_line(name: str, latencies: list[float], rate: float) -> str:
    """`name  p50 … ms  p99 … ms  … answers/s` for latencies in seconds."""
    p50 = statistics.median(latencies) * 1000
    p99 = percentile(latencies, 0.99) * 1000
    return f"{name:<32} p50 {p50:7.2f} ms   p99 {p99:7.2f} ms   {rate:7.0f} answers/s"


def run_bench(
    measure: Callable[[str, int, int], Awaitable[None]],
    doc: str | None,
    *,
    count_name: str,
    count: int,
    concurrency: int = 16,
) -> None:
    """Parse `--<count_name> N --concurrency C` and run `measure(redis_url, N, C)` on a bench Redis."""
    parser = argparse.ArgumentParser(description=doc)
    parser.add_argument(f"--{count_name}", type=int, default=count)
    parser.add_argument("--concurrency", type=int, default=concurrency)
    args = parser.parse_args()

    async def main() -> None:
        async with bench_redis() as url:
            await measure(url, getattr(args, count_name), args.concurrency)

    asyncio.run(main())
