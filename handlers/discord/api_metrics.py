"""Counting what Discord's REST API answers: every error status, 429s included, through aiohttp tracing."""

from __future__ import annotations

from types import SimpleNamespace

import aiohttp

from bot.metrics import Metrics

PLATFORM = "discord"


def api_response_counter(metrics: Metrics) -> aiohttp.TraceConfig:
    """A trace for discord.py's HTTP session: each response of 400 or more counts as an API error by status
    (discord.py raises HTTPException for those it does not retry) and each 429 as rate limited."""

    async def on_request_end(
        _session: aiohttp.ClientSession, _context: SimpleNamespace, params: aiohttp.TraceRequestEndParams
    ) -> None:
        status = params.response.status
        if status == 429:
            metrics.rate_limited(PLATFORM)
        if status >= 400:
            metrics.platform_error(PLATFORM, str(status))

    trace = aiohttp.TraceConfig()
    trace.on_request_end.append(on_request_end)
    return trace
