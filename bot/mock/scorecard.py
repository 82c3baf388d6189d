"""A mock round's scorecard: criterion means, a verdict with reasons, what to fix first, timing, progress."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from statistics import mean

from bot.mock.session import MockAnswer
from bot.replies import Block, Kind, Section, code, line, text
from bot.scoring.engine import verdict_for
from bot.scoring.feedback import Verdict
from bot.scoring.feedback_reply import clock
from bot.scoring.text import SPEAKING_GUIDELINE_SECONDS


@dataclass(frozen=True)
class Scorecard:
    """A round's (or the loop's) debrief: scores, verdict, reasons, what to fix, change since last time."""

    title: str
    overall: float
    verdict: Verdict
    criteria: tuple[tuple[str, float], ...]
    reasons: tuple[str, ...]
    fix_first: tuple[str, ...]
    change: float | None
    timings: tuple[tuple[str, int, int], ...]  # question id, seconds taken, estimated speaking seconds

    def section(self) -> Section:
        """The scorecard as one titled section of a reply."""
        blocks: list[Block] = []
        if self.change is not None:
            blocks.append(text(f"Change since your last mock of this round: {self.change:+.1f}"))
        if self.criteria:
            blocks.append(text(*(f"{name}: {score:.1f}" for name, score in self.criteria), kind=Kind.BULLETS))
        if self.reasons:
            blocks.append(text(*(f"Debrief: {reason}" for reason in self.reasons)))
        if self.fix_first:
            blocks.append(text("Fix first:"))
            blocks.append(text(*self.fix_first, kind=Kind.NUMBERED))
        if self.timings:
            blocks.append(
                text(
                    *(
                        line(
                            code(question_id),
                            f": answered in {clock(seconds)}, about {clock(spoken)} spoken "
                            f"(guideline {clock(SPEAKING_GUIDELINE_SECONDS)})",
                        )
                        for question_id, seconds, spoken in self.timings
                    ),
                    kind=Kind.NOTE,
                )
            )
        return Section(f"{self.title}: {self.overall:.1f}/5, {self.verdict.label}", tuple(blocks))

    def with_change(self, previous: float | None) -> Scorecard:
        """The same card with the change since the member's previous score."""
        change = None if previous is None else round(self.overall - previous, 1)
        return Scorecard(
            self.title, self.overall, self.verdict, self.criteria, self.reasons, self.fix_first, change, self.timings
        )


def scorecard(title: str, answers: list[MockAnswer]) -> Scorecard:
    """The debrief of a set of mock answers (skipped ones count against it)."""
    done = [a for a in answers if not a.skipped and a.overall is not None]
    overall = round(mean(a.overall for a in done if a.overall is not None), 1) if done else 1.0
    by_criterion: dict[str, list[int]] = {}
    for answer in done:
        for name, score in answer.criteria.items():
            by_criterion.setdefault(name, []).append(score)
    criteria = tuple(sorted(((n, round(mean(s), 1)) for n, s in by_criterion.items()), key=lambda item: -item[1]))
    reasons = []
    if criteria and criteria[0][1] >= 4:
        reasons.append(f"Clear signal on {criteria[0][0].lower()} ({criteria[0][1]:.1f}).")
    weak = [c for c in criteria if c[1] <= 2]
    if weak:
        reasons.append("No convincing evidence of " + ", ".join(n.lower() for n, _ in weak[:3]) + ".")
    off = sum(a.off_question for a in done)
    if off:
        reasons.append(
            f"{off} answer{'s' if off != 1 else ''} did not answer the question asked: a panel scores those low "
            "however good the story."
        )
    skipped = len(answers) - len(done)
    if skipped:
        reasons.append(f"{skipped} question{'s' if skipped != 1 else ''} skipped: a panel reads that as a gap.")
    slow = [a for a in done if a.speaking_seconds > SPEAKING_GUIDELINE_SECONDS]
    if slow:
        reasons.append(f"{len(slow)} answer{'s' if len(slow) != 1 else ''} ran past 2.5 minutes spoken.")
    fixes: list[str] = []
    for name, _ in sorted(criteria, key=lambda item: item[1])[:3]:
        hint = next((a.to_reach_five[name] for a in done if name in a.to_reach_five), "")
        quoted = next((a for a in done if name in a.quotes), None)
        if quoted is not None:
            # the member's own words, and what the model said they lack
            hint = f"you said \u201c{quoted.quotes[name]}\u201d. {quoted.reasons.get(name) or hint}"
        fixes.append(f"{name}: {hint}".strip())
    habits = Counter(item for a in done for item in a.anti_patterns)
    fixes = [f"Stop: {habit}" for habit, _ in habits.most_common(1)] + fixes
    return Scorecard(
        title,
        overall,
        verdict_for(overall),
        criteria,
        tuple(reasons),
        tuple(fixes[:3]),
        None,
        tuple((a.question_id, a.seconds, a.speaking_seconds) for a in done),
    )
