"""What the process runner needs from each chat platform: check credentials, connect, report, stop."""

from __future__ import annotations

from typing import Protocol

from bot.chat_port import ChatPort


class PlatformRunner(Protocol):
    """One connected chat platform, as the process that runs debrief sees it."""

    @property
    def name(self) -> str:
        """The platform's name (slack, discord)."""
        ...

    @property
    def port(self) -> ChatPort:
        """Where the scheduler posts on this platform."""
        ...

    async def check(self) -> None:
        """Verify the credentials with the platform; raise StartRefused or PlatformUnreachable."""
        ...

    async def start(self) -> None:
        """Connect and start receiving (returns once receiving; reconnects on its own afterwards)."""
        ...

    async def connected(self) -> bool:
        """Whether events can be received right now."""
        ...

    async def stop(self) -> None:
        """Stop receiving and close connections."""
        ...
