"""The install flow's state values in Redis: issued with an expiry, consumed once, shared by every replica."""

from __future__ import annotations

import logging
import re
import uuid

from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore

from bot.clock import Clock, utc_now
from bot.store import keys
from bot.store.client import RedisClient
from bot.store.guard import store_errors

STATE_SHAPE = re.compile(r"^[A-Za-z0-9-]{1,64}$")
log = logging.getLogger(__name__)


class RedisOAuthStateStore(AsyncOAuthStateStore):
    """slack_sdk's AsyncOAuthStateStore on Redis; expiry is judged on the given clock (Redis drops old ones too)."""

    def __init__(self, redis: RedisClient, expiration_seconds: int, clock: Clock = utc_now) -> None:
        self.redis = redis
        self.expiration_seconds = expiration_seconds
        self.clock = clock

    @property
    def logger(self) -> logging.Logger:
        """The logger slack_sdk expects stores to have."""
        return log

    async def async_issue(self, *args: object, **kwargs: object) -> str:
        """A new random state, valid for `expiration_seconds`."""
        state = str(uuid.uuid4())
        issued = self.clock().timestamp()
        async with store_errors("start the Slack install"):
            await self.redis.set(keys.oauth_state(state), str(issued), ex=self.expiration_seconds + 60)
        return state

    async def async_consume(self, state: str) -> bool:
        """True once for a state this store issued and that has not expired; False for anything else."""
        if not STATE_SHAPE.match(state or ""):
            return False
        async with store_errors("finish the Slack install"):
            issued = await self.redis.getdel(keys.oauth_state(state))
        if issued is None:
            return False
        return self.clock().timestamp() - float(issued) <= self.expiration_seconds
