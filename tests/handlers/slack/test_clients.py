"""Which client speaks for a workspace: the one token, or the installation's token, read from Redis each time."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis
from slack_sdk.oauth.installation_store.models.installation import Installation

from bot.errors import PlatformRefused
from handlers.slack.clients import InstalledWorkspaces, NotInstalled, OneWorkspace
from handlers.slack.config import SlackConfig, web_client
from handlers.slack.installations import RedisInstallationStore

CONFIG = SlackConfig(
    bot_token=None, api_url="http://127.0.0.1:9/api", client_id="1.2", client_secret="client-secret-value"
)


async def test_an_installed_workspace_gets_a_client_with_its_own_token(redis: Redis) -> None:
    store = RedisInstallationStore(redis)
    await store.async_save(Installation(team_id="T1", user_id="U1", bot_token="xoxb-one", bot_user_id="UB1"))
    await store.async_save(Installation(team_id="T2", user_id="U2", bot_token="xoxb-two", bot_user_id="UB2"))
    clients = InstalledWorkspaces(store, CONFIG)

    one, two = await clients.for_workspace("slack:T1"), await clients.for_workspace("slack:T2")

    assert (one.token, two.token) == ("xoxb-one", "xoxb-two")
    assert one.base_url == "http://127.0.0.1:9/api/" and one.retry_handlers, "SLACK_API_URL and the retry policy"
    assert await clients.installed("slack:T1") and await clients.installed("slack:T2")


async def test_a_workspace_without_an_installation_is_refused(redis: Redis) -> None:
    store = RedisInstallationStore(redis)
    await store.async_save(Installation(team_id="T1", user_id="U1", bot_token="xoxb-one"))
    clients = InstalledWorkspaces(store, CONFIG)
    await store.async_delete_all(enterprise_id=None, team_id="T1")

    for workspace in ("slack:T1", "slack:T404", "discord:1", ""):
        assert not await clients.installed(workspace)
        with pytest.raises(NotInstalled) as refused:
            await clients.for_workspace(workspace)
        assert isinstance(refused.value, PlatformRefused) and "xoxb" not in str(refused.value)


async def test_one_token_speaks_for_every_workspace() -> None:
    client = web_client(SlackConfig(bot_token="xoxb-only"))
    clients = OneWorkspace(client)

    assert await clients.for_workspace("slack:T1") is client and await clients.for_workspace("slack:T2") is client
    assert await clients.installed("slack:T9")


def test_the_config_never_shows_its_secrets() -> None:
    shown = repr(SlackConfig(bot_token="xoxb-secret", app_token="xapp-secret", signing_secret="sig-secret"))
    assert "secret" not in shown.replace("signing_secret", "").replace("client_secret", "")
    assert "client-secret-value" not in repr(CONFIG)
