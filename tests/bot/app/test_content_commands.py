"""`debrief content check|list|show` print what a person needs and exit with the right status."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.app.cli import main
from tests.content.factories import question, rubric, write_bank


def test_check_passes_on_shipped_bank(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["content", "check"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ok: ")
    assert "behavioral" in out


def test_check_fails_with_one_line_per_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = question("team-001", rubric_id="nope")
    dup = question("beh-001")
    write_bank(tmp_path, [rubric()], [bad, dup])
    assert main(["content", "check", str(tmp_path)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert any("team-001: unknown rubric 'nope'" in line for line in err)
    assert any("beh-001: duplicate question id" in line for line in err)
    assert err[-1] == "2 problem(s) found"


def test_content_dirs_setting_adds_questions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_bank(tmp_path, [rubric()], [question("team-001")])
    monkeypatch.setenv("DEBRIEF_CONTENT_DIRS", str(tmp_path))
    assert main(["content", "list", "--json"]) == 0
    ids = {item["id"] for item in json.loads(capsys.readouterr().out)}
    assert "team-001" in ids


def test_list_json_has_the_documented_fields(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["content", "list", "--json"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert len(items) >= 120
    for item in items:
        assert {"id", "category", "round", "difficulty", "text", "rubric", "follow_ups"} <= set(item)
        assert isinstance(item["follow_ups"], list) and item["follow_ups"]


def test_list_filters_by_category(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["content", "list", "--category", "metrics", "--json"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert items and {i["category"] for i in items} == {"metrics"}


def test_show_prints_question_and_rubric(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["content", "show", "beh-001"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("beh-001  [behavioral, Hiring-manager behavioral round (45 min)")
    assert "A strong answer covers:" in out and "Follow-up probes:" in out


def test_show_unknown_id(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["content", "show", "nope-999"]) == 2
    assert "unknown question id 'nope-999'" in capsys.readouterr().err
