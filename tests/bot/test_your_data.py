"""Your data through the real core on Redis: the export holds everything about a member, and forget-me leaves no
key or entry anywhere in the database that mentions them, while others' data and their reviews stay."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

from redis.asyncio import Redis

from bot.app.bootstrap import Core
from bot.commands import CommandRequest, parse_command_text
from bot.identities import Channel, Member, ThreadRef, personal
from bot.mock.store import MockStore
from bot.replies import Reply, plain_text
from bot.review.peer_review import AnswerRef
from bot.store import keys
from bot.your_data import button_confirmation
from tests.bot.scenario import GOOD_ANSWER, Scenario
from tests.redis_dump import mentions
from tests.scheduler.replicas import RecordingPlatform

WS = "slack:T1"
CHANNEL = Channel(WS, "C1")
LEAVER = Member(WS, "UFORGETME", "Fran")
OTHER = Member(WS, "UOTHERONE", "Olga")
ADMIN = Member(WS, "UADMIN", "Ada")
REVIEW_BY_LEAVER = "Clear decision and a real trade-off; the metric could use a baseline."
REVIEW_OF_LEAVER = "Strong ownership, though the second half repeats the first one."


async def member_with_everything(
    core: Core, channel: Channel = CHANNEL, leaver: Member = LEAVER, other: Member = OTHER
) -> None:
    """`leaver` with answers (one revised, one withdrawn), a review given and one received, a streak, points, a
    mock session and past mock scores, a notice and a reply waiting in the outbox; `other` answered too."""
    scenario = Scenario(core, channel)
    first = await scenario.post(date(2026, 3, 2))
    second = await scenario.post(date(2026, 3, 3), "beh-002")
    await scenario.answer(first, leaver, event_id="Ev1")
    await scenario.answer(first, leaver, text="Also: I wrote the rollback plan.", message_id="m-extra", event_id="Ev2")
    await scenario.answer(first, other, event_id="Ev3")
    await scenario.answer(second, leaver, message_id="m-second", event_id="Ev4")
    await core.answers.withdraw(ThreadRef(channel, second.thread_id or ""), "m-second", leaver)
    scores = {c.id: "4" for c in core.bank.rubric_for(core.bank.question("beh-001")).criteria}
    await core.reviews.submit(leaver, AnswerRef(first.id, other.user_id), scores, REVIEW_BY_LEAVER)
    await core.reviews.submit(other, AnswerRef(first.id, leaver.user_id), scores, REVIEW_OF_LEAVER)
    await core.reviews.mark_helpful(leaver, AnswerRef(first.id, leaver.user_id), other.user_id)
    await core.mocks.start(leaver, "behavioral")
    await MockStore(core.stores.redis).record_score(personal(leaver), "hiring_manager", 3.4)
    await core.outbox.store.notify(leaver, "We could not deliver the reply to your answer.")
    platform = channel.workspace.partition(":")[0]
    mine = {"to": "dm", "id": leaver.user_id, "message": {"content": "hi"}}
    theirs = {"to": "channel", "id": "1", "message": {"content": "x"}}
    await core.outbox.keep(platform, leaver, [mine], "the reply to your answer")
    await core.outbox.keep(platform, other, [theirs], "a reply")


async def run(core: Core, member: Member, text: str, port: RecordingPlatform | None = None) -> Reply:
    name, args = parse_command_text(text)
    users = tuple(w.removeprefix("@") for w in args if w.startswith("@"))
    args = tuple(w for w in args if not w.startswith("@"))

    async def is_admin() -> bool:
        return member.user_id == ADMIN.user_id

    request = CommandRequest(member, CHANNEL, name, args, is_admin, port or RecordingPlatform(), users)
    return await core.commands.run(request)


def nonce_of(reply: Reply) -> str:
    (button,) = reply.buttons
    words = button_confirmation(button.action_id)
    assert words is not None
    return words[1]


async def test_forgetting_leaves_nothing_that_mentions_the_member(core: Core, redis: Redis) -> None:
    await member_with_everything(core)
    assert len(await mentions(redis, LEAVER.user_id)) > 20, "the set-up wrote the member everywhere"
    before_other = await core.answers.so_far(OTHER, "C1:2026-03-02")

    erased = await core.your_data.forget(LEAVER)

    assert await mentions(redis, LEAVER.user_id) == []
    assert (erased.answers, erased.revisions, erased.reviews_received, erased.reviews_anonymised) == (2, 3, 1, 1)
    assert erased.streak and erased.points > 0 and erased.board_places == 4
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
    assert not (await core.your_data.forget(LEAVER)).anything


async def test_the_export_holds_answers_revisions_scores_reviews_streak_and_mocks(core: Core) -> None:
    await member_with_everything(core)
    export = await core.your_data.export(LEAVER)
    json_file, csv_file = export.files
    assert json_file.filename.endswith(".json") and csv_file.filename.endswith(".csv")
    data = json.loads(json_file.content)
    assert data["member"] == {"workspace": WS, "user_id": LEAVER.user_id, "display_name": "Fran"}
    first, second = data["answers"]
    assert first["text"] == GOOD_ANSWER + "\n\nAlso: I wrote the rollback plan."
    assert [r["text"] for r in first["revisions"]] == [GOOD_ANSWER, "Also: I wrote the rollback plan."]
    assert first["revisions"][0]["feedback"]["overall"] == first["best_score"] > 0
    assert first["question"] == core.bank.question("beh-001").text and first["counted_for_streak"]
    assert second["withdrawn"] and len(second["revisions"]) == 1
    (received,) = first["reviews_received"]
    assert received["comment"] == REVIEW_OF_LEAVER and "reviewer_id" not in received
    assert OTHER.user_id not in json.dumps(data), "reviewers and reviewed authors are not named"
    (given,) = data["reviews_given"]
    assert given["comment"] == REVIEW_BY_LEAVER and given["prompt_id"] == "C1:2026-03-02"
    assert data["streak"]["current"] == 2 and data["streak"]["days_counted"] == ["2026-03-02", "2026-03-03"]
    assert data["points"] == data["leaderboards"]["points"] > 0
    assert data["mock_interviews"]["open_session"]["kind"] == "hiring_manager"
    assert data["mock_interviews"]["round_scores"] == {"hiring_manager": [3.4]}
    assert data["undelivered_notices"] and data["replies_waiting_to_be_delivered"][0]["what"]
    rows = list(csv.DictReader(io.StringIO(csv_file.content.decode())))
    assert [r["prompt_id"] for r in rows] == ["C1:2026-03-02", "C1:2026-03-03"]
    assert rows[0]["answer"].startswith("In March I owned") and float(rows[0]["latest_score"]) > 0


async def test_csv_cells_never_run_as_spreadsheet_formulas(core: Core) -> None:
    scenario = Scenario(core, CHANNEL)
    prompt = await scenario.post(date(2026, 3, 2))
    await scenario.answer(prompt, LEAVER, text='=HYPERLINK("https://evil.example") ' + GOOD_ANSWER)
    (row,) = list(csv.DictReader(io.StringIO((await core.your_data.export(LEAVER)).files[1].content.decode())))
    assert row["answer"].startswith("'=HYPERLINK")


async def test_export_command_sends_the_files_privately_and_takes_no_member(core: Core) -> None:
    await member_with_everything(core)
    port = RecordingPlatform()
    reply = await run(core, LEAVER, "export", port)
    assert "in your direct messages" in reply.summary
    ((member, _, files),) = port.files
    assert member == LEAVER and len(files) == 2
    assert "nobody can export another member's" in (await run(core, ADMIN, "export @UFORGETME", port)).summary
    closed = await run(core, LEAVER, "export", RecordingPlatform(dms_closed=True))
    assert "could not reach you privately" in closed.summary


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
    data = json.loads((await core.your_data.export(member)).files[0].content)
    assert data["mock_interviews"]["open_session"]["kind"] == "hiring_manager"
    erased = await core.your_data.forget(member)
    assert erased.mock_sessions == 1 and erased.mock_questions > 0
    assert await mentions(redis, member.user_id) == []


async def test_nothing_about_a_new_member_means_nothing_to_ask(core: Core, redis: Redis) -> None:
    reply = await run(core, LEAVER, "forget-me")
    assert "no data about you" in reply.summary and not reply.buttons
    assert await mentions(redis, LEAVER.user_id) == []
