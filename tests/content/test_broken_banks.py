"""Each kind of broken content file is caught with a message naming the file and the item."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from content.loader import ContentError, Problem, check_bank, load_bank
from tests.content.factories import question, rubric, write_bank


def problems_for(directory: Path) -> list[Problem]:
    _, problems = check_bank([directory])
    return problems


def only_problem(directory: Path) -> Problem:
    problems = problems_for(directory)
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def test_a_valid_team_directory_joins_the_bank(tmp_path: Path) -> None:
    bank = load_bank([write_bank(tmp_path, [rubric()], [question()])])
    assert "team-001" in bank.questions
    assert bank.rubric_for(bank.question("team-001")).id == "team_behavioral"


def test_duplicate_question_id_in_one_file(tmp_path: Path) -> None:
    problem = only_problem(write_bank(tmp_path, [rubric()], [question(), question()]))
    assert problem.item == "team-001"
    assert "duplicate question id" in problem.message
    assert problem.file.name == "team.yaml"


def test_clash_with_a_shipped_id_names_both_files(tmp_path: Path) -> None:
    clash = question("beh-001")
    problem = only_problem(write_bank(tmp_path, [rubric()], [question(), clash]))
    assert problem.item == "beh-001"
    assert problem.file == tmp_path.resolve() / "questions" / "team.yaml"
    assert "questions/behavioral.yaml" in problem.message


def test_clash_with_a_shipped_rubric_id(tmp_path: Path) -> None:
    write_bank(tmp_path, [rubric(rubric_id="behavioral")], [question(rubric_id="behavioral")])
    messages = [str(p) for p in problems_for(tmp_path)]
    assert any("duplicate rubric id" in m and "rubrics/behavioral.yaml" in m for m in messages), messages


def test_unknown_rubric(tmp_path: Path) -> None:
    problem = only_problem(write_bank(tmp_path, [rubric()], [question(rubric_id="nope")]))
    assert problem.item == "team-001"
    assert "unknown rubric 'nope'" in problem.message


def test_missing_score_description(tmp_path: Path) -> None:
    broken = rubric()
    del broken["criteria"][1]["levels"]["3"]
    problem = only_problem(write_bank(tmp_path, [broken], [question()]))
    assert problem.item == "rubric team_behavioral"
    assert "criteria[trade_off].levels.3" in problem.message
    assert "missing score description" in problem.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", "empty or too short"), ("   ", "empty or too short"), ("Why? " * 150, "too long, 750 characters")],
)
def test_empty_or_over_long_question_text(tmp_path: Path, text: str, expected: str) -> None:
    bad = question()
    bad["text"] = text
    problem = only_problem(write_bank(tmp_path, [rubric()], [bad]))
    assert problem.item == "team-001"
    assert problem.message.startswith("text:")
    assert expected in problem.message


def test_unknown_category(tmp_path: Path) -> None:
    bad = question()
    bad["category"] = "vibes"
    problem = only_problem(write_bank(tmp_path, [rubric()], [bad]))
    assert problem.item == "team-001"
    assert "unknown category 'vibes'" in problem.message


def test_follow_up_aimed_at_unknown_criterion(tmp_path: Path) -> None:
    bad = question()
    bad["follow_ups"][0]["criterion"] = "charisma"
    problem = only_problem(write_bank(tmp_path, [rubric()], [bad]))
    assert "unknown criterion 'charisma'" in problem.message


def test_weights_must_add_up(tmp_path: Path) -> None:
    bad = rubric()
    bad["criteria"][0]["weight"] = 0.9
    problem = only_problem(write_bank(tmp_path, [bad], [question()]))
    assert "weights add up to 1.50" in problem.message


def test_invalid_signal_regex(tmp_path: Path) -> None:
    bad = rubric()
    bad["criteria"][0]["signals"][0] = r"\bi (decided"
    problem = only_problem(write_bank(tmp_path, [bad], [question()]))
    assert "criteria[decision].signals" in problem.message
    assert "not a valid regular expression" in problem.message


def test_unknown_key_is_an_error(tmp_path: Path) -> None:
    bad = question()
    bad["answer"] = "the secret answer"
    problem = only_problem(write_bank(tmp_path, [rubric()], [bad]))
    assert problem.message.startswith("answer:")


def test_yaml_syntax_error_names_line(tmp_path: Path) -> None:
    write_bank(tmp_path, [rubric()], [question()])
    (tmp_path / "questions" / "team.yaml").write_text("questions:\n  - id: team-001\n    text: [unclosed\n")
    problem = only_problem(tmp_path)
    assert "is not valid YAML at line" in problem.message


def test_every_bad_question_is_reported_not_only_the_first(tmp_path: Path) -> None:
    first, second = question("team-001"), question("team-002")
    first["difficulty"] = 7
    second["round"] = "karaoke"
    write_bank(tmp_path, [rubric()], [first, second])
    problems = problems_for(tmp_path)
    assert {p.item for p in problems} == {"team-001", "team-002"}


def test_load_bank_raises_with_every_problem(tmp_path: Path) -> None:
    write_bank(tmp_path, [rubric()], [question(rubric_id="nope")])
    with pytest.raises(ContentError) as caught:
        load_bank([tmp_path])
    assert "team-001: unknown rubric 'nope'" in str(caught.value)


def test_exemplar_pointing_at_unknown_question(tmp_path: Path) -> None:
    bad = rubric()
    bad["exemplars"][0]["question"] = "team-999"
    problem = only_problem(write_bank(tmp_path, [bad], [question()]))
    assert problem.item == "rubric team_behavioral"
    assert "unknown question 'team-999'" in problem.message


def test_missing_directory(tmp_path: Path) -> None:
    problem = only_problem(tmp_path / "absent")
    assert problem.message == "is not a directory"


def _dump(path: Path, data: Any) -> None:
    path.write_text(yaml.safe_dump(data))


def test_wrong_top_level_key(tmp_path: Path) -> None:
    write_bank(tmp_path, [rubric()], [question()])
    _dump(tmp_path / "questions" / "team.yaml", {"qs": [question()]})
    messages = [p.message for p in problems_for(tmp_path)]
    assert "must be a mapping with a top-level 'questions' key" in messages
