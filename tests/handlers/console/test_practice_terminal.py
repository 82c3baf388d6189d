"""Practice mode as a new user meets it: a real pseudo-terminal, the real command, an embedded Redis."""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import pty
import select
import signal
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.bot.scenario import GOOD_ANSWER
from tests.coach.fake_openai import FakeOpenAI
from tests.coach.judging import fixed_judge
from tests.png import assert_sensible_chart


def run_in_pty(
    args: list[str], data_dir: Path, typed: str = "", timeout: float = 60, env: dict[str, str] | None = None
) -> tuple[int, str]:
    """Run `python -m bot ARGS` attached to a pseudo-terminal, type `typed`, return (status, screen text)."""
    env = {**{k: v for k, v in os.environ.items() if k != "REDIS_URL"}, **(env or {})}
    env.update(DEBRIEF_DATA_DIR=str(data_dir), TZ="UTC", PYTHONUNBUFFERED="1")
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", *args],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=env,
        close_fds=True,
        preexec_fn=_controlling_terminal,
    )
    os.close(follower)
    screen = b""
    written = False
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(leader, 65536)
                except OSError:  # the child closed the terminal
                    break
                if not chunk:
                    break
                screen += chunk
            if typed and not written and b"Ctrl-D" in screen:
                os.write(leader, typed.encode())
                written = True
            if process.poll() is not None and not ready:
                break
        status = process.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        if process.poll() is None:
            process.kill()
        os.close(leader)
    return status, screen.decode(errors="replace").replace("\r\n", "\n")


def _controlling_terminal() -> None:
    """In the child: a session of its own with the pseudo-terminal as its terminal, so Ctrl-C sends SIGINT
    (and SIGINT acted on, even when the test runner was started where it is ignored)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def test_first_practice_session_on_a_fresh_machine(tmp_path: Path) -> None:
    answer = GOOD_ANSWER.replace(". ", ".\n") + "\n.\n"
    status, screen = run_in_pty(["practice"], tmp_path, typed=answer)
    assert status == 0, screen
    assert "Today's question" in screen and "Judged on:" in screen
    assert "Score " in screen and "Criteria" in screen
    assert "Answer saved." in screen
    assert "Streak: 1-day streak (best 1)" in screen
    assert (tmp_path / "redis" / "appendonly.aof").exists() or (tmp_path / "redis" / "appendonlydir").exists()

    status, history = run_in_pty(["practice", "--history"], tmp_path)
    assert status == 0, history
    first = _history_rows(history)
    assert len(first) == 1 and first[0]["best"] == first[0]["latest"] and first[0]["revs"] == "1"

    status, again = run_in_pty(["run"], tmp_path, typed="I decided to cut scope.\n.\n")
    assert status == 0, again
    assert f"You already answered this today: latest {first[0]['latest']}/5" in again
    assert "so write the whole answer again" in again
    assert "Revision 2 saved: it replaces your earlier answer today (both are kept)" in again
    assert "No points: answers under 25 words earn none" in again
    assert "+" not in again.split("Revision 2 saved")[1].split("\n")[0]
    assert "Streak: 1-day streak" in again, "answering again the same day does not add a day"

    status, history = run_in_pty(["practice", "--history"], tmp_path)
    (row,) = _history_rows(history)
    assert row["revs"] == "2"
    assert row["best"] == first[0]["best"] and float(row["latest"]) < float(row["best"]), (
        "a weaker rewrite keeps the best"
    )


def _history_rows(screen: str) -> list[dict[str, str]]:
    lines = [line for line in screen.splitlines() if line.strip()]
    header = lines.index(next(line for line in lines if line.startswith("date")))
    rows = []
    for line in lines[header + 1 :]:
        _day, question, best, latest, revs, *_ = line.split()
        rows.append({"question": question, "best": best, "latest": latest, "revs": revs})
    return rows


def test_garbage_arguments_and_unknown_ids(tmp_path: Path) -> None:
    status, screen = run_in_pty(["practice", "--question", "nope-001"], tmp_path)
    assert status == 2 and "unknown question id 'nope-001'" in screen
    status, screen = run_in_pty(["practice", "--category", "vibes"], tmp_path)
    assert status == 2 and "unknown category 'vibes'" in screen


def test_ctrl_d_without_an_answer_saves_nothing(tmp_path: Path) -> None:
    status, screen = run_in_pty(["practice"], tmp_path, typed="\x04")
    assert status == 0, screen
    assert "No answer given" in screen
    status, history = run_in_pty(["practice", "--history"], tmp_path)
    assert "No answers yet" in history


def test_ctrl_c_while_typing_exits_at_once_and_saves_nothing(tmp_path: Path) -> None:
    started = time.monotonic()
    status, screen = run_in_pty(["practice"], tmp_path, typed="I decided to cut the export\n\x03", timeout=30)
    assert status == 130, screen
    assert "Interrupted: nothing was saved." in screen
    assert "Traceback" not in screen
    assert time.monotonic() - started < 15
    status, history = run_in_pty(["practice", "--history"], tmp_path)
    assert "No answers yet" in history


def test_headings_name_what_was_asked_for(tmp_path: Path) -> None:
    status, screen = run_in_pty(["practice", "--category", "metrics"], tmp_path, typed="\x04")
    assert status == 0 and "Your metrics question (met-" in screen and "Today's question" not in screen
    status, screen = run_in_pty(["practice", "--question", "sd-004"], tmp_path, typed="\x04")
    assert status == 0 and "The question you chose (sd-004," in screen


def test_history_writes_the_progress_chart_to_a_file(tmp_path: Path) -> None:
    chart = tmp_path / "progress.png"
    status, screen = run_in_pty(["practice", "--history", "--chart", str(chart)], tmp_path)
    assert status == 0, screen
    assert "No answers yet" in screen and "No chart was written." in screen and not chart.exists()

    status, screen = run_in_pty(["practice"], tmp_path, typed=GOOD_ANSWER + "\n.\n")
    assert status == 0, screen
    status, screen = run_in_pty(["practice", "--history", "--chart", str(chart)], tmp_path)
    assert status == 0, screen
    assert f"Progress chart written to {chart}." in screen
    assert "Your weakest criterion over the last 8 weeks" in screen and "What a 5 looks like:" in screen
    assert_sensible_chart(chart.read_bytes())

    status, screen = run_in_pty(["practice", "--chart", str(chart)], tmp_path)
    assert status == 2 and "--chart goes with --history" in screen
    status, screen = run_in_pty(["practice", "--history", "--chart", str(tmp_path / "no" / "dir.png")], tmp_path)
    assert status == 1 and "Could not write the chart" in screen and "Traceback" not in screen


def test_export_then_forget_from_the_terminal(tmp_path: Path) -> None:
    data = tmp_path / "data"
    status, screen = run_in_pty(["practice"], data, typed=GOOD_ANSWER + "\n.\n")
    assert status == 0, screen
    target = tmp_path / "mine.json"
    status, screen = run_in_pty(["practice", "--export", str(target)], data)
    assert status == 0 and "mine.csv" in screen, screen
    exported = json.loads(target.read_text(encoding="utf-8"))
    (answer,) = exported["answers"]
    assert answer["text"] == GOOD_ANSWER and answer["latest_score"] > 0 and answer["revisions"]
    assert (tmp_path / "mine.csv").read_text(encoding="utf-8").startswith("prompt_id,question_id")

    status, screen = run_in_pty(["practice", "--forget"], data, typed="no thanks\n")
    assert status == 1 and "Nothing was deleted." in screen
    status, history = run_in_pty(["practice", "--history"], data)
    assert "No answers yet" not in history

    status, screen = run_in_pty(["practice", "--forget"], data, typed="forget me\n")
    assert status == 0 and "deleted everything" in screen and "1 answer with 1 revision" in screen, screen
    status, history = run_in_pty(["practice", "--history"], data)
    assert "No answers yet" in history


def test_score_on_a_terminal_says_how_to_give_the_answer(tmp_path: Path) -> None:
    status, screen = run_in_pty(["score", "--question", "beh-001"], tmp_path, typed=GOOD_ANSWER + "\n\x04")
    assert status == 0, screen
    assert "Type or paste the answer, then press Ctrl-D" in screen and "Score " in screen


@contextmanager
def model_in_a_thread(judge: Callable[[dict[str, Any]], str]) -> Iterator[FakeOpenAI]:
    """The fake model served from a thread of its own, for a test that is not async."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    server = FakeOpenAI()
    server.judge = judge
    asyncio.run_coroutine_threadsafe(server.start(), loop).result(10)
    try:
        yield server
    finally:
        asyncio.run_coroutine_threadsafe(server.stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


def test_practice_with_a_model_the_person_set_up(tmp_path: Path) -> None:
    quote = "I said no to the polygon workflow"
    follow_up = "What did the sales lead say when you told them the polygon workflow would wait?"
    judge = fixed_judge(4, lambda answer: [quote, "a sentence nobody wrote in this answer"], follow_up)
    with model_in_a_thread(judge) as model:
        env = {
            "DEBRIEF_LLM_BASE_URL": model.url,
            "DEBRIEF_LLM_MODEL": "fake-model",
            "DEBRIEF_LLM_API_KEY": "sk-pty-KEY",
        }
        status, screen = run_in_pty(["practice"], tmp_path, typed=GOOD_ANSWER + "\n.\n", env=env)
        assert status == 0, screen
        engine_part, model_part = screen.split("Sending your answer, the question and its rubric to fake-model", 1)
        assert "Score " in engine_part and "Model feedback" not in engine_part
        assert "--- Model feedback from fake-model, checked by the rules engine" in model_part
        assert "Score 4.0/5" in model_part and "points and streaks use the engine's score" in model_part
        assert quote in model_part and "nobody wrote" not in screen
        assert "An interviewer would ask next:" in model_part
        assert "Question coverage" not in model_part, "the engine's analysis is not repeated"
        assert "sk-pty-KEY" not in screen
        assert len(model.requests) == 1

        status, again = run_in_pty(["practice"], tmp_path, typed=GOOD_ANSWER + "\n.\n", env=env)
        assert status == 0, again
        assert "That is the answer you already gave today, word for word" in again
        assert "--- Model feedback from fake-model" in again and len(model.requests) == 2

        env["DEBRIEF_LLM_DAILY_BUDGET"] = "2"
        status, spent = run_in_pty(["practice"], tmp_path, typed=GOOD_ANSWER + "\n.\n", env=env)
        assert "Today's model budget (2 requests, DEBRIEF_LLM_DAILY_BUDGET) is used up" in spent
        assert "The feedback above stands." in spent and len(model.requests) == 2
