"""Discord for the process runner: log in (which checks the token), then hold the gateway connection."""

from __future__ import annotations

import asyncio

import aiohttp
import discord

from bot.errors import PlatformUnreachable, StartRefused
from handlers.discord.bot import DebriefBot
from handlers.discord.endpoints import gateway_url


class DiscordRunner:
    """Discord for the process runner: log in (which checks the token), then hold the gateway connection."""

    name = "discord"

    def __init__(self, bot: DebriefBot) -> None:
        self.bot = bot
        self.port = bot.port
        self._connection: asyncio.Task[None] | None = None
        self._stop_outbox = asyncio.Event()
        self._outbox: asyncio.Task[None] | None = None

    async def check(self) -> None:
        """Log in over REST (pointing the gateway where DISCORD_API_BASE says): a rejected token is final,
        a network failure is worth retrying."""
        try:
            await self.bot.login(self.bot.config.token)
            if self.bot.config.api_base:
                await gateway_url(self.bot)
        except discord.LoginFailure:
            raise StartRefused("DISCORD_TOKEN", "Discord rejected the token (401 Unauthorized)") from None
        except discord.HTTPException as exc:
            if exc.status in (401, 403):
                raise StartRefused("DISCORD_TOKEN", f"Discord refused the bot ({exc.status})") from None
            raise PlatformUnreachable("Discord", f"HTTP {exc.status}") from None
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            raise PlatformUnreachable("Discord", exc) from None

    async def start(self) -> None:
        """Connect to the gateway in the background (discord.py reconnects with its own backoff)."""
        self._connection = asyncio.create_task(self._connect())
        self._outbox = asyncio.create_task(self.bot.send_kept_replies(self._stop_outbox))

    async def _connect(self) -> None:
        try:
            await self.bot.connect(reconnect=True)
        except discord.PrivilegedIntentsRequired:
            raise StartRefused(
                "DISCORD_TOKEN",
                "the bot needs the Message Content intent: turn it on under Bot in the Developer Portal",
            ) from None

    async def wait(self) -> None:
        """Return (or raise) when the gateway connection ends for good."""
        if self._connection is not None:
            await self._connection

    async def connected(self) -> bool:
        """Whether the gateway session is up."""
        return self.bot.is_ready() and not self.bot.is_closed() and self.bot.ws is not None and self.bot.ws.open

    async def stop(self) -> None:
        """Stop sending kept replies, then close the gateway and the HTTP session."""
        self._stop_outbox.set()
        if self._outbox is not None:
            await asyncio.gather(self._outbox, return_exceptions=True)
        await self.bot.close()
        if self._connection is not None and not self._connection.done():
            self._connection.cancel()
            await asyncio.gather(self._connection, return_exceptions=True)
