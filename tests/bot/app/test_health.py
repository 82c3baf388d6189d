"""GET /health and /ready, and a taken port named as a setting."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from bot.app.embedded_redis import free_port
from bot.app.health import HealthServer
from bot.app.settings import SettingError


async def test_ready_is_503_until_every_check_passes() -> None:
    state = {"slack": False}

    async def slack() -> bool:
        return state["slack"]

    async def hangs() -> bool:
        await asyncio.sleep(60)
        return True

    port = free_port()
    server = HealthServer("127.0.0.1", port, {"redis": lambda: asyncio.sleep(0, True), "slack": slack})
    await server.start()
    try:
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{port}/health") as response:
                assert response.status == 200
            async with session.get(f"http://127.0.0.1:{port}/ready") as response:
                assert response.status == 503
                assert (await response.json())["checks"] == {"redis": True, "slack": False}
            state["slack"] = True
            async with session.get(f"http://127.0.0.1:{port}/ready") as response:
                assert response.status == 200
        server.checks["slow"] = hangs
        assert (await server.readiness())["slow"] is False
    finally:
        await server.stop()


async def test_a_taken_health_port_is_a_setting_problem() -> None:
    port = free_port()
    first = HealthServer("127.0.0.1", port, {})
    await first.start()
    try:
        with pytest.raises(SettingError, match="DEBRIEF_HEALTH_PORT: cannot listen"):
            await HealthServer("127.0.0.1", port, {}).start()
    finally:
        await first.stop()
