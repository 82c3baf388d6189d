"""Every key of the test Redis with every entry it holds, as text lines, to check what still mentions a member."""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis


async def dump(redis: Redis) -> list[str]:
    """One line per key name and one per entry (string value, list item, set member, zset member, hash field and
    value), each prefixed with its key."""
    lines: list[str] = []
    async for raw_key in redis.scan_iter("*", 1000):
        key = str(raw_key)
        kind = str(await redis.type(key))
        lines.append(f"key {key} ({kind})")
        if kind == "string":
            lines.append(f"{key} = {await redis.get(key)!s}")
        elif kind == "list":
            lines += [f"{key} [] {item!s}" for item in await redis.lrange(key, 0, -1)]
        elif kind == "set":
            lines += [f"{key} {{}} {item!s}" for item in await redis.smembers(key)]
        elif kind == "zset":
            entries = await redis.zrange(key, 0, -1, withscores=True)
            lines += [f"{key} z {entry[0]!s} {entry[1]!s}" for entry in entries]
        elif kind == "hash":
            lines += [f"{key} h {field!s} = {value!s}" for field, value in (await redis.hgetall(key)).items()]
        elif kind == "stream":
            lines += [f"{key} x {entry!s}" for entry in await redis.xrange(key) or []]
    return lines


async def mentions(redis: Redis, text: str) -> list[str]:
    """Every line of the dump that contains `text` anywhere: key names and entries alike."""
    return [line for line in await dump(redis) if text in line]


async def settled_keys(redis: Redis) -> list[str]:
    """Redis's keys once they stop changing: what an answer writes after its feedback is sent has landed."""
    keys = sorted(await redis.keys("*"))
    for _ in range(50):
        await asyncio.sleep(0.1)
        again = sorted(await redis.keys("*"))
        if again == keys:
            return keys
        keys = again
    raise AssertionError("keys kept changing")
