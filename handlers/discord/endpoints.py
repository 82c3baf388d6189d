"""Where discord.py talks to. Its REST base and first gateway address are class attributes of the library, so
pointing it elsewhere (DISCORD_API_BASE: a proxy, or the tests' fake) is process-wide: it is done once, at
start-up, by the composition root, and never while objects are being built."""

from __future__ import annotations

import discord
import yarl
from discord.gateway import DiscordWebSocket


def use_api_base(api_base: str | None) -> None:
    """Send REST calls to `api_base` (None: Discord itself)."""
    if api_base:
        discord.http.Route.BASE = api_base.rstrip("/")


async def gateway_url(client: discord.Client) -> str:
    """Ask the REST API for the gateway address and connect there (after login; used with DISCORD_API_BASE)."""
    _, url, _ = await client.http.get_bot_gateway()
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)
    return str(url)
