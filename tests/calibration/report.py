"""Print how the shipped engine agrees with hand grades.

python -m tests.calibration.report --holdout            # the eval set's held-out part
python -m tests.calibration.report --hard               # the deliberately hard set (never fitted)
python -m tests.calibration.report --dir PATH           # any directory of graded answers (e.g. kept outside)
python -m tests.calibration.report --fitting            # the answers the model was fitted on (in-sample)
... --answers                                           # also every answer's grade, score and verdict

Each set is also scored with its answers graded 4-5 pasted under another of its questions (pasted.py): none of
those should be voted hire.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from bot.scoring.engine import FeedbackEngine
from content.loader import load_bank
from tests.calibration.agreement import HIRE, VERDICTS, Agreement, Scored, agreement, by_kind, scored
from tests.calibration.dataset import fitting_answers, hard_answers, holdout_answers, load_directory
from tests.calibration.pasted import pasted_answers


def print_agreement(label: str, result: Agreement, items: Sequence[Scored]) -> None:
    """The headline figures, the grade-by-verdict confusion matrix and the per-kind table."""
    print(
        f"\n{label}: {result.answers} answers, {result.pairs} pairs\n"
        f"  pairwise {result.pairwise:.3f} | shorter better {result.shorter_better:.3f} ({result.shorter_pairs} pairs)"
        f" | spearman {result.spearman:.3f} | graded 4-5 called hire {result.high_hired:.0%}"
        f" | graded 1-2 called hire {result.low_hired:.0%}"
    )
    print("\n  grade | " + " | ".join(f"{v:>12}" for v in VERDICTS))
    for grade in range(1, 6):
        row = result.confusion[grade]
        print(f"  {grade:>5} | " + " | ".join(f"{row[v]:>12}" for v in VERDICTS))
    print(f"\n  {'kind':<24} {'n':>4} {'grade':>6} {'score':>6} {'±1':>5} {'pairwise':>9} {'pairs':>6}")
    for k in by_kind(items):
        print(
            f"  {k.kind:<24} {k.answers:>4} {k.mean_grade:>6.2f} {k.mean_score:>6.2f} {k.within_one:>5.0%}"
            f" {k.pairwise:>9.3f} {k.pairs:>6}"
        )
    flagged = [i for i in items if i.off_question]
    if flagged:
        wrong = sum(i.answer.kind != "off_question" for i in flagged)
        print(f"\n  flagged off-question: {len(flagged)} ({wrong} of them not written as off-question answers)")


def print_pasted(label: str, items: Sequence[Scored]) -> None:
    """How answers graded 4-5, pasted under another question, fare: they answer nothing that was asked."""
    if not items:
        return
    hired = sum(i.verdict in HIRE for i in items)
    flagged = sum(i.off_question for i in items)
    mean = sum(i.overall for i in items) / len(items)
    print(
        f"\n{label}, answers graded 4-5 pasted under another question: {len(items)}"
        f" | voted hire {hired / len(items):.0%} | flagged off-question {flagged / len(items):.0%}"
        f" | mean score {mean:.2f}"
    )


def main(argv: Sequence[str] | None = None) -> None:
    """Score the chosen answers with the shipped engine and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--holdout", action="store_true", help="the eval set's held-out part")
    which.add_argument("--hard", action="store_true", help="the deliberately hard set (never fitted)")
    which.add_argument("--fitting", action="store_true", help="the fitting answers (in-sample figures)")
    which.add_argument("--dir", type=Path, help="a directory of graded answers in the same format")
    parser.add_argument("--answers", action="store_true", help="list every answer")
    args = parser.parse_args(argv)
    if args.holdout:
        label, answers = "held-out", holdout_answers()
    elif args.hard:
        label, answers = "hard (never fitted)", hard_answers()
    elif args.fitting:
        label, answers = "fitting (in-sample)", fitting_answers()
    else:
        label, answers = str(args.dir), load_directory(args.dir, "outside")
    engine = FeedbackEngine(load_bank())
    items = scored(engine, answers)
    print_agreement(label, agreement(items), items)
    print_pasted(label, scored(engine, pasted_answers(answers)))
    if args.answers:
        for item in sorted(items, key=lambda i: (i.answer.question, -i.answer.grade)):
            flag = " off-question" if item.off_question else ""
            print(
                f"  {item.answer.id:<28} {item.answer.kind:<22} grade {item.answer.grade}"
                f" score {item.overall:.1f} {item.verdict}{flag}"
            )


if __name__ == "__main__":
    main()
