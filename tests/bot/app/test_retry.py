"""Retrying an unreachable platform with capped, jittered backoff, said once."""

from __future__ import annotations

import logging

import pytest

from bot.app.retry import backoff_delays, until_reachable
from bot.errors import PlatformUnreachable


async def test_until_reachable_retries_only_unreachable_and_says_so_once(caplog: pytest.LogCaptureFixture) -> None:
    attempts = 0

    async def attempt() -> str:
        nonlocal attempts
        attempts += 1
        if attempts < 4:
            raise PlatformUnreachable("Slack", OSError("connection refused"))
        return "ok"

    with caplog.at_level(logging.INFO):
        assert await until_reachable("Slack", attempt, logging.getLogger("t"), delays=lambda: 0) == "ok"
    assert attempts == 4
    assert sum("not reachable" in r.message for r in caplog.records) == 1

    async def rejected() -> None:
        raise ValueError("not a network problem")

    with pytest.raises(ValueError):
        await until_reachable("Slack", rejected, logging.getLogger("t"), delays=lambda: 0)


def test_backoff_doubles_to_the_cap_with_jitter() -> None:
    low = backoff_delays(first=1, cap=8, rng=lambda: 0.0)
    high = backoff_delays(first=1, cap=8, rng=lambda: 1.0)
    assert [low() for _ in range(6)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    assert [high() for _ in range(6)] == [1.5, 3.0, 6.0, 8.0, 8.0, 8.0]
