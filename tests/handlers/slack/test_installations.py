"""The Redis installation store: save, find and delete installations the way Bolt's flow and authorize use them."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis
from slack_sdk.oauth.installation_store.models.installation import Installation

from bot.store import keys
from handlers.slack.installations import RedisInstallationStore, installed_workspace


def installation(
    team_id: str, token: str, user_id: str = "UINSTALLER", enterprise_id: str | None = None
) -> Installation:
    return Installation(
        app_id="A1",
        enterprise_id=enterprise_id,
        team_id=team_id,
        user_id=user_id,
        bot_token=token,
        bot_id=f"B{team_id}",
        bot_user_id=f"UBOT{team_id}",
        bot_scopes=["chat:write", "commands"],
    )


async def test_a_saved_installation_is_found_with_its_bot(redis: Redis) -> None:
    store = RedisInstallationStore(redis)
    await store.async_save(installation("T1", "xoxb-one"))

    bot = await store.async_find_bot(enterprise_id=None, team_id="T1")
    found = await store.async_find_installation(enterprise_id=None, team_id="T1")
    mine = await store.async_find_installation(enterprise_id=None, team_id="T1", user_id="UINSTALLER")

    assert bot is not None and bot.bot_token == "xoxb-one" and bot.bot_user_id == "UBOTT1"
    assert found is not None and found.bot_token == "xoxb-one" and found.user_id == "UINSTALLER"
    assert mine is not None and mine.bot_token == "xoxb-one"
    assert await store.async_find_bot(enterprise_id=None, team_id="T2") is None
    assert await store.async_find_installation(enterprise_id=None, team_id="T1", user_id="USOMEONE") is None


async def test_keys_carry_the_workspace_as_hash_tag(redis: Redis) -> None:
    await RedisInstallationStore(redis).async_save(installation("T1", "xoxb-one"))

    assert sorted(await redis.keys("*")) == sorted([keys.installed_bot("slack:T1"), keys.installers("slack:T1")])
    assert keys.installed_bot("slack:T1").startswith("debrief:{slack:T1}:")


async def test_a_new_install_replaces_the_bot_and_keeps_each_installer(redis: Redis) -> None:
    store = RedisInstallationStore(redis)
    await store.async_save(installation("T1", "xoxb-old", user_id="UA"))
    await store.async_save(installation("T1", "xoxb-new", user_id="UB"))

    bot = await store.async_find_bot(enterprise_id=None, team_id="T1")
    earlier = await store.async_find_installation(enterprise_id=None, team_id="T1", user_id="UA")

    assert bot is not None and bot.bot_token == "xoxb-new"
    assert earlier is not None and earlier.user_id == "UA" and earlier.bot_token == "xoxb-new"


async def test_workspaces_are_kept_apart(redis: Redis) -> None:
    store = RedisInstallationStore(redis)
    await store.async_save(installation("T1", "xoxb-one"))
    await store.async_save(installation("T2", "xoxb-two"))

    one = await store.async_find_bot(enterprise_id=None, team_id="T1")
    two = await store.async_find_bot(enterprise_id=None, team_id="T2")

    assert one is not None and one.bot_token == "xoxb-one"
    assert two is not None and two.bot_token == "xoxb-two"


async def test_delete_all_forgets_the_workspace_only(redis: Redis) -> None:
    store = RedisInstallationStore(redis)
    await store.async_save(installation("T1", "xoxb-one"))
    await store.async_save(installation("T2", "xoxb-two"))

    await store.async_delete_all(enterprise_id=None, team_id="T1")

    assert await store.async_find_bot(enterprise_id=None, team_id="T1") is None
    assert await store.async_find_installation(enterprise_id=None, team_id="T1") is None
    assert await store.async_find_bot(enterprise_id=None, team_id="T2") is not None


async def test_a_revoked_bot_leaves_installations_without_a_token(redis: Redis) -> None:
    store = RedisInstallationStore(redis)
    await store.async_save(installation("T1", "xoxb-one"))

    await store.async_delete_bot(enterprise_id=None, team_id="T1")

    found = await store.async_find_installation(enterprise_id=None, team_id="T1")
    assert await store.async_find_bot(enterprise_id=None, team_id="T1") is None
    assert found is not None and found.bot_token is None


async def test_deleting_one_installer_keeps_the_rest(redis: Redis) -> None:
    store = RedisInstallationStore(redis)
    await store.async_save(installation("T1", "xoxb-one", user_id="UA"))
    await store.async_save(installation("T1", "xoxb-one", user_id="UB"))

    await store.async_delete_installation(enterprise_id=None, team_id="T1", user_id="UA")

    assert await store.async_find_installation(enterprise_id=None, team_id="T1", user_id="UA") is None
    assert await store.async_find_installation(enterprise_id=None, team_id="T1", user_id="UB") is not None


async def test_an_enterprise_team_install_is_found_by_its_team(redis: Redis) -> None:
    store = RedisInstallationStore(redis)
    await store.async_save(installation("T1", "xoxb-grid", enterprise_id="E1"))

    bot = await store.async_find_bot(enterprise_id=None, team_id="T1")

    assert bot is not None and bot.bot_token == "xoxb-grid"


def test_an_org_wide_install_belongs_to_its_enterprise() -> None:
    assert installed_workspace("E1", None, True) == "slack:E1"
    assert installed_workspace("E1", "T1", False) == "slack:T1"
    with pytest.raises(ValueError):
        installed_workspace(None, None, False)
