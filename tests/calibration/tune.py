"""Search EngineWeights on the tuning split only: `python -m tests.calibration.tune`.

Prints the best weights found; copy the changed ones into bot/rubric_engine.py by hand. The held-out
split is never read here, so its figures stay an honest estimate.
"""

from __future__ import annotations

from dataclasses import fields, replace

from bot.scoring.engine import EngineWeights, FeedbackEngine
from content.loader import Bank, load_bank
from tests.calibration.agreement import GradedAnswer, agreement, load_calibration

SEARCH: dict[str, tuple[float, ...]] = {
    "rubric_blend": (0.3, 0.4, 0.5, 0.6, 0.7, 0.8),
    "evidence_scale": (1.0, 1.3, 1.6, 2.0, 2.5),
    "coverage_weight": (0.4, 0.8, 1.2, 1.6, 2.0, 2.4),
    "structure_weight": (0.0, 0.15, 0.3, 0.6),
    "anti_pattern_penalty": (0.2, 0.35, 0.5, 0.7, 0.9, 1.1),
    "anti_pattern_cap": (1.2, 1.6, 2.0),
    "share_saturation": (0.15, 0.2, 0.25, 0.3, 0.4),
    "mechanism_saturation": (3, 4, 6, 8, 10),
    "general_specific": (0.2, 0.3, 0.4, 0.5, 0.6),
    "general_owned": (0.2, 0.25, 0.35, 0.45, 0.55),
    "general_mechanism": (0.0, 0.05, 0.1, 0.2),
    "general_coverage": (0.1, 0.25, 0.4),
    "thin_cap": (2.5, 3.0, 3.5),
    "vague_ownership_penalty": (0.0, 0.25, 0.5),
}


def objective(weights: EngineWeights, bank: Bank, tune: list[GradedAnswer]) -> float:
    """Sum of Spearman, pairwise ordering and kappa on the tuning split."""
    result = agreement(FeedbackEngine(bank, weights), tune)
    return result.spearman + result.pairwise + result.kappa


def main() -> None:
    """Coordinate search, three passes."""
    bank = load_bank()
    tune = [a for a in load_calibration() if a.split == "tune"]
    best = EngineWeights()
    best_value = objective(best, bank, tune)
    print(f"start {best_value:.4f}")
    for _ in range(3):
        improved = False
        for name, values in SEARCH.items():
            for value in values:
                candidate = replace(best, **{name: value})
                value_of = objective(candidate, bank, tune)
                if value_of > best_value + 1e-6:
                    best, best_value, improved = candidate, value_of, True
                    print(f"  {name}={value} -> {best_value:.4f}")
        if not improved:
            break
    default = EngineWeights()
    for f in fields(best):
        if getattr(best, f.name) != getattr(default, f.name):
            print(f"{f.name} = {getattr(best, f.name)}")


if __name__ == "__main__":
    main()
