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


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["score", "--question", "nope-001"], "unknown question id 'nope-001'"),
        (["score", "--category", "astrology"], "unknown category 'astrology'"),
        (["score"], "give --question ID or --category CAT"),
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
