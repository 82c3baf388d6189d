"""Print calibration agreement per split: `python -m tests.calibration.report [--answers]`."""

from __future__ import annotations

import sys

from bot.scoring.engine import FeedbackEngine
from content.loader import load_bank
from tests.calibration.agreement import load_calibration, report, scored


def main() -> None:
    """Print Spearman, pairwise ordering and kappa for the tuning and held-out parts."""
    engine = FeedbackEngine(load_bank())
    for split, result in report(engine).items():
        print(
            f"{split:<8} n={result.answers:<3} spearman={result.spearman:.3f} "
            f"pairwise={result.pairwise:.1%} ({result.pairs} pairs) qwk={result.kappa:.3f}"
        )
    if "--answers" in sys.argv:
        split = "holdout" if "--holdout" in sys.argv else "tune"
        for answer, score in scored(engine, [a for a in load_calibration() if a.split == split]):
            print(f"  {answer.id:<22} {answer.kind:<16} grade={answer.grade} engine={score:.1f}")


if __name__ == "__main__":
    main()
