"""Writes made by small scripts (the cluster client starts no thread per command for them) on a real three-master
Redis Cluster: a mock session's compare-and-set, skipping a day, private reminders, a Slack installation, forget-me's
kept replies, moving the legacy outbox; and claiming kept replies, which runs the claim script only on the shards that
have something due."""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from redis.asyncio import Redis
from redis.asyncio.cluster import RedisCluster
from slack_sdk.oauth.installation_store.models.installation import Installation

from bot.app.bootstrap import Core
from bot.channel_settings import ChannelSettings
from bot.identities import Channel, Member
from bot.mock.session import MockSession
from bot.mock.store import IDLE_SECONDS, MockStore, SessionChanged
from bot.store import Stores, keys
from bot.store.outbox import OutboxStore
from bot.store.schedule import CLAIM_TTL_SECONDS, DONE_TTL_SECONDS, DueEvent
from handlers.slack.installations import RedisInstallationStore
from tests.bot.scenario import LEAVER, OTHER, Scenario
from tests.cluster.nodes import LocalCluster
from tests.conftest import FakeClock

MONDAY = date(2026, 3, 2)
ALICE = Member("slack:T1", "U1", "alice")
NOW = 1_000_000.0
LEASE = 30.0
# More ids than Lua's unpack() spreads at once (8,000), so a script must take them in runs.
MANY = 9_000


def session(version: int, venue: str | None = None) -> MockSession:
    at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    return MockSession(
        id="s1", kind="behavioral", rounds=["behavioral"], questions=["beh-001"], asked_at=at, started_at=at,
        venue=venue, version=version,
    )  # fmt: skip


async def test_racing_mock_saves_let_exactly_one_win_on_the_cluster(cluster: RedisCluster) -> None:
    store = MockStore(cluster)
    await store.save(ALICE, session(0), expected_version=None)
    with pytest.raises(SessionChanged):
        await store.save(ALICE, session(0, "elsewhere"), expected_version=None)

    racers = [session(1, f"thread-{n}") for n in range(12)]
    results = await asyncio.gather(*(store.save(ALICE, s, expected_version=0) for s in racers), return_exceptions=True)

    assert sum(r is None for r in results) == 1, results
    assert all(isinstance(r, SessionChanged) for r in results if r is not None)
    winner = racers[results.index(None)]
    assert await store.session(ALICE) == winner
    with pytest.raises(SessionChanged):
        await store.save(ALICE, session(2), expected_version=0)
    await store.save(ALICE, session(2, "last"), expected_version=1)
    stored = await store.session(ALICE)
    assert stored is not None and (stored.version, stored.venue) == (2, "last")
    assert 0 < await cluster.ttl(keys.mock_session(ALICE)) <= IDLE_SECONDS
    await store.delete(ALICE)
    with pytest.raises(SessionChanged):
        await store.save(ALICE, session(3), expected_version=2)
    assert await store.session(ALICE) is None


async def test_skipping_today_marks_the_day_and_unmarks_its_question_day_on_the_cluster(
    cluster_core: Core, cluster: RedisCluster, clock: FakeClock
) -> None:
    channel, quiet = Channel("slack:T1", "C1"), Channel("slack:T1", "C2")
    for each in (channel, quiet):
        await cluster_core.stores.channels.save(each, ChannelSettings())
    scenario = Scenario(cluster_core, channel)
    await scenario.post(MONDAY - timedelta(days=1), "beh-002")
    await scenario.post(MONDAY)
    days = keys.question_days(channel.workspace)
    assert await cluster.zcard(days) == 2
    clock.set(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))

    skipped = await cluster_core.posts.skip_today(channel)

    assert "not answering it will not break anyone's streak" in skipped.summary
    assert await cluster_core.stores.schedule.post_claim(channel, MONDAY) == "skipped"
    assert 0 < await cluster.ttl(keys.post_claim(channel, MONDAY.isoformat())) <= CLAIM_TTL_SECONDS
    assert await cluster.zrange(days, 0, -1) == [str((MONDAY - timedelta(days=1)).toordinal())], "only today goes"

    unposted = await cluster_core.posts.skip_today(quiet)
    assert unposted.summary == "Skipped. No question will be posted here today."
    assert await cluster_core.stores.schedule.post_claim(quiet, MONDAY) == "skipped"
    assert await cluster.zcard(days) == 1


async def test_private_reminders_note_who_gets_one_on_the_cluster(cluster: RedisCluster) -> None:
    schedule = Stores.over(cluster).schedule
    due = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
    events = [DueEvent("remind_member", "slack:T1", "p1", due, f"U{n}") for n in range(MANY)]

    await schedule.schedule_private_reminders("slack:T1", "p1", events)

    assert await schedule.privately_reminded("slack:T1", "p1") == {f"U{n}" for n in range(MANY)}
    assert 0 < await cluster.ttl(keys.private_reminders("slack:T1", "p1")) <= DONE_TTL_SECONDS
    assert len(await schedule.due(due, limit=MANY)) == MANY


def installation(team_id: str, token: str | None, user_id: str) -> Installation:
    return Installation(
        app_id="A1", team_id=team_id, user_id=user_id, bot_token=token, bot_id=f"B{team_id}",
        bot_user_id=f"UBOT{team_id}", bot_scopes=["chat:write"],
    )  # fmt: skip


async def test_slack_installations_are_saved_with_their_bot_on_the_cluster(cluster: RedisCluster) -> None:
    store = RedisInstallationStore(cluster)
    teams = [f"T{n:03d}" for n in range(24)]
    for team in teams:
        await store.async_save(installation(team, f"xoxb-{team}", "UA"))
    await store.async_save(installation("T000", "xoxb-new", "UB"))
    await store.async_save(installation("T001", None, "UC"))  # a user-only install keeps the workspace's bot

    nodes = {cluster.get_node_from_key(keys.installers(f"slack:{team}")).port for team in teams}
    assert len(nodes) == 3, "the workspaces' installations spread over every node"
    for team in teams:
        bot = await store.async_find_bot(enterprise_id=None, team_id=team)
        token = "xoxb-new" if team == "T000" else f"xoxb-{team}"
        assert bot is not None and bot.bot_token == token
        first = await store.async_find_installation(enterprise_id=None, team_id=team, user_id="UA")
        assert first is not None and first.bot_token == token
    latest = await store.async_find_installation(enterprise_id=None, team_id="T000")
    assert latest is not None and latest.user_id == "UB"
    user_only = await store.async_find_installation(enterprise_id=None, team_id="T001")
    assert user_only is not None and user_only.user_id == "UC" and user_only.bot_token == "xoxb-T001"
    assert sorted(await cluster.hkeys(keys.installers("slack:T001"))) == ["latest", "user:UA", "user:UC"]


def workspaces_by_shard(count: int = 400) -> dict[int, list[str]]:
    """Workspace ids grouped by the outbox shard they land in."""
    found: dict[int, list[str]] = defaultdict(list)
    for i in range(count):
        workspace = f"slack:T{i:04d}"
        found[keys.shard_of(workspace)].append(workspace)
    assert len(found) == keys.SHARDS
    return found


def parcel(workspace: str, parcel_id: str, user_id: str = "U1") -> dict[str, Any]:
    return {"id": parcel_id, "member": [workspace, user_id, "ann"], "request": {"n": parcel_id}, "what": "a reply"}


async def test_forget_me_drops_thousands_of_kept_replies_in_one_shard_on_the_cluster(
    cluster_core: Core, cluster: RedisCluster
) -> None:
    shard = keys.shard_of(LEAVER.workspace)
    due, parcels = keys.outbox_due("slack", shard), keys.outbox_parcels("slack", shard)
    mine = {f"p{n}": parcel(LEAVER.workspace, f"p{n}", LEAVER.user_id) for n in range(MANY)}
    await cluster.hset(parcels, mapping={pid: json.dumps(p) for pid, p in mine.items()})
    await cluster.zadd(due, dict.fromkeys(mine, NOW))
    await cluster_core.outbox.keep("slack", OTHER, [{"n": "theirs"}], "a reply")

    erased = await cluster_core.forget_me.forget(LEAVER)

    assert erased.kept_replies == MANY
    assert await cluster_core.outbox.store.pending("slack") == 1, "the other member's kept reply stays"
    (left,) = await cluster.hvals(parcels)
    assert json.loads(left)["member"][1] == OTHER.user_id
    assert await cluster.zcard(due) == 1


async def test_the_legacy_outbox_moves_into_shards_on_every_node_of_the_cluster(cluster: RedisCluster) -> None:
    old_due, old_parcels = keys.legacy_outbox("slack")
    spread = workspaces_by_shard()
    moving = {f"x{shard}": parcel(spread[shard][0], f"x{shard}") for shard in keys.shards()}
    await cluster.hset(old_parcels, mapping={pid: json.dumps(p) for pid, p in moving.items()})
    await cluster.zadd(old_due, {pid: 5.0 + n for n, pid in enumerate(moving)})
    await cluster.zadd(old_due, {"orphan": 5.0})

    assert await Stores.over(cluster).schedule.move_legacy_keys() == keys.SHARDS
    assert await Stores.over(cluster).schedule.move_legacy_keys() == 0, "running it again moves nothing"

    assert not await cluster.exists(old_due) and not await cluster.exists(old_parcels)
    for n, (pid, moved) in enumerate(moving.items()):
        shard = keys.shard_of(moved["member"][0])
        assert await cluster.zscore(keys.outbox_due("slack", shard), pid) == 5.0 + n
        assert json.loads(await cluster.hget(keys.outbox_parcels("slack", shard), pid)) == moved
    claimed = await OutboxStore(cluster).claim("slack", 100.0, LEASE, 100)
    assert sorted(p["id"] for p in claimed) == sorted(moving)


async def successful_script_calls(local_cluster: LocalCluster) -> int:
    """EVALSHA and EVAL calls that ran (a NOSCRIPT miss before the script is loaded does not count), on all nodes."""
    total = 0
    for node in local_cluster.nodes:
        client = Redis(host="127.0.0.1", port=node.port, decode_responses=True)
        try:
            stats = await client.info("commandstats")
        finally:
            await client.aclose()
        for command in ("cmdstat_evalsha", "cmdstat_eval"):
            if command in stats:
                total += int(stats[command]["calls"]) - int(stats[command]["failed_calls"])
    return total


async def reset_stats(cluster: RedisCluster) -> None:
    await cluster.config_resetstat(target_nodes=RedisCluster.PRIMARIES)


async def put_in_shards(
    store: OutboxStore, spread: dict[int, list[str]], plan: dict[int, int], due: float, prefix: str = "s"
) -> None:
    """`plan[shard]` parcels in each planned shard, due one after another from `due`, ids `<prefix><shard>-<n>`."""
    for shard, count in plan.items():
        for n in range(count):
            parcel_id = f"{prefix}{shard}-{n}"
            await store.put("slack", parcel_id, parcel(spread[shard][0], parcel_id), due + n)


async def test_a_claim_runs_the_script_only_on_shards_with_something_due_on_the_cluster(
    cluster: RedisCluster, local_cluster: LocalCluster
) -> None:
    store, spread = OutboxStore(cluster), workspaces_by_shard()
    await put_in_shards(store, spread, {3: 2, 7: 3, 12: 1}, NOW - 100)
    await put_in_shards(store, spread, {0: 2, 5: 1, 7: 1}, NOW + 100, prefix="later")  # not due yet
    nodes = {cluster.get_node_from_key(keys.outbox_due("slack", s)).port for s in (3, 7, 12)}
    assert len(nodes) == 3, "the due shards live on different nodes"
    await reset_stats(cluster)

    claimed = await store.claim("slack", NOW, LEASE, 100)

    assert [p["id"] for p in claimed] == ["s3-0", "s3-1", "s7-0", "s7-1", "s7-2", "s12-0"]
    assert await successful_script_calls(local_cluster) == 3, "one claim script per shard with anything due"
    for p in claimed:
        score = await cluster.zscore(keys.outbox_due("slack", keys.shard_of(p["member"][0])), p["id"])
        assert score == NOW + LEASE, "leased"
    for shard, later in ((0, "later0-1"), (7, "later7-0")):
        assert await cluster.zscore(keys.outbox_due("slack", shard), later) > NOW, "not due: left alone"
    await reset_stats(cluster)
    assert await store.claim("slack", NOW, LEASE, 100) == [], "everything due is leased"
    assert await successful_script_calls(local_cluster) == 0, "nothing due: no script at all"


async def test_a_claim_keeps_its_limit_and_turning_start_on_the_cluster(
    cluster: RedisCluster, local_cluster: LocalCluster
) -> None:
    first, second = OutboxStore(cluster), OutboxStore(cluster)
    spread = workspaces_by_shard()
    plan = {0: 3, 1: 2, 9: 4, 15: 2}
    await put_in_shards(first, spread, plan, NOW - 100)
    await reset_stats(cluster)

    one = await first.claim("slack", NOW, LEASE, 4)  # starts at shard 0
    two = await first.claim("slack", NOW, LEASE, 4)  # starts at shard 1
    assert [p["id"] for p in one] == ["s0-0", "s0-1", "s0-2", "s1-0"]
    assert [p["id"] for p in two] == ["s1-1", "s9-0", "s9-1", "s9-2"]
    assert await successful_script_calls(local_cluster) == 4

    rest = await second.claim("slack", NOW, LEASE, 10)  # another replica, starting at shard 0
    assert [p["id"] for p in rest] == ["s9-3", "s15-0", "s15-1"]
    assert await first.claim("slack", NOW, LEASE, 0) == []
    later = await first.claim("slack", NOW + LEASE + 1, LEASE, 5)  # the leases ran out; this one starts at shard 3
    assert [p["id"] for p in later] == ["s9-0", "s9-1", "s9-2", "s9-3", "s15-0"]
    assert sum(len(batch) for batch in (one, two, rest)) == sum(plan.values())
