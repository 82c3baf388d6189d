"""A real three-master Redis Cluster for the tests in this folder (one per test session and worker), and the core
wired over redis-py's cluster client the way the process wires it with REDIS_CLUSTER=true."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from redis.asyncio.cluster import RedisCluster

from bot.app.bootstrap import Core, build_core
from bot.app.settings import Settings
from bot.store.client import redis_client
from content.loader import Bank
from tests.cluster.nodes import LocalCluster, cluster_tools
from tests.conftest import FakeClock
from tests.shipped import shipped_engine


@pytest.fixture(scope="session")
def local_cluster() -> Iterator[LocalCluster]:
    """Three masters on free loopback ports, joined with redis-cli; stopped (only these processes) at the end."""
    tools = cluster_tools()
    if tools is None:
        pytest.skip("redis-server and redis-cli must be on PATH to start a Redis Cluster")
    with tempfile.TemporaryDirectory(prefix="debrief-test-cluster-") as base:
        cluster = LocalCluster(*tools)
        try:
            cluster.start(Path(base))
            yield cluster
        finally:
            cluster.stop()


@pytest.fixture
async def cluster(local_cluster: LocalCluster) -> AsyncIterator[RedisCluster]:
    """The client REDIS_CLUSTER=true builds, on an emptied cluster."""
    local_cluster.wait_ok()
    client = redis_client(local_cluster.url, cluster=True)
    assert isinstance(client, RedisCluster)
    await client.flushall(target_nodes=RedisCluster.PRIMARIES)
    try:
        yield client
    finally:
        await client.flushall(target_nodes=RedisCluster.PRIMARIES)
        await client.aclose()


@pytest.fixture
def cluster_core(cluster: RedisCluster, bank: Bank, clock: FakeClock) -> Core:
    """The core over the cluster client and the moved clock."""
    return build_core(Settings.model_construct(), bank, cluster, clock, shipped_engine())
