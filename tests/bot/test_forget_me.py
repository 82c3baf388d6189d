"""Forget-me through the real core on Redis: it asks first, only whoever asked can confirm, and afterwards no
key or entry anywhere in the database mentions the member, while others' data and the reviews they wrote stay."""

from __future__ import annotations

import json

from redis.asyncio import Redis

from bot.app.bootstrap import Core
from bot.forget_me import button_confirmation
from bot.identities import Member
from bot.replies import Reply, plain_text
from bot.store import keys
from tests.bot.scenario import (
    ADMIN,
    LEAVER,
    OTHER,
    REVIEW_BY_LEAVER,
    WS,
    member_with_everything,
    run_command,
)
from tests.redis_dump import mentions
from tests.scheduler.replicas import RecordingPlatform


async def run(core: Core, member: Member, text: str) -> Reply:
    return await run_command(core, member, text, RecordingPlatform())


def nonce_of(reply: Reply) -> str:
    (button,) = reply.buttons
    words = button_confirmation(button.action_id)
    assert words is not None
    return words[1]


async def test_forgetting_leaves_nothing_that_mentions_the_member(core: Core, redis: Redis) -> None:
    await member_with_everything(core)
    assert len(await mentions(redis, LEAVER.user_id)) > 20, "the set-up wrote the member everywhere"
    before_other = await core.answers.so_far(OTHER, "C1:2026-03-02")

    erased = await core.forget_me.forget(LEAVER)

    assert await mentions(redis, LEAVER.user_id) == []
    assert (erased.answers, erased.revisions, erased.reviews_received, erased.reviews_anonymised) == (2, 3, 1, 1)
    assert erased.streak and erased.points > 0 and erased.board_places == 5  # with this week's points
    assert (erased.mock_sessions, erased.mock_scores, erased.kept_replies, erased.notices) == (1, 1, 1, 1)
    assert erased.message_links == 2
    # others keep theirs; the review the member wrote stays, without a name
    assert await core.answers.so_far(OTHER, "C1:2026-03-02") == before_other
    (kept,) = await core.reviews.store.reviews(WS, "C1:2026-03-02", OTHER.user_id)
    assert kept.comment == REVIEW_BY_LEAVER and kept.reviewer_name == ""
    assert kept.reviewer_id.startswith("former-member-")
    assert await core.outbox.store.pending("slack") == 1
    assert [row.user_id for row in await core.stores.standings.leaderboard(WS, "points")] == [OTHER.user_id]
    # running it again is harmless and finds nothing
    assert not (await core.forget_me.forget(LEAVER)).anything


async def test_forget_me_asks_first_and_only_the_member_can_confirm(core: Core, redis: Redis) -> None:
    await member_with_everything(core)
    asked = await run(core, LEAVER, "forget-me")
    assert "cannot be undone" in asked.summary and asked.buttons
    nonce = nonce_of(asked)
    # someone else pressing the button, or typing confirm, deletes nothing of the member's
    refused = await run(core, OTHER, f"forget-me confirm {nonce}")
    assert "Nothing was deleted" in refused.summary
    assert "Nothing was deleted" in (await run(core, OTHER, "forget-me confirm")).summary
    assert await core.answers.so_far(LEAVER, "C1:2026-03-02") is not None
    done = await run(core, LEAVER, f"forget-me confirm {nonce}")
    assert done.summary.startswith("Done") and "2 answers with 3 revisions" in plain_text(done)
    assert "1 review you wrote stay" in plain_text(done)
    assert await mentions(redis, LEAVER.user_id) == []
    again = await run(core, LEAVER, f"forget-me confirm {nonce}")
    assert "no deletion of yours waiting" in again.summary


async def test_an_old_button_or_a_cancelled_request_deletes_nothing(core: Core, redis: Redis) -> None:
    await member_with_everything(core)
    old = nonce_of(await run(core, LEAVER, "forget-me"))
    newer = nonce_of(await run(core, LEAVER, "forget-me"))
    assert "Nothing was deleted" in (await run(core, LEAVER, f"forget-me confirm {old}")).summary
    assert "Cancelled" in (await run(core, LEAVER, "forget-me cancel")).summary
    assert "Nothing was deleted" in (await run(core, LEAVER, f"forget-me confirm {newer}")).summary
    assert await core.answers.so_far(LEAVER, "C1:2026-03-02") is not None
    assert await redis.exists(keys.forget_request(LEAVER)) == 0


async def test_only_admins_forget_someone_else_and_unknown_members_change_nothing(core: Core, redis: Redis) -> None:
    await member_with_everything(core)
    refused = await run(core, OTHER, "forget-me @UFORGETME")
    assert "Only workspace admins" in refused.summary and not refused.buttons
    unknown = await run(core, ADMIN, "forget-me @UNOBODY")
    assert "no data about that member" in unknown.summary and not unknown.buttons
    for garbage in ("forget-me please", "forget-me confirm a b", "forget-me @UFORGETME @UOTHERONE"):
        reply = await run(core, ADMIN, garbage)
        assert not reply.buttons and plain_text(reply)
    assert await core.answers.so_far(LEAVER, "C1:2026-03-02") is not None
    asked = await run(core, ADMIN, "forget-me @UFORGETME")
    assert "about that member" in asked.summary
    done = await run(core, ADMIN, f"forget-me confirm {nonce_of(asked)}")
    assert "about that member" in done.summary
    assert await mentions(redis, LEAVER.user_id) == []
    assert await core.answers.so_far(OTHER, "C1:2026-03-02") is not None


async def test_an_admin_request_naming_the_member_goes_when_the_member_forgets_themself(
    core: Core, redis: Redis
) -> None:
    await member_with_everything(core)
    await run(core, ADMIN, "forget-me @UFORGETME")
    own = await run(core, LEAVER, "forget-me")
    await run(core, LEAVER, f"forget-me confirm {nonce_of(own)}")
    assert await mentions(redis, LEAVER.user_id) == []
    assert "no deletion of yours waiting" in (await run(core, ADMIN, "forget-me confirm")).summary


async def test_on_discord_mock_interviews_kept_per_person_go_too(core: Core, redis: Redis) -> None:
    member = Member("discord:42", "123456789012345678", "Dee")
    await core.mocks.start(member, "behavioral")
    assert await redis.exists(keys.mock_session(Member("discord:users", member.user_id)))
    data = json.loads((await core.exports.export(member)).files[0].content)
    assert data["mock_interviews"]["open_session"]["kind"] == "hiring_manager"
    erased = await core.forget_me.forget(member)
    assert erased.mock_sessions == 1 and erased.mock_questions > 0
    assert await mentions(redis, member.user_id) == []


async def test_nothing_about_a_new_member_means_nothing_to_ask(core: Core, redis: Redis) -> None:
    reply = await run(core, LEAVER, "forget-me")
    assert "no data about you" in reply.summary and not reply.buttons
    assert await mentions(redis, LEAVER.user_id) == []
