"""`debrief practice`: today's question, your answer, rubric feedback and your streak, in a terminal."""

from __future__ import annotations

import asyncio
import getpass
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.answers import AnswerOutcome, Answers, AnswerStatus, SubmitAnswer, points_words
from bot.channel_settings import ChannelSettings
from bot.coach.coach import ModelCoach
from bot.daily_post import DailyPosts
from bot.data_export import DataExports
from bot.errors import StoreUnavailable
from bot.forget_me import ForgetMe, erased_reply
from bot.identities import Channel, Member
from bot.progress import Progress
from bot.prompts import DailyPrompt
from bot.replies import plain_text
from bot.scoring.engine import UnknownQuestion
from bot.scoring.feedback import Feedback
from bot.scoring.render_text import render_feedback
from content.loader import Bank
from handlers.console.terminal import Interrupted, Terminal

WORKSPACE = "console:local"
CHANNEL = Channel(WORKSPACE, "practice")
END_MARKERS = {".", "/done"}
FORGET_PHRASE = "forget me"
INTERRUPTED_STATUS = 130


def local_timezone_name(configured: str | None) -> str:
    """An IANA zone for the practising person: the setting, $TZ, /etc/localtime, else UTC."""
    for candidate in (configured, os.environ.get("TZ")):
        if candidate:
            try:
                ZoneInfo(candidate)
                return candidate
            except (ZoneInfoNotFoundError, ValueError):
                continue
    try:
        target = os.path.realpath("/etc/localtime")
        if "zoneinfo/" in target:
            name = target.split("zoneinfo/", 1)[1]
            ZoneInfo(name)
            return name
    except (OSError, ZoneInfoNotFoundError, ValueError):
        pass
    return "UTC"


@dataclass(frozen=True)
class Practice:
    """What terminal practice needs: the bank, the daily post and answer use cases, and where to keep an
    answer that could not be saved."""

    bank: Bank
    posts: DailyPosts
    answers: Answers
    timezone: str | None
    data_dir: Path
    progress: Progress
    exports: DataExports
    forget_me: ForgetMe
    coach: ModelCoach | None = None  # with DEBRIEF_LLM_ set, the person at the terminal chose a model

    @property
    def settings(self) -> ChannelSettings:
        """Practice runs daily in the person's own timezone with a day-long window."""
        return ChannelSettings(timezone=local_timezone_name(self.timezone), weekdays=tuple(range(7)))


def practice_member() -> Member:
    """The person at the terminal."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "you"
    return Member(WORKSPACE, name, name)


async def run_practice(
    app: Practice, terminal: Terminal, *, category: str | None = None, question_id: str | None = None
) -> int:
    """One practice round; returns the exit status."""
    member = practice_member()
    try:
        asked = await _ask(app, terminal, member, category, question_id)
    except Interrupted:  # Ctrl-C before the answer was sent
        terminal.write("\nInterrupted: nothing was saved.\n")
        return INTERRUPTED_STATUS
    if isinstance(asked, int):
        return asked
    prompt, answer = asked
    command = SubmitAnswer(member=member, message_id="terminal", text=answer, at=app.posts.clock(), prompt_id=prompt.id)
    try:
        outcome = await app.answers.submit(command)
    except StoreUnavailable as exc:
        saved = _keep_unsaved(app.data_dir, answer)
        terminal.write(f"\n{exc}\nYour answer is kept in {saved}.\n")
        return 1
    if outcome.status is AnswerStatus.DUPLICATE:
        return await _same_answer_again(app, terminal, member, prompt, answer)
    if outcome.status is not AnswerStatus.RECORDED or outcome.feedback is None:
        terminal.write(f"\n{outcome.message}\n")
        return 1
    terminal.write("\n" + render_feedback(outcome.feedback) + "\n\n")
    await _model_feedback(app, terminal, member, prompt, outcome.answer, outcome.feedback)
    streak = outcome.streak
    spent = f" ({outcome.freezes_spent} freeze used)" if outcome.freezes_spent else ""
    terminal.write(f"{_saved_line(outcome)} {points_words(outcome)}.\n")
    if streak is not None:
        terminal.write(f"Streak: {streak.describe()}{spent}\n")
    return 0


async def _model_feedback(
    app: Practice, terminal: Terminal, member: Member, prompt: DailyPrompt, answer: str, feedback: Feedback
) -> None:
    """The configured model's judgement under the engine's guard, after the engine's feedback."""
    coach = app.coach
    if coach is None or not coach.available:
        return
    terminal.write(
        f"Sending your answer, the question and its rubric to {coach.model_name} (up to {coach.timeout:g} s; the "
        "rules engine checks what comes back)...\n"
    )
    question = app.bank.question(prompt.question_id)
    judged = await coach.judge(member.workspace, question.text, app.bank.rubric_for(question), answer, feedback)
    if judged.feedback is None:
        terminal.write(f"{judged.why_not} The feedback above stands.\n\n")
        return
    terminal.write("\n" + render_feedback(judged.feedback) + "\n\n")


async def _same_answer_again(
    app: Practice, terminal: Terminal, member: Member, prompt: DailyPrompt, answer: str
) -> int:
    """The answer already given today, word for word: nothing changes; its feedback is shown again."""
    feedback = await app.answers.current_feedback(member, prompt.id)
    if feedback is None:
        terminal.write("\nThat answer was already saved.\n")
        return 1
    terminal.write("\nThat is the answer you already gave today, word for word: nothing changed. Its feedback:\n\n")
    terminal.write(render_feedback(feedback) + "\n\n")
    await _model_feedback(app, terminal, member, prompt, answer, feedback)
    return 0


async def _ask(
    app: Practice, terminal: Terminal, member: Member, category: str | None, question_id: str | None
) -> tuple[DailyPrompt, str] | int:
    """Show the question (and any earlier answer today), then read the answer; an exit status instead when
    there is nothing to submit."""
    try:
        prompt = await app.posts.open_practice(CHANNEL, app.settings, category=category, question_id=question_id)
        terminal.write(_question_block(app, prompt, _heading(category, question_id)))
        earlier = await app.answers.so_far(member, prompt.id)
    except UnknownQuestion as exc:
        terminal.write(f"{exc.args[0]} (see `debrief content list`)\n")
        return 2
    except StoreUnavailable as exc:
        terminal.write(f"{exc}\n")
        return 1
    if earlier is not None:
        terminal.write(
            f"You already answered this today: latest {earlier.score:.1f}/5 ({earlier.verdict.replace('_', ' ')}), "
            f"best {earlier.best:.1f}/5. A new answer replaces it as revision {earlier.revisions + 1}, so write the "
            "whole answer again; every revision is kept and your history shows the best and the latest.\n\n"
        )
    answer = await _read_answer(terminal)
    if answer is None:
        terminal.write("\nNo answer given; come back when you are ready.\n")
        return 0
    return prompt, answer


async def run_history(app: Practice, terminal: Terminal, limit: int = 20, chart: Path | None = None) -> int:
    """List past answers with their scores; with `chart`, also write the progress chart there as a PNG."""
    try:
        items = await app.answers.history(practice_member(), limit)
    except StoreUnavailable as exc:
        terminal.write(f"{exc}\n")
        return 1
    if not items:
        terminal.write("No answers yet. Run `debrief practice` to answer today's question.\n")
        return 0 if chart is None else await write_chart(app, terminal, chart)
    terminal.write(
        f"{'date':<11} {'question':<9} {'best':>4} {'latest':>6} {'revs':>4}  {'verdict':<13} {'pts':>4}  question\n"
    )
    for item in items:
        question = app.bank.questions.get(item.question_id)
        text = " ".join(question.text.split())[:50] if question else ""
        day = item.first_at.astimezone().strftime("%Y-%m-%d")
        late = " (late)" if item.late else ""
        terminal.write(
            f"{day:<11} {item.question_id:<9} {item.best:>4.1f} {item.score:>6.1f} {item.revisions:>4}  "
            f"{item.verdict.replace('_', ' '):<13} {item.points:>4}  {text}{late}\n"
        )
    return await write_chart(app, terminal, chart) if chart is not None else 0


async def write_chart(app: Practice, terminal: Terminal, path: Path) -> int:
    """Write the same progress chart `/debrief stats` sends to `path`, and print the words that go with it."""
    try:
        reply = await app.progress.report(practice_member())
    except StoreUnavailable as exc:
        terminal.write(f"{exc}\n")
        return 1
    if reply.image is None:
        terminal.write(f"{plain_text(reply)}\nNo chart was written.\n")
        return 0
    try:
        await asyncio.to_thread(path.write_bytes, reply.image.data)
    except OSError as exc:
        terminal.write(f"\nCould not write the chart to {path}: {exc.strerror or exc}\n")
        return 1
    terminal.write(f"\nProgress chart written to {path}.\n{plain_text(reply)}\n")
    return 0


def csv_path_beside(path: Path) -> Path:
    """Where the answers CSV goes when the JSON export goes to `path`."""
    if path.suffix.lower() == ".csv":
        return path.with_name(f"{path.stem}-answers.csv")
    return path.with_suffix(".csv")


async def run_export(app: Practice, terminal: Terminal, path: Path) -> int:
    """Write everything kept about the person at the terminal to `path` (JSON), and their answers as CSV beside it."""
    try:
        export = await app.exports.export(practice_member())
    except StoreUnavailable as exc:
        terminal.write(f"{exc}\n")
        return 1
    json_file, csv_file = export.files
    csv_path = csv_path_beside(path)
    try:
        await asyncio.to_thread(_write_files, ((path, json_file.content), (csv_path, csv_file.content)))
    except OSError as exc:
        terminal.write(f"Could not write {exc.filename or path}: {exc.strerror or exc}\n")
        return 1
    terminal.write(f"Your data ({export.answers} answers) is in {path}, your answers as CSV in {csv_path}.\n")
    return 0


async def run_forget(app: Practice, terminal: Terminal) -> int:
    """Delete everything kept about the person at the terminal, once they typed the confirmation phrase."""
    terminal.write(
        "This deletes every answer, revision, score, streak and point practice mode keeps for you. "
        "It cannot be undone.\n"
        f"Type '{FORGET_PHRASE}' and Enter to delete; anything else (or Ctrl-D) keeps everything.\n"
    )
    try:
        typed = await terminal.read_line()
    except Interrupted:
        typed = None
    if typed is None or " ".join(typed.lower().split()) != FORGET_PHRASE:
        terminal.write("Nothing was deleted.\n")
        return 1
    try:
        erased = await app.forget_me.forget(practice_member())
    except StoreUnavailable as exc:
        terminal.write(f"{exc}\n")
        return 1
    terminal.write(plain_text(erased_reply(erased, yourself=True)) + "\n")
    return 0


def _heading(category: str | None, question_id: str | None) -> str:
    """What the run asked for: today's rotation, a category, or one question."""
    if question_id is not None:
        return "The question you chose"
    if category is not None:
        return f"Your {category.replace('_', ' ')} question"
    return "Today's question"


def _question_block(app: Practice, prompt: DailyPrompt, heading: str) -> str:
    question = app.bank.question(prompt.question_id)
    round_ = app.bank.rounds[question.round]
    rubric = app.bank.rubric_for(question)
    criteria = ", ".join(c.name for c in rubric.criteria)
    return (
        f"\n{heading} ({question.id}, {round_.name} round, difficulty {question.difficulty}/3)\n\n"
        f"{question.text}\n\n"
        f"Judged on: {criteria}.\n"
        "Aim for about 2.5 minutes spoken (roughly 350 words).\n"
        "Type your answer; finish with a line containing only '.' (or press Ctrl-D).\n\n"
    )


async def _read_answer(terminal: Terminal) -> str | None:
    lines: list[str] = []
    while True:
        line = await terminal.read_line()
        if line is None or line.strip() in END_MARKERS:
            break
        lines.append(line)
    text = "\n".join(lines).strip()
    return text or None


def _write_files(files: tuple[tuple[Path, bytes], ...]) -> None:
    for path, content in files:
        path.write_bytes(content)


def _keep_unsaved(data_dir: Path, answer: str) -> Path:
    folder = data_dir / "unsaved"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"answer-{datetime.now().strftime('%Y%m%d-%H%M%S')}.txt"
    path.write_text(answer, encoding="utf-8")
    return path


def _saved_line(outcome: AnswerOutcome) -> str:
    """What happened to the answer, in the terminal's terms: each answer here is a whole new one."""
    if outcome.revision is not None and outcome.revision > 1 and not outcome.late:
        return f"Revision {outcome.revision} saved: it replaces your earlier answer today (both are kept)."
    return outcome.message
