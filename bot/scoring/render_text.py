"""Render feedback as plain text for a terminal."""

from __future__ import annotations

import textwrap

from bot.replies import counted
from bot.scoring.feedback import Feedback
from bot.scoring.text import SPEAKING_GUIDELINE_SECONDS

WIDTH = 88


def render_feedback(feedback: Feedback, *, width: int = WIDTH) -> str:
    """The whole feedback as readable plain text (a model's judgement: only what the model added to the engine's
    analysis, which is shown before it)."""
    out: list[str] = []
    if feedback.question_id:
        about = f"question {feedback.question_id}"
    elif feedback.question_text:
        asked = feedback.question_text if len(feedback.question_text) <= 60 else feedback.question_text[:59] + "…"
        about = f"\u201c{asked}\u201d, {feedback.category} rubric"
    else:
        about = f"{feedback.category} rubric"
    if feedback.coach:
        out.append(f"--- Model feedback from {feedback.coach}, checked by the rules engine " + "-" * 20)
    out.append(f"Score {feedback.overall:.1f}/5 - {feedback.verdict.label.upper()}  ({about})")
    if feedback.coach and feedback.engine_overall is not None:
        out.append(
            f"The rules engine scored it {feedback.engine_overall:.1f}/5; points and streaks use the engine's score."
        )
    minutes, seconds = divmod(feedback.speaking_seconds, 60)
    timing = f"{counted(feedback.word_count, 'word')}, about {minutes}:{seconds:02d} spoken"
    limit = f"{SPEAKING_GUIDELINE_SECONDS // 60}:{SPEAKING_GUIDELINE_SECONDS % 60:02d}"
    out.append(f"{timing} (guideline {limit}){' - OVER TIME' if feedback.over_time else ''}")
    for note in feedback.notes:
        out.extend(_wrap(f"! {note}", width, "  "))
    out.append("")
    out.append("Criteria")
    for c in feedback.criteria:
        out.append(f"  [{c.score}/5] {c.name} ({c.weight:.0%})")
        if c.reason:
            out.extend(_wrap(c.reason, width, "        ", first="      - "))
        for quote in c.evidence:
            out.extend(_wrap(f"\u201c{quote}\u201d", width, "        ", first="      + "))
        if c.suggestion:
            out.extend(_wrap(c.suggestion, width, "        ", first="      > "))
    if feedback.follow_up:
        out.append("")
        out.extend(_wrap(f"An interviewer would ask next: {feedback.follow_up}", width, "  "))
    if feedback.coach:
        return "\n".join(out)
    if feedback.structure:
        present = [p.name for p in feedback.structure if p.present]
        out.append("")
        out.append(f"Structure: {', '.join(present) or 'none of the expected parts'} present")
        if feedback.missing_structure:
            out.append(f"  missing: {', '.join(feedback.missing_structure)}")
    if feedback.anti_patterns:
        out.append("")
        out.append("Anti-patterns")
        for hit in feedback.anti_patterns:
            out.append(f"  - {hit.name}")
            out.extend(_wrap(f"\u201c{hit.quote}\u201d", width, "      "))
            out.extend(_wrap(f"why it hurts: {hit.why}", width, "      "))
            out.extend(_wrap(f"instead: {hit.better}", width, "      "))
    if feedback.coverage:
        missed = [e.point for e in feedback.coverage if not e.covered]
        covered = len(feedback.coverage) - len(missed)
        out.append("")
        out.append(f"Question coverage: {covered}/{len(feedback.coverage)}")
        for point in missed:
            out.extend(_wrap(f"not covered: {point}", width, "      ", first="  - "))
    lang = feedback.language
    out.append("")
    out.append(
        f"Specificity: {counted(lang.quantities, 'number')}, {lang.before_after} before->after, "
        f"mechanisms: {', '.join(lang.mechanisms[:6]) or 'none named'}"
    )
    out.append(
        f"Ownership: {counted(lang.owned_sentences, 'sentence')} of yours"
        f" vs {lang.shared_vague_sentences} of 'we discussed'"
        f"; hedges: {', '.join(lang.hedges[:5]) or 'none'}; filler words: {lang.fillers}"
    )
    return "\n".join(out)


def _wrap(text: str, width: int, indent: str, first: str | None = None) -> list[str]:
    return textwrap.wrap(
        text, width=width, initial_indent=first if first is not None else indent, subsequent_indent=indent
    ) or [indent.rstrip()]
