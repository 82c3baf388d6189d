"""Serving a core's /metrics on a loopback port and reading it back the way Prometheus does."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from bot.app.bootstrap import Core
from bot.app.embedded_redis import free_port
from bot.app.health import HealthServer
from bot.app.metrics import MetricsPage

Samples = dict[str, float]


def sample(name: str, **labels: str) -> str:
    """The key of one sample in what `scrape` returns: `name{a="1",b="2"}` with labels sorted."""
    inside = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    return f"{name}{{{inside}}}" if inside else name


async def scrape(url: str) -> Samples:
    """Every sample of a /metrics page by `sample` key."""
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        assert response.status == 200, await response.text()
        assert response.headers["Content-Type"].startswith("text/plain")
        body = await response.text()
    return {
        sample(s.name, **s.labels): s.value for family in text_string_to_metric_families(body) for s in family.samples
    }


async def scrape_until(url: str, ready: Callable[[Samples], bool], timeout: float = 10) -> Samples:
    """Scrape until `ready` holds (metrics move right after the reply a test waited for); the last scrape."""
    deadline = time.monotonic() + timeout
    samples = await scrape(url)
    while not ready(samples) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
        samples = await scrape(url)
    return samples


@asynccontextmanager
async def metrics_url(core: Core, platforms: Sequence[str]) -> AsyncIterator[str]:
    """The URL of the core's /metrics, served by the health server as the process serves it."""
    port = free_port()
    server = HealthServer("127.0.0.1", port, {}, MetricsPage(core.metrics, platforms, core.outbox.pending))
    await server.start()
    try:
        yield f"http://127.0.0.1:{port}/metrics"
    finally:
        await server.stop()
