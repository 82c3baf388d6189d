"""The export through the real core on Redis: a JSON document with everything about the member, and a CSV of
their answers that a spreadsheet cannot run."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

from bot.app.bootstrap import Core
from bot.identities import Member
from bot.replies import Reply
from tests.bot.scenario import (
    ADMIN,
    CHANNEL,
    GOOD_ANSWER,
    LEAVER,
    OTHER,
    REVIEW_BY_LEAVER,
    REVIEW_OF_LEAVER,
    WS,
    Scenario,
    member_with_everything,
    run_command,
)
from tests.scheduler.replicas import RecordingPlatform


async def run(core: Core, member: Member, text: str, port: RecordingPlatform | None = None) -> Reply:
    return await run_command(core, member, text, port or RecordingPlatform())


async def test_the_export_holds_answers_revisions_scores_reviews_streak_and_mocks(core: Core) -> None:
    await member_with_everything(core)
    export = await core.exports.export(LEAVER)
    json_file, csv_file = export.files
    assert json_file.filename.endswith(".json") and csv_file.filename.endswith(".csv")
    data = json.loads(json_file.content)
    assert data["member"] == {
        "workspace": WS,
        "user_id": LEAVER.user_id,
        "display_name": "Fran",
        "time_zone": "Asia/Kolkata",
    }
    first, second = data["answers"]
    assert first["text"] == GOOD_ANSWER + "\n\nAlso: I wrote the rollback plan."
    assert [r["text"] for r in first["revisions"]] == [GOOD_ANSWER, "Also: I wrote the rollback plan."]
    overalls = [r["feedback"]["overall"] for r in first["revisions"]]
    assert first["best_score"] == max(overalls) and min(overalls) > 0
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
    (row,) = list(csv.DictReader(io.StringIO((await core.exports.export(LEAVER)).files[1].content.decode())))
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
