"""Daily prompts in Redis: by id, by thread and by local day, and the workspace's question days."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

from bot.identities import Channel, ThreadRef
from bot.prompts import DailyPrompt
from bot.store import keys
from bot.store.client import RedisClient
from bot.store.guard import lua, store_errors
from bot.store.schedule import CLAIM_TTL_SECONDS


class PromptStore:
    """Reads and writes of prompts; posted prompts never change, so they are cached."""

    def __init__(self, redis: RedisClient, cache_size: int = 2048) -> None:
        self.redis = redis
        # Posted prompts never change, so a lookup saves a round trip on every answer after the first.
        self._cache: OrderedDict[str, DailyPrompt] = OrderedDict()
        self._cache_size = cache_size
        self._save = redis.register_script(lua("bot.store", "save_prompt.lua"))

    def _remember(self, key: str, prompt: DailyPrompt) -> DailyPrompt:
        self._cache[key] = prompt
        self._cache.move_to_end(key)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return prompt

    async def save(self, prompt: DailyPrompt, *, question_days: Sequence[int] = ()) -> None:
        """Store a prompt, index it by day and thread, and mark its day (and any given days) as question days."""
        channel = prompt.channel
        script_keys = [
            keys.post_claim(channel, prompt.local_date.isoformat()),
            keys.prompt(prompt.workspace, prompt.id),
            keys.channel_prompts(channel),
            keys.channel_asked(channel),
            keys.question_days(prompt.workspace),
            keys.thread(channel, prompt.thread_id or "-"),
        ]
        days = sorted({prompt.day, *question_days})
        args: list[str | int] = [CLAIM_TTL_SECONDS, prompt.model_dump_json(), prompt.id, prompt.day, prompt.question_id]
        async with store_errors("save today's question"):
            await self._save(keys=script_keys, args=[*args, prompt.thread_id or "", *days])

    async def get(self, workspace: str, prompt_id: str) -> DailyPrompt | None:
        """A prompt by id."""
        key = keys.prompt(workspace, prompt_id)
        if key in self._cache:
            return self._cache[key]
        async with store_errors("read the question"):
            raw = await self.redis.get(key)
        return self._remember(key, DailyPrompt.model_validate_json(raw)) if raw else None

    async def for_thread(self, thread: ThreadRef) -> DailyPrompt | None:
        """The prompt whose thread this is, if any."""
        key = keys.thread(thread.channel, thread.thread_id)
        if key in self._cache:
            return self._cache[key]
        async with store_errors("find the question for this thread"):
            prompt_id = await self.redis.get(key)
            raw = await self.redis.get(keys.prompt(thread.channel.workspace, str(prompt_id))) if prompt_id else None
        return self._remember(key, DailyPrompt.model_validate_json(raw)) if raw else None

    async def on_day(self, channel: Channel, day: int) -> list[DailyPrompt]:
        """The channel's prompts for one local day number."""
        return await self.between(channel, day, day, action="read today's question")

    async def between(
        self, channel: Channel, first_day: int, last_day: int, *, action: str = "read past questions"
    ) -> list[DailyPrompt]:
        """The channel's prompts from `first_day` to `last_day` (day numbers, inclusive), oldest first."""
        async with store_errors(action):
            ids = await self.redis.zrangebyscore(keys.channel_prompts(channel), first_day, last_day)
            if not ids:
                return []
            raws = await self.redis.mget([keys.prompt(channel.workspace, str(i)) for i in ids])
        return [DailyPrompt.model_validate_json(r) for r in raws if r]

    async def answer_counts(self, workspace: str, prompt_ids: Sequence[str]) -> list[int]:
        """How many members answered each prompt."""
        if not prompt_ids:
            return []
        async with store_errors("count answers"), self.redis.pipeline(transaction=False) as pipe:
            for prompt_id in prompt_ids:
                pipe.zcard(keys.prompt_answers(workspace, prompt_id))
            return [int(n) for n in await pipe.execute()]

    async def last_question_day(self, workspace: str) -> int | None:
        """The most recent question day of a workspace."""
        async with store_errors("read the question days"):
            last = await self.redis.zrevrange(keys.question_days(workspace), 0, 0, withscores=True)
        return int(last[0][1]) if last else None
