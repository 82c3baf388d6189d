"""`debrief score` reads a file or standard input and prints text or the documented JSON."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.app.cli import main
from tests.bot.scoring.test_engine import STRONG_BEHAVIORAL


def run_cli(args: list[str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], check=False, input=stdin, capture_output=True, text=True, timeout=60
    )


def test_json_from_stdin_has_the_documented_fields() -> None:
    result = run_cli(["score", "--category", "behavioral", "--json"], STRONG_BEHAVIORAL)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert isinstance(data["overall"], float)
    assert data["verdict"] in {"strong_hire", "hire", "lean_no_hire", "no_hire"}
    assert data["question_id"] is None and data["category"] == "behavioral"
    assert isinstance(data["word_count"], int) and isinstance(data["speaking_seconds"], int)
    for criterion in data["criteria"]:
        assert set(criterion) >= {"id", "name", "score", "evidence", "suggestion"}
        assert isinstance(criterion["evidence"], list)
    for hit in data["anti_patterns"]:
        assert set(hit) >= {"id", "quote", "why", "better"}


def test_text_from_file_for_a_question(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    answer = tmp_path / "answer.txt"
    answer.write_text(STRONG_BEHAVIORAL)
    assert main(["score", "--question", "beh-001", str(answer)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Score ")
    assert "(question beh-001)" in out
    assert "Criteria" in out


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-8-sig"])
def test_a_file_saved_as_utf16_or_with_a_byte_order_mark_scores_like_plain_utf8(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], encoding: str
) -> None:
    """Windows PowerShell's `>` writes UTF-16 with a byte order mark; read as UTF-8 it was a page of noise
    that scored 1.0 and was told it repeats itself."""
    plain, other = tmp_path / "plain.txt", tmp_path / "other.txt"
    plain.write_bytes(STRONG_BEHAVIORAL.encode("utf-8"))
    data = STRONG_BEHAVIORAL.encode(encoding)
    other.write_bytes(data if encoding != "utf-16-be" else b"\xfe\xff" + data)
    assert main(["score", "--question", "beh-001", "--json", str(plain)]) == 0
    expected = json.loads(capsys.readouterr().out)
    assert main(["score", "--question", "beh-001", "--json", str(other)]) == 0
    assert json.loads(capsys.readouterr().out) == expected


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["score", "--question", "nope-001"], "unknown question id 'nope-001'"),
        (["score", "--category", "astrology"], "unknown category 'astrology'"),
        (["score"], "give --question ID, --question-text TEXT or --category CAT"),
        (["score", "--question-text", "  "], "--question-text is empty"),
        (["score", "--question", "beh-001", "--category", "metrics"], "--category goes with --question-text"),
    ],
)
def test_unknown_ids_exit_non_zero(args: list[str], message: str) -> None:
    result = run_cli(args, "some answer")
    assert result.returncode == 2
    assert message in result.stderr


def test_binary_garbage_does_not_crash(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"\xff\xfe\x00garbage\x80" * 100)))
    assert main(["score", "--category", "metrics", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["overall"] <= 1.5


PIVOT = (
    "Great question. I think the best way to answer that is to walk you through my general framework for "
    "prioritization, because that is what really matters. I score every initiative on impact, effort and "
    "confidence, align stakeholders in a weekly sync, and keep the roadmap visible so nobody is surprised."
)
ASKED = "A customer says our labels on rare classes are wrong. How would you find out whether they are right?"


def test_an_answer_to_another_question_is_flagged_in_json() -> None:
    result = run_cli(["score", "--question-text", ASKED, "--category", "technical", "--json"], PIVOT)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["off_question"] is True
    assert data["missed"] == "How would you find out whether they are right"
    assert data["question_id"] is None and data["question_text"] == ASKED and data["category"] == "technical"
    assert data["verdict"] in {"no_hire", "lean_no_hire"}


def test_an_answer_to_another_question_is_flagged_in_text() -> None:
    result = run_cli(["score", "--question-text", ASKED], PIVOT)
    assert result.returncode == 0, result.stderr
    assert "pass --category to choose" in result.stderr, "a guessed category is said so"
    assert "seems to answer a different question" in result.stdout
    assert "How would you find out whether they are right" in result.stdout


def test_an_answer_to_the_question_is_not_flagged() -> None:
    answer = (
        "First I'd pull the items they dispute and read a sample myself against the guideline, because the "
        "guideline might be the problem rather than the annotators. Then I'd compare our rare-class labels "
        "against a small expert-labelled gold set: if agreement on those classes is far below the rest, they "
        "are right. If they are, I'd tell them the same week, relabel the affected classes at our cost, and "
        "fix the guideline examples so it does not happen again."
    )
    result = run_cli(["score", "--question-text", ASKED, "--category", "technical", "--json"], answer)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["off_question"] is False and data["missed"] is None


@pytest.mark.parametrize(
    ("answer", "message"),
    [("", "the answer is empty"), ("  \n\t ", "the answer is empty"), ("word " * 9_000, "limited to 40,000")],
)
def test_an_empty_or_oversized_answer_is_refused_plainly(answer: str, message: str) -> None:
    result = run_cli(["score", "--question", "beh-001"], answer)
    assert result.returncode == 2 and message in result.stderr and not result.stdout
