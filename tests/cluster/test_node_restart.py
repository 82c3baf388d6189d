"""A master of the cluster stops and comes back on the same port and data: meanwhile the bot's calls get
StoreUnavailable (no crash, no hang), afterwards the same client works again and nothing was lost."""

from __future__ import annotations

import time
from datetime import date

import pytest
from redis.asyncio.cluster import RedisCluster

from bot.answers import AnswerStatus
from bot.app.bootstrap import Core
from bot.channel_settings import ChannelSettings
from bot.errors import StoreUnavailable
from bot.identities import Channel, Member
from bot.store import keys
from tests.bot.scenario import Scenario
from tests.cluster.nodes import LocalCluster

CHANNEL = Channel("slack:T1", "C1")
ALICE = Member("slack:T1", "U1", "alice")


async def test_a_master_restart_gives_store_unavailable_then_works_again(
    cluster_core: Core, cluster: RedisCluster, local_cluster: LocalCluster
) -> None:
    await cluster_core.stores.channels.save(CHANNEL, ChannelSettings())
    scenario = Scenario(cluster_core, CHANNEL)
    monday = await scenario.post(date(2026, 3, 2))
    assert (await scenario.answer(monday, ALICE)).status is AnswerStatus.RECORDED
    owner = cluster.get_node_from_key(keys.channels(CHANNEL.workspace))
    (node,) = [n for n in local_cluster.nodes if n.port == owner.port]

    local_cluster.stop_node(node)
    try:
        started = time.monotonic()
        with pytest.raises(StoreUnavailable):
            await cluster_core.stores.channels.settings(CHANNEL)
        with pytest.raises(StoreUnavailable):
            await scenario.post(date(2026, 3, 3))
        assert time.monotonic() - started < 60, "an outage is reported, not waited out"
    finally:
        local_cluster.start_node(node)
        local_cluster.wait_ok()

    assert await cluster_core.stores.channels.settings(CHANNEL) == ChannelSettings(), "kept in the append-only file"
    tuesday = await scenario.post(date(2026, 3, 3))
    outcome = await scenario.answer(tuesday, ALICE)
    assert outcome.status is AnswerStatus.RECORDED and outcome.streak is not None
    assert outcome.streak.current == 2, "Monday's answer survived the restart"
