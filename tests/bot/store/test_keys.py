"""Key layout: every workspace key in its workspace's slot; the shared keys split into fixed, slot-tagged shards."""

from __future__ import annotations

import pytest
from redis.crc import key_slot

from bot.identities import Channel, Member
from bot.store import keys


def slot(key: str) -> int:
    return key_slot(key.encode())


def test_a_workspaces_keys_share_one_slot() -> None:
    ws, member, channel = "slack:T0123", Member("slack:T0123", "U1", "a"), Channel("slack:T0123", "C1")
    found = {
        slot(k)
        for k in (
            keys.streak(member),
            keys.leaderboard(ws, "points"),
            keys.channel_settings(channel),
            keys.answer(ws, "p1", "U1"),
            keys.event(ws, "Ev1"),
            keys.message_owner(channel, "m1"),
        )
    }
    assert len(found) == 1


def test_shared_keys_are_sharded_with_a_tag_of_their_own() -> None:
    assert keys.SHARDS == len(keys.shards()) == 16
    for build in (keys.workspaces, keys.due_events):
        names = [build(shard) for shard in keys.shards()]
        assert len(set(names)) == keys.SHARDS and all(n.startswith("debrief:{") for n in names)
        assert len({slot(n) for n in names}) == keys.SHARDS
        assert [slot(n) * keys.SHARDS // 16384 for n in names] == list(keys.shards()), "evenly over the slots"
    for shard in keys.shards():
        assert slot(keys.outbox_due("slack", shard)) == slot(keys.outbox_parcels("slack", shard)), "one script"
    with pytest.raises(ValueError):
        keys.due_events(keys.SHARDS)


def test_a_workspace_always_maps_to_the_same_shard_and_workspaces_spread() -> None:
    assert keys.shard_of("slack:T0123") == keys.shard_of("slack:T0123")
    used = {keys.shard_of(f"discord:{n}") for n in range(200)}
    assert used == set(keys.shards())
