"""Replies the platform would not take right now, kept in Redis and sent again until delivered or expired.

The answer behind such a reply is already saved; what is kept is the platform's own request (an adapter's
payload, opaque to the core), so any replica can send it, also after a restart. A parcel is claimed with a
lease, so one replica sends it at a time; it is dropped once the platform took it. A replica that dies
between the platform taking a parcel and the drop leaves it to be sent once more after the lease: the only
way a member can get a reply twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Any

from bot.clock import Clock
from bot.errors import StoreUnavailable
from bot.identities import Member
from bot.metrics import Metrics, NoMetrics
from bot.store.outbox import OutboxStore

DELIVERY_WINDOW = timedelta(minutes=15)
FIRST_RETRY_SECONDS = 2.0
MAX_RETRY_SECONDS = 60.0
LEASE_SECONDS = 30.0
PUMP_SECONDS = 1.0
PARCELS_PER_ROUND = 20
log = logging.getLogger(__name__)

Send = Callable[[dict[str, Any]], Awaitable[None]]


class Undeliverable(Exception):
    """The platform will never take this request (the channel is gone, the bot was removed): do not retry."""


class Outbox:
    """Keeps replies a platform refused for now and sends them again with backoff."""

    def __init__(self, store: OutboxStore, clock: Clock, metrics: Metrics | None = None) -> None:
        self.store = store
        self.clock = clock
        self.metrics: Metrics = metrics or NoMetrics()

    async def pending(self, platform: str) -> int:
        """How many replies wait to be sent to a platform."""
        return await self.store.pending(platform)

    async def keep(self, platform: str, member: Member, requests: Sequence[dict[str, Any]], what: str) -> bool:
        """Keep a reply (one or more platform requests, sent in order) for a later try; False when even that
        failed (the failure is logged: the answer itself is saved either way)."""
        now = self.clock().timestamp()
        try:
            for order, request in enumerate(requests):
                parcel_id = uuid.uuid4().hex
                parcel: dict[str, Any] = {
                    "id": parcel_id,
                    "member": [member.workspace, member.user_id, member.display_name],
                    "request": request,
                    "what": what,
                    "created": now,
                    "attempts": 0,
                }
                await self.store.put(platform, parcel_id, parcel, now + FIRST_RETRY_SECONDS + order * 0.001)
        except StoreUnavailable:
            log.warning("could not keep %s for %s: the database is not reachable", what, member.user_id)
            return False
        log.info("kept %s for %s to send again", what, member.user_id)
        self.metrics.outbox(platform, "kept")
        return True

    async def pump(self, platform: str, send: Send, limit: int = PARCELS_PER_ROUND) -> int:
        """Send the parcels that are due; how many were delivered."""
        now = self.clock().timestamp()
        delivered = 0
        for parcel in await self.store.claim(platform, now, LEASE_SECONDS, limit):
            member = Member(*parcel["member"])
            try:
                await send(parcel["request"])
            except Undeliverable as exc:
                log.warning("%s for %s cannot be delivered: %s", parcel["what"], member.user_id, exc)
                await self._give_up(platform, parcel, member)
                continue
            except Exception as exc:  # the platform is still refusing or unreachable: try again later
                await self._later(platform, parcel, member, now, exc)
                continue
            await self.store.drop(platform, parcel)
            self.metrics.outbox(platform, "delivered")
            delivered += 1
        return delivered

    async def notices(self, member: Member) -> list[str]:
        """What the member should hear about replies that could not be delivered (each told once)."""
        try:
            return list(dict.fromkeys(await self.store.take_notices(member)))
        except StoreUnavailable:
            return []

    async def run(self, platform: str, send: Send, stop: asyncio.Event) -> None:
        """Pump until `stop` is set; a failing round is logged and the next one comes anyway."""
        while not stop.is_set():
            try:
                await self.pump(platform, send)
            except StoreUnavailable:
                pass  # the store's own guard already logged it
            except Exception:
                log.exception("sending kept %s replies failed", platform)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), PUMP_SECONDS * random.uniform(0.8, 1.2))

    async def _later(self, platform: str, parcel: dict[str, Any], member: Member, now: float, exc: Exception) -> None:
        if now - float(parcel["created"]) >= DELIVERY_WINDOW.total_seconds():
            log.warning("%s for %s expired undelivered (last error: %s)", parcel["what"], member.user_id, exc)
            await self._give_up(platform, parcel, member)
            return
        attempts = int(parcel["attempts"]) + 1
        delay = min(MAX_RETRY_SECONDS, FIRST_RETRY_SECONDS * 2**attempts) * random.uniform(0.75, 1.25)
        await self.store.requeue(platform, parcel["id"], {**parcel, "attempts": attempts}, now + delay)
        self.metrics.outbox(platform, "retried")

    async def _give_up(self, platform: str, parcel: dict[str, Any], member: Member) -> None:
        await self.store.drop(platform, parcel)
        self.metrics.outbox(platform, "gave_up")
        await self.store.notify(
            member,
            f"We could not deliver {parcel['what']}: the chat platform kept refusing it. Your answer itself was "
            "saved and scored, and its score is in your history.",
        )
