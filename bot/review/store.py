"""Peer reviews in Redis: one hash per answer (reviewer -> review), and the reviewers' board."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.store import keys
from bot.store.client import RedisClient
from bot.store.guard import lua, store_errors


@dataclass(frozen=True)
class StoredReview:
    """One reviewer's scores and comment on one answer."""

    reviewer_id: str
    reviewer_name: str
    scores: dict[str, int]
    comment: str
    at: str
    helpful: bool


class ReviewStore:
    """Atomic review writes (one per reviewer per answer) and reads."""

    def __init__(self, redis: RedisClient) -> None:
        self.redis = redis
        self._add = redis.register_script(lua("bot.review", "add_review.lua"))
        self._helpful = redis.register_script(lua("bot.review", "mark_helpful.lua"))

    async def add(self, workspace: str, prompt_id: str, author_id: str, review: dict[str, Any], points: int) -> bool:
        """Store the review unless this reviewer already reviewed the answer; True when stored."""
        async with store_errors("save your review"):
            added = await self._add(
                keys=[keys.reviews(workspace, prompt_id, author_id), keys.leaderboard(workspace, "reviewers")],
                args=[str(review["reviewer_id"]), json.dumps(review), points],
            )
        return bool(int(added))

    async def mark_helpful(self, workspace: str, prompt_id: str, author_id: str, reviewer_id: str, points: int) -> str:
        """'marked', 'already' or 'missing'."""
        async with store_errors("mark the review"):
            outcome = await self._helpful(
                keys=[keys.reviews(workspace, prompt_id, author_id), keys.leaderboard(workspace, "reviewers")],
                args=[reviewer_id, points],
            )
        return str(outcome)

    async def reviews(self, workspace: str, prompt_id: str, author_id: str) -> list[StoredReview]:
        """Every review of one answer."""
        async with store_errors("read the reviews"):
            raw = await self.redis.hgetall(keys.reviews(workspace, prompt_id, author_id))
        return [_review(json.loads(str(value))) for value in raw.values()]

    async def counts(
        self, workspace: str, prompt_id: str, author_ids: Sequence[str], reviewer_id: str
    ) -> list[tuple[int, bool]]:
        """For each answer: how many reviews it has, and whether `reviewer_id` wrote one."""
        if not author_ids:
            return []
        async with store_errors("read the reviews"), self.redis.pipeline(transaction=False) as pipe:
            for author in author_ids:
                pipe.hlen(keys.reviews(workspace, prompt_id, author))
                pipe.hexists(keys.reviews(workspace, prompt_id, author), reviewer_id)
            flat = await pipe.execute()
        return [(int(flat[i]), bool(flat[i + 1])) for i in range(0, len(flat), 2)]


def _review(data: dict[str, Any]) -> StoredReview:
    return StoredReview(
        reviewer_id=str(data["reviewer_id"]),
        reviewer_name=str(data.get("reviewer_name") or ""),
        scores={str(k): int(v) for k, v in dict(data["scores"]).items()},
        comment=str(data.get("comment") or ""),
        at=str(data.get("at") or ""),
        helpful=bool(data.get("helpful")),
    )
