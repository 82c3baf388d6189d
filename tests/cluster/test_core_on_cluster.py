"""The core on a real three-master Redis Cluster: answers with streaks and points, mock rounds, peer review,
forget-me scanning every node, the keys of many workspaces spread over the nodes, kept replies sent from every outbox
shard, and scheduler replicas that post and close each window exactly once."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import time_machine
from redis.asyncio import Redis
from redis.asyncio.cluster import RedisCluster

from bot.answers import AnswerStatus
from bot.app.bootstrap import Core
from bot.channel_settings import ChannelSettings
from bot.identities import Channel, Member
from bot.mock.rounds import MockStatus
from bot.outbox import FIRST_RETRY_SECONDS, Outbox
from bot.review.peer_review import AnswerRef
from bot.scoring.engine import FeedbackEngine
from bot.store import Stores, keys
from bot.store.client import redis_client
from bot.store.outbox import OutboxStore
from content.loader import Bank
from tests.bot.scenario import LEAVER, OTHER, WS, Scenario, member_with_everything
from tests.cluster.nodes import LocalCluster
from tests.conftest import FakeClock
from tests.redis_dump import dump
from tests.scheduler.replicas import RecordingPlatform, replica, tick

MONDAY = date(2026, 3, 2)
CHANNEL = Channel("slack:T1", "C1")
ALICE = Member("slack:T1", "U1", "alice")
BOB = Member("slack:T1", "U2", "bob")


async def node_dumps(local_cluster: LocalCluster) -> dict[int, list[str]]:
    """Every line of every node's keys and entries, read node by node with plain clients (SCAN on each)."""
    found = {}
    for node in local_cluster.nodes:
        client = Redis(host="127.0.0.1", port=node.port, decode_responses=True)
        try:
            found[node.port] = await dump(client)
        finally:
            await client.aclose()
    return found


async def test_answers_grow_streaks_and_points_on_the_cluster(cluster_core: Core, clock: FakeClock) -> None:
    scenario = Scenario(cluster_core, CHANNEL)
    await cluster_core.stores.channels.save(CHANNEL, ChannelSettings())
    for offset in range(3):
        prompt = await scenario.post(MONDAY + timedelta(days=offset))
        outcome = await scenario.answer(prompt, ALICE, event_id=f"Ev{offset}")
        assert outcome.status is AnswerStatus.RECORDED
        if offset == 1:
            await scenario.answer(
                prompt,
                BOB,
                text=(
                    "I think we basically aligned with stakeholders and it went well. Everyone was happy with the "
                    "result and we kept talking to the team every week about how things were going."
                ),
            )
    assert outcome.streak is not None and (outcome.streak.current, outcome.streak.longest) == (3, 3)
    again = await asyncio.gather(*(scenario.answer(prompt, ALICE, event_id="Ev2") for _ in range(10)))
    assert {o.status for o in again} == {AnswerStatus.DUPLICATE}, "an event already handled stays handled"
    clock.set(datetime(2026, 3, 5, 12, 0, tzinfo=UTC))
    points = await cluster_core.standings.leaderboard(WS, "points", ChannelSettings())
    assert [r.name for r in points.rows] == ["alice", "bob"] and points.rows[0].value > points.rows[1].value > 0
    streaks = await cluster_core.standings.leaderboard(WS, "streak", ChannelSettings())
    assert [(r.name, r.value) for r in streaks.rows] == [("alice", 3)], "bob missed Wednesday"
    assert [c for c, _ in await cluster_core.stores.channels.configured()] == [CHANNEL]


async def test_a_mock_round_to_its_scorecard_on_the_cluster(cluster_core: Core, clock: FakeClock) -> None:
    first = await cluster_core.mocks.start(ALICE, "hiring_manager")
    assert first.status is MockStatus.QUESTION and "Question 1 of 3" in first.text
    for _ in range(40):
        clock.advance(minutes=2)
        turn = await cluster_core.mocks.answer(ALICE, "In March I owned the rollout and said no to the polygon tool.")
        if turn.status is MockStatus.FINISHED:
            break
    else:
        raise AssertionError("the mock never finished")
    (card,) = turn.scorecards
    assert card.title == "Hiring-manager behavioral round" and 1.0 <= card.overall <= 5.0


async def test_peer_review_on_the_cluster(cluster_core: Core) -> None:
    await cluster_core.stores.channels.save(CHANNEL, ChannelSettings(weekdays=tuple(range(7))))
    scenario = Scenario(cluster_core, CHANNEL)
    prompt = await scenario.post(MONDAY)
    await scenario.answer(prompt, ALICE)
    answer = AnswerRef(prompt.id, ALICE.user_id)
    task = await cluster_core.reviews.task(BOB, answer)
    summary = await cluster_core.reviews.submit(
        BOB, answer, {cid: 4 for cid, _, _ in task.criteria}, "Clear decision, but the trade-off is missing."
    )
    assert summary.count == 1 and all(c.peer_mean == 4.0 for c in summary.comparisons)
    assert (await cluster_core.reviews.mark_helpful(ALICE, answer, BOB.user_id)).startswith("Marked helpful")
    board = await cluster_core.stores.standings.leaderboard(WS, "reviewers")
    assert [(r.user_id, r.value) for r in board] == [("U2", 10)]


async def test_forget_me_leaves_nothing_on_any_node(cluster_core: Core, local_cluster: LocalCluster) -> None:
    await member_with_everything(cluster_core)
    before = await node_dumps(local_cluster)
    assert sum(len([line for line in lines if LEAVER.user_id in line]) for lines in before.values()) > 20

    erased = await cluster_core.forget_me.forget(LEAVER)

    after = await node_dumps(local_cluster)
    assert [line for lines in after.values() for line in lines if LEAVER.user_id in line] == []
    assert (erased.answers, erased.mock_sessions, erased.kept_replies, erased.notices) == (2, 1, 1, 1)
    assert await cluster_core.answers.so_far(OTHER, "C1:2026-03-02") is not None
    assert await cluster_core.outbox.store.pending("slack") == 1, "the other member's kept reply stays"


async def test_keys_of_different_workspaces_spread_over_the_nodes(
    cluster_core: Core, cluster: RedisCluster, local_cluster: LocalCluster
) -> None:
    workspaces = [f"slack:T{i:03d}" for i in range(60)]
    for workspace in workspaces:
        channel = Channel(workspace, "C1")
        await cluster_core.stores.channels.save(channel, ChannelSettings())
        scenario = Scenario(cluster_core, channel)
        await scenario.answer(await scenario.post(MONDAY), Member(workspace, "U1", "ann"))
    per_node: Counter[int] = Counter()
    workspace_nodes: dict[str, set[int]] = {}
    for node in local_cluster.nodes:
        client = Redis(host="127.0.0.1", port=node.port, decode_responses=True)
        try:
            async for key in client.scan_iter("debrief:*", 1000):
                per_node[node.port] += 1
                if key.startswith("debrief:{slack:"):
                    workspace = key.split("{", 1)[1].split("}", 1)[0]
                    workspace_nodes.setdefault(workspace, set()).add(node.port)
        finally:
            await client.aclose()
    total = sum(per_node.values())
    assert len(per_node) == 3 and min(per_node.values()) > total / 6, per_node
    assert set(workspace_nodes) == set(workspaces)
    assert all(len(nodes) == 1 for nodes in workspace_nodes.values()), "each workspace lives on one node"
    slots = {await cluster.cluster_keyslot(keys.streak(Member(w, "U1", ""))) for w in workspaces}
    assert len(slots) == len(workspaces), "a slot per workspace"
    shard_slots = {await cluster.cluster_keyslot(keys.due_events(s)) for s in keys.shards()}
    assert len(shard_slots) == keys.SHARDS, "each shard of the shared queue in a slot of its own"
    queue_nodes = Counter(cluster.get_node_from_key(keys.due_events(s)).port for s in keys.shards())
    assert len(queue_nodes) == 3 and min(queue_nodes.values()) >= 4, f"the queue's shards spread: {queue_nodes}"
    assert await cluster_core.stores.channels.workspaces() == set(workspaces)


async def test_scheduler_replicas_post_exactly_once_and_close_once_on_the_cluster(
    local_cluster: LocalCluster, cluster: RedisCluster, bank: Bank, engine: FeedbackEngine
) -> None:
    platform = RecordingPlatform()
    settings = ChannelSettings(post_time=time(9, 0), weekdays=tuple(range(7)), window_hours=12)
    channels = [Channel(f"slack:T{w}", f"C{c}") for w in range(8) for c in range(3)]
    for channel in channels:
        await Stores.over(cluster).channels.save(channel, settings)
    clients = [redis_client(local_cluster.url, cluster=True) for _ in range(3)]
    try:
        with time_machine.travel(datetime(2026, 4, 1, 8, 50, tzinfo=UTC), tick=False) as traveller:
            replicas = [replica(c, bank, engine, {"slack": platform}) for c in clients]
            for r in replicas:
                await r.start()
            for _ in range(2):  # two days: each post at 09:00, each close at 21:00
                for _ in range(48):
                    traveller.shift(timedelta(minutes=30))
                    await tick(replicas)
            for r in replicas:
                await r.stop()
    finally:
        for c in clients:
            await c.aclose()
    assert platform.posts_per_channel() == Counter({c.channel_id: 2 * 8 for c in channels[:3]}), "once a day each"
    assert Counter((ch.workspace, ch.channel_id) for ch, _ in platform.posts) == Counter(
        {(c.workspace, c.channel_id): 2 for c in channels}
    )
    closes = Counter(t.channel for t, r in platform.thread_replies if "closed" in r.summary)
    assert closes == Counter({c: 2 for c in channels}), "each window closed once, from every shard of the queue"
    assert await Stores.over(cluster).schedule.due(datetime(2026, 4, 3, 12, 0, tzinfo=UTC)) == []


async def test_kept_replies_of_many_workspaces_are_sent_once_and_in_order_on_the_cluster(
    cluster: RedisCluster, clock: FakeClock
) -> None:
    first, second = Outbox(OutboxStore(cluster), clock), Outbox(OutboxStore(cluster), clock)
    members = [Member(f"slack:T{i}", "U1", "ann") for i in range(12)]
    delivered: list[dict[str, Any]] = []

    async def send(request: dict[str, Any]) -> None:
        delivered.append(request)

    async def keep_all(reply: str) -> None:
        for member in members:
            parts = [{"to": member.workspace, "reply": reply, "n": n} for n in (1, 2)]
            assert await first.keep("slack", member, parts, "a reply")
        clock.advance(seconds=FIRST_RETRY_SECONDS + 0.1)

    await keep_all("one pump")
    assert await first.store.pending("slack") == 24
    while await first.store.pending("slack"):
        await first.pump("slack", send, limit=5)
    for member in members:
        assert [r["n"] for r in delivered if r["to"] == member.workspace] == [1, 2], "each reply's parts in order"

    await keep_all("two pumps")
    while await first.store.pending("slack"):
        await asyncio.gather(first.pump("slack", send, limit=5), second.pump("slack", send, limit=5))
    sent = Counter((r["reply"], r["to"], r["n"]) for r in delivered)
    assert sent == Counter(
        {(reply, m.workspace, n): 1 for reply in ("one pump", "two pumps") for m in members for n in (1, 2)}
    )
