"""Liveness and readiness over HTTP for orchestrators (GET /health and GET /ready), and GET /metrics for Prometheus."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import urllib.error
import urllib.request
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiohttp import web

from bot.app.metrics import MetricsPage
from bot.app.settings import SettingError, Settings

log = logging.getLogger(__name__)
Check = Callable[[], Awaitable[bool]]
CHECK_TIMEOUT_SECONDS = 2.0


class HealthServer:
    """`/health` answers 200 while the process runs; `/ready` is 200 only when every named check passes;
    `/metrics` serves the process's Prometheus metrics when a page is given."""

    def __init__(self, host: str, port: int, checks: Mapping[str, Check], metrics: MetricsPage | None = None) -> None:
        self.host = host
        self.port = port
        self.checks = dict(checks)
        self.metrics = metrics
        self._runner: web.AppRunner | None = None

    def app(self) -> web.Application:
        """The aiohttp application (also used by tests without binding a port)."""
        app = web.Application()
        app.router.add_get("/health", self._health)
        app.router.add_get("/ready", self._ready)
        if self.metrics is not None:
            app.router.add_get("/metrics", self._metrics)
        return app

    async def start(self) -> None:
        """Bind and serve; a port in use is a settings problem."""
        self._runner = web.AppRunner(self.app(), access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        try:
            await web.TCPSite(self._runner, self.host, self.port).start()
        except OSError as exc:
            await self._runner.cleanup()
            self._runner = None
            raise SettingError(
                "DEBRIEF_HEALTH_PORT",
                f"cannot listen on {self.host}:{self.port} ({exc.strerror or exc}); "
                "choose a free port, or 0 to turn the health endpoint off",
            ) from None
        log.info("health endpoints on http://%s:%s/health, /ready and /metrics", self.host, self.port)

    async def stop(self) -> None:
        """Stop serving."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def readiness(self) -> dict[str, bool]:
        """Each check's result; a check that fails or hangs counts as not ready."""
        names = list(self.checks)
        results = await asyncio.gather(*(self._run(self.checks[n]) for n in names))
        return dict(zip(names, results, strict=False))

    async def _run(self, check: Check) -> bool:
        try:
            return bool(await asyncio.wait_for(check(), CHECK_TIMEOUT_SECONDS))
        except Exception as exc:  # a readiness probe reports, it never raises
            log.debug("readiness check failed: %s", exc)
            return False

    async def _health(self, _: web.Request) -> web.Response:
        return web.json_response({"status": "alive"})

    async def _metrics(self, _: web.Request) -> web.Response:
        assert self.metrics is not None
        body = await self.metrics.render()
        return web.Response(body=body, headers={"Content-Type": self.metrics.content_type})

    async def _ready(self, _: web.Request) -> web.Response:
        checks = await self.readiness()
        ready = all(checks.values())
        return web.json_response(
            {"status": "ready" if ready else "not ready", "checks": checks}, status=200 if ready else 503
        )


def add_parser(commands: Any) -> None:
    """Register `health`: ask the running process's endpoint, for container health checks."""
    parser = commands.add_parser("health", help="check the running bot's /health (or /ready) endpoint")
    parser.add_argument("--ready", action="store_true", help="check readiness (Redis, platforms, scheduler)")
    parser.set_defaults(run=run_health_check)


def run_health_check(args: argparse.Namespace, settings: Settings) -> int:
    """Exit 0 when the local endpoint answers 200; one line saying why not otherwise."""
    if not settings.health_port:
        print("DEBRIEF_HEALTH_PORT: 0, so the health endpoint is off", file=sys.stderr)
        return 2
    path = "/ready" if args.ready else "/health"
    url = f"http://127.0.0.1:{settings.health_port}{path}"
    try:
        with urllib.request.urlopen(url, timeout=4) as response:
            body = response.read().decode()
    except urllib.error.HTTPError as exc:
        print(f"{path}: {exc.code} {exc.read().decode(errors='replace')[:300]}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"{path}: no answer on {url} ({exc})", file=sys.stderr)
        return 1
    print(body)
    return 0
