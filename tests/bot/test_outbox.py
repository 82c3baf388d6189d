"""The outbox against real Redis: kept replies are sent once across replicas and restarts, retried with
backoff, and dropped with a notice for the member when they expire or can never be delivered."""

from __future__ import annotations

import asyncio
from typing import Any

from redis.asyncio import Redis

from bot.app.bootstrap import Core
from bot.app.metrics import PrometheusMetrics
from bot.commands import CommandRequest
from bot.identities import Channel, Member
from bot.outbox import FIRST_RETRY_SECONDS, LEASE_SECONDS, Outbox, Undeliverable
from bot.replies import plain_text
from bot.store import keys
from bot.store.outbox import OutboxStore
from tests.conftest import FakeClock

ALICE = Member("slack:T1", "U1", "alice")


class Platform:
    """What the outbox sends to: records deliveries; refuses while `refusing` is set."""

    def __init__(self) -> None:
        self.delivered: list[dict[str, Any]] = []
        self.refusing: Exception | None = None

    async def send(self, request: dict[str, Any]) -> None:
        if self.refusing is not None:
            raise self.refusing
        self.delivered.append(request)


async def test_a_kept_reply_is_sent_when_due_and_only_once(redis: Redis, clock: FakeClock) -> None:
    outbox, platform = Outbox(OutboxStore(redis), clock), Platform()
    assert await outbox.keep("slack", ALICE, [{"n": 1}, {"n": 2}], "your feedback")
    assert await outbox.pump("slack", platform.send) == 0, "not due yet"
    clock.advance(seconds=FIRST_RETRY_SECONDS + 0.1)
    assert await outbox.pump("slack", platform.send) == 2
    assert platform.delivered == [{"n": 1}, {"n": 2}], "in order"
    clock.advance(minutes=5)
    assert await outbox.pump("slack", platform.send) == 0
    assert await outbox.store.pending("slack") == 0


async def test_two_replicas_pumping_together_send_each_reply_once(redis: Redis, clock: FakeClock) -> None:
    first, second = Outbox(OutboxStore(redis), clock), Outbox(OutboxStore(redis), clock)
    platform = Platform()
    for n in range(40):
        await first.keep("discord", ALICE, [{"n": n}], "your feedback")
    clock.advance(seconds=FIRST_RETRY_SECONDS + 0.1)
    await asyncio.gather(*(replica.pump("discord", platform.send) for replica in (first, second, first, second)))
    assert sorted(r["n"] for r in platform.delivered) == list(range(40))


async def test_a_refused_reply_is_retried_with_backoff_and_survives_a_restart(redis: Redis, clock: FakeClock) -> None:
    platform = Platform()
    platform.refusing = ConnectionError("429 storm")
    before = Outbox(OutboxStore(redis), clock)
    await before.keep("slack", ALICE, [{"n": 1}], "your feedback")
    clock.advance(seconds=FIRST_RETRY_SECONDS + 0.1)
    assert await before.pump("slack", platform.send) == 0
    assert await before.pump("slack", platform.send) == 0, "backing off: not due again at once"
    after = Outbox(OutboxStore(redis), clock)  # a new process over the same Redis
    platform.refusing = None
    clock.advance(seconds=LEASE_SECONDS + 60)
    assert await after.pump("slack", platform.send) == 1
    assert platform.delivered == [{"n": 1}]


async def test_an_expired_or_undeliverable_reply_becomes_a_notice_for_the_next_command(core: Core) -> None:
    outbox, platform, clock = core.outbox, Platform(), core.clock
    bob = Member("slack:T1", "U2", "bob")
    await outbox.keep("slack", ALICE, [{"n": 1}], "the reply to your answer")
    platform.refusing = ConnectionError("still down")
    assert isinstance(clock, FakeClock)
    clock.advance(minutes=16)
    await outbox.pump("slack", platform.send)  # past the delivery window: expired
    await outbox.keep("slack", bob, [{"n": 2}], "the reply to your answer")
    clock.advance(seconds=FIRST_RETRY_SECONDS + 0.1)
    platform.refusing = Undeliverable("channel_not_found")
    await outbox.pump("slack", platform.send)  # never deliverable: dropped at once
    assert await outbox.store.pending("slack") == 0 and not platform.delivered
    for member in (ALICE, bob):
        request = CommandRequest(member, Channel("slack:T1", "C1"), "streak", (), _no_admin, port=None)  # type: ignore[arg-type]
        reply = await core.commands.run(request)
        told = plain_text(reply)
        assert "could not deliver the reply to your answer" in told and "saved" in told
        assert "could not deliver" not in plain_text(await core.commands.run(request)), "told once"


async def _no_admin() -> bool:
    return False


async def test_a_parcel_deleted_while_it_was_being_sent_is_not_put_back(redis: Redis, clock: FakeClock) -> None:
    outbox = Outbox(OutboxStore(redis), clock)
    await outbox.keep("slack", ALICE, [{"n": 1}], "your feedback")
    clock.advance(seconds=FIRST_RETRY_SECONDS + 0.1)

    async def forgotten_meanwhile(request: dict[str, Any]) -> None:
        (parcel_id,) = await redis.hkeys(keys.outbox_parcels("slack", keys.shard_of(ALICE.workspace)))
        # what forget-me does with the member's kept replies
        await outbox.store.drop_ids("slack", ALICE.workspace, [parcel_id])
        raise ConnectionError("429 storm")

    assert await outbox.pump("slack", forgotten_meanwhile) == 0
    assert await outbox.store.pending("slack") == 0
    assert await redis.hlen(keys.outbox_parcels("slack", keys.shard_of(ALICE.workspace))) == 0


async def test_the_outbox_counts_what_becomes_of_each_kept_reply(redis: Redis, clock: FakeClock) -> None:
    metrics = PrometheusMetrics()
    outbox, platform = Outbox(OutboxStore(redis), clock, metrics), Platform()

    def count(outcome: str) -> float:
        value = metrics.registry.get_sample_value("debrief_outbox_total", {"platform": "slack", "outcome": outcome})
        return value or 0.0

    for n in range(3):
        await outbox.keep("slack", ALICE, [{"n": n}], "your feedback")
    platform.refusing = ConnectionError("still down")
    clock.advance(seconds=FIRST_RETRY_SECONDS + 0.1)
    await outbox.pump("slack", platform.send)
    assert (count("kept"), count("retried"), count("delivered")) == (3, 3, 0)
    platform.refusing = Undeliverable("channel_not_found")
    clock.advance(minutes=2)
    await outbox.pump("slack", platform.send, limit=1)
    platform.refusing = None
    clock.advance(minutes=2)
    await outbox.pump("slack", platform.send)
    assert (count("gave_up"), count("delivered")) == (1, 2)
    assert await outbox.pending("slack") == 0
