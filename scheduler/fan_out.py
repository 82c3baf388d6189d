"""How many daily posts a replica sends at once, in all and per workspace."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

# Platforms rate-limit posting per workspace, and a post that meets the limit waits out Retry-After inside the
# client. With one post at a time per workspace, a throttled workspace holds one slot, not all of them, and
# the scheduler's jobs (which fire grouped by workspace) are spread over every workspace that is due.
POSTS_PER_WORKSPACE = 1


class FanOut:
    """Slots for posts: at most `total` at once, and at most POSTS_PER_WORKSPACE of them for one workspace."""

    def __init__(self, total: int, per_workspace: int = POSTS_PER_WORKSPACE) -> None:
        self._total = asyncio.Semaphore(total)
        self._per_workspace = per_workspace
        self._workspaces: weakref.WeakValueDictionary[str, asyncio.Semaphore] = weakref.WeakValueDictionary()

    @asynccontextmanager
    async def slot(self, workspace: str) -> AsyncIterator[None]:
        """Hold one slot for a post to `workspace`: the workspace's turn first, then a shared slot."""
        turn = self._workspaces.get(workspace)
        if turn is None:
            turn = asyncio.Semaphore(self._per_workspace)
            self._workspaces[workspace] = turn
        async with turn, self._total:
            yield
