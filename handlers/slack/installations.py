"""Slack installations made through the install flow, kept in Redis so every replica and restart sees them."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation

from bot.store import keys
from bot.store.client import RedisClient
from bot.store.guard import store_errors

LATEST = "latest"
log = logging.getLogger(__name__)
# The installation and its bot in one script rather than MULTI, which redis-py's cluster client runs a thread per
# queued command for. KEYS: 1 installers  2 bot (both the workspace's).
# ARGV: 1 bot JSON ('' for none)  2 installation JSON  3.. the installers' fields to keep it under.
_SAVE = """
for i = 3, #ARGV do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[2])
end
if ARGV[1] ~= '' then
  redis.call('SET', KEYS[2], ARGV[1])
end
return 1
"""


def installed_workspace(enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None) -> str:
    """The workspace an installation belongs to: `slack:T…`, or `slack:E…` for an org-wide install."""
    owner = enterprise_id if is_enterprise_install or not team_id else team_id
    if not owner:
        raise ValueError("an installation names neither a team nor an enterprise")
    return f"slack:{owner}"


def _user_field(user_id: str) -> str:
    return f"user:{user_id}"


class RedisInstallationStore(AsyncInstallationStore):
    """slack_sdk's AsyncInstallationStore on Redis: one bot and the latest installations per workspace."""

    def __init__(self, redis: RedisClient) -> None:
        self.redis = redis
        self._save = redis.register_script(_SAVE)

    @property
    def logger(self) -> logging.Logger:
        """The logger slack_sdk expects stores to have."""
        return log

    async def async_save(self, installation: Installation) -> None:
        """Keep an installation (and the bot it carries) as the workspace's latest and its installer's."""
        workspace = installed_workspace(
            installation.enterprise_id, installation.team_id, installation.is_enterprise_install
        )
        entity = json.dumps(installation.__dict__)
        fields = [LATEST, _user_field(installation.user_id)] if installation.user_id else [LATEST]
        bot = installation.to_bot() if installation.bot_token else None
        bot_entity = json.dumps(bot.__dict__) if bot is not None else ""
        async with store_errors("save the Slack installation"):
            await self._save(
                keys=[keys.installers(workspace), keys.installed_bot(workspace)], args=[bot_entity, entity, *fields]
            )

    async def async_save_bot(self, bot: Bot) -> None:
        """Keep a bot installation as the workspace's bot."""
        if not bot.bot_token:
            return
        workspace = installed_workspace(bot.enterprise_id, bot.team_id, bot.is_enterprise_install)
        async with store_errors("save the Slack installation"):
            await self.redis.set(keys.installed_bot(workspace), json.dumps(bot.__dict__))

    async def async_find_bot(
        self, *, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None = False
    ) -> Bot | None:
        """The workspace's bot, or None when it has no installation."""
        workspace = installed_workspace(enterprise_id, team_id, is_enterprise_install)
        async with store_errors("find the Slack installation"):
            raw = await self.redis.get(keys.installed_bot(workspace))
        return Bot(**_loaded(raw)) if raw else None

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        """The user's installation (or the workspace's latest), carrying the workspace's current bot."""
        workspace = installed_workspace(enterprise_id, team_id, is_enterprise_install)
        field = LATEST if user_id is None else _user_field(user_id)
        async with store_errors("find the Slack installation"), self.redis.pipeline(transaction=False) as pipe:
            pipe.hget(keys.installers(workspace), field)
            pipe.get(keys.installed_bot(workspace))
            raw, raw_bot = await pipe.execute()
        if not raw:
            return None
        installation = Installation(**_loaded(raw))
        if raw_bot:  # the bot token is the workspace's latest, whoever installed last
            bot = Bot(**_loaded(raw_bot))
            installation.bot_id, installation.bot_user_id = bot.bot_id, bot.bot_user_id
            installation.bot_token, installation.bot_scopes = bot.bot_token, bot.bot_scopes
            installation.bot_refresh_token = bot.bot_refresh_token
            installation.bot_token_expires_at = bot.bot_token_expires_at
        else:  # the bot was revoked: the installation no longer speaks for it
            installation.bot_token = None
        return installation

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        """Forget the workspace's bot (its token was revoked or the app uninstalled)."""
        workspace = installed_workspace(enterprise_id, team_id, None)
        async with store_errors("delete the Slack installation"):
            await self.redis.delete(keys.installed_bot(workspace))

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        """Forget one user's installation, or every installation of the workspace."""
        workspace = installed_workspace(enterprise_id, team_id, None)
        async with store_errors("delete the Slack installation"):
            if user_id is None:
                await self.redis.delete(keys.installers(workspace))
            else:
                await self.redis.hdel(keys.installers(workspace), _user_field(user_id))

    async def async_delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        """Forget the workspace's bot and installations in one step."""
        workspace = installed_workspace(enterprise_id, team_id, None)
        async with store_errors("delete the Slack installation"):
            await self.redis.delete(keys.installed_bot(workspace), keys.installers(workspace))


def _loaded(raw: Any) -> dict[str, Any]:
    data = json.loads(raw)
    if not isinstance(data, dict):
        raise ValueError("a stored Slack installation is not an object")
    return data
