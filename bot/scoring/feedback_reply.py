"""Rubric feedback as a neutral reply: verdict, evidence and suggestions per criterion, habits to drop, streak."""

from __future__ import annotations

from collections.abc import Sequence

from bot.replies import Block, Kind, Reply, Section, counted, emphasis, line, text
from bot.scoring.feedback import Feedback
from bot.scoring.text import SPEAKING_GUIDELINE_SECONDS

QUOTES_PER_CRITERION = 2
ANTI_PATTERNS_SHOWN = 3
# A model's score and the engine's differing by more than this are shown side by side.
SHOW_ENGINE_DIFFERENCE = 1.0


def clock(seconds: int) -> str:
    """Seconds as m:ss."""
    return f"{seconds // 60}:{seconds % 60:02d}"


def feedback_summary(feedback: Feedback) -> str:
    """The one-line notification for a feedback message."""
    return f"Your answer scored {feedback.overall:.1f}/5 ({feedback.verdict.label})."


def shows_engine_score(feedback: Feedback) -> bool:
    """Whether a model's feedback shows the rules engine's score beside its own (they differ by more than a point)."""
    return feedback.engine_overall is not None and abs(feedback.overall - feedback.engine_overall) > (
        SHOW_ENGINE_DIFFERENCE
    )


def _coach_lines(feedback: Feedback) -> list[str]:
    if feedback.coach is None:
        return []
    lines = [
        f"Model feedback from {feedback.coach}: every quote below was checked against your answer by the rules "
        "engine, which keeps its caps. Points and streaks use the engine's own score."
    ]
    if shows_engine_score(feedback):
        lines.append(f"The rules engine scored this {feedback.engine_overall:.1f}/5.")
    return lines


def feedback_reply(feedback: Feedback, tail: Sequence[str] = ()) -> Reply:
    """The whole feedback for one answer; `tail` is small print after it (what happened to the answer, points)."""
    timing = (
        f"{counted(feedback.word_count, 'word')} · about {clock(feedback.speaking_seconds)} spoken "
        f"(guideline {clock(SPEAKING_GUIDELINE_SECONDS)})" + (" · over time" if feedback.over_time else "")
    )
    body = [text(*_coach_lines(feedback), timing, *(f"\u26a0\ufe0f {n}" for n in feedback.notes), kind=Kind.NOTE)]
    sections = [_criterion(c.name, c.score, c.evidence, c.suggestion, c.reason) for c in feedback.criteria]
    if feedback.follow_up:
        sections.append(Section("What an interviewer would ask next", (text(feedback.follow_up, kind=Kind.QUOTES),)))
    for hit in feedback.anti_patterns[:ANTI_PATTERNS_SHOWN]:
        sections.append(
            Section(
                f"Watch out: {hit.name}",
                (
                    text(hit.quote, kind=Kind.QUOTES),
                    text(line(emphasis("Why it hurts:"), " ", hit.why), line(emphasis("Instead:"), " ", hit.better)),
                ),
            )
        )
    small = []
    if feedback.structure:
        small.append("Structure: " + " · ".join(f"{p.name} {'✓' if p.present else '✗'}" for p in feedback.structure))
    if tail:
        small.append(" · ".join(tail))
    if small:
        sections.append(Section(None, (text(*small, kind=Kind.NOTE),)))
    return Reply(
        feedback_summary(feedback),
        title=("Model feedback · " if feedback.coach else "")
        + f"Score {feedback.overall:.1f}/5 · {feedback.verdict.label.title()}",
        body=tuple(body),
        sections=tuple(sections),
        accent=feedback.verdict.value,
    )


def _criterion(
    name: str, score: int, evidence: tuple[str, ...], suggestion: str | None, reason: str | None = None
) -> Section:
    blocks: list[Block] = []
    if reason:
        blocks.append(text(reason))
    if evidence:
        blocks.append(text(*evidence[:QUOTES_PER_CRITERION], kind=Kind.QUOTES))
    if suggestion:
        blocks.append(text(line(emphasis("To raise it:"), " ", suggestion)))
    if not blocks:
        blocks.append(text("No evidence found."))
    return Section(f"{name} · {score}/5", tuple(blocks))
