"""The Redis client debrief talks to: one server or a Redis Cluster, behind one type."""

from __future__ import annotations

from collections.abc import AsyncIterator

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.cluster import RedisCluster

RedisClient = Redis | RedisCluster
MAX_CONNECTIONS = 100
POOL_WAIT_SECONDS = 5.0


def redis_client(url: str, *, cluster: bool = False) -> RedisClient:
    """A client with the options debrief relies on (decoded strings, bounded timeouts); with `cluster` a Redis
    Cluster client that finds every node from the one `url` names."""
    if cluster:
        return RedisCluster.from_url(url, decode_responses=True, socket_timeout=5, socket_connect_timeout=3)
    # A burst of answers waits for a free connection (up to POOL_WAIT_SECONDS) instead of failing at once when
    # every pooled connection is busy, which would tell members their answer could not be saved.
    pool = BlockingConnectionPool.from_url(
        url,
        max_connections=MAX_CONNECTIONS,
        timeout=POOL_WAIT_SECONDS,
        decode_responses=True,
        socket_timeout=5,
        socket_connect_timeout=3,
        health_check_interval=30,
    )
    return Redis(connection_pool=pool)


async def scan_slot(redis: RedisClient, pattern: str, tagged_key: str, count: int) -> AsyncIterator[str]:
    """Keys matching `pattern`, scanned on the node that holds `tagged_key`'s slot (every key sharing its hash tag
    lives there); on one server, that server."""
    if isinstance(redis, RedisCluster):
        node = redis.get_node_from_key(tagged_key)
        async for key in redis.scan_iter(match=pattern, count=count, target_nodes=node):
            yield str(key)
    else:
        async for key in redis.scan_iter(pattern, count):
            yield str(key)
