"""Posting slots: one post at a time per workspace, so a throttled workspace cannot hold every slot."""

from __future__ import annotations

import asyncio

from scheduler.fan_out import FanOut


async def test_a_workspace_due_first_does_not_take_every_slot() -> None:
    fan_out = FanOut(total=2)
    started: list[str] = []
    in_flight: dict[str, int] = {}
    most: dict[str, int] = {}
    release = asyncio.Event()

    async def post(workspace: str) -> None:
        async with fan_out.slot(workspace):
            started.append(workspace)
            in_flight[workspace] = in_flight.get(workspace, 0) + 1
            most[workspace] = max(most.get(workspace, 0), in_flight[workspace])
            await release.wait()
            in_flight[workspace] -= 1

    tasks = [asyncio.create_task(post(w)) for w in ("A", "A", "A", "B")]
    await asyncio.sleep(0.01)
    assert started == ["A", "B"], "the second slot goes to the other workspace, not to A's next post"
    release.set()
    await asyncio.gather(*tasks)
    assert sorted(started) == ["A", "A", "A", "B"] and most == {"A": 1, "B": 1}
