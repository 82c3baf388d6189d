"""The learned part of the score: small gradient-boosted tree ensembles over an answer's reading, fitted on
hand-graded answers (`python -m tests.calibration.fit`) and shipped as JSON. Pure Python at run time:
deterministic, offline, no numerical library."""

from __future__ import annotations

import json
from array import array
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources
from typing import Any

from bot.scoring.wording import FEATURE as WORDING
from bot.scoring.wording import WordingModel

MODEL_FILE = "model.json"
# A score kept below the hire cut sits this far under it (scores are shown to one decimal).
BELOW_CUT = 0.1


@dataclass(frozen=True)
class Tree:
    """One regression tree as parallel arrays (node i splits on feature[i] at threshold[i]; leaves have -1)."""

    feature: tuple[int, ...]
    threshold: tuple[float, ...]
    left: tuple[int, ...]
    right: tuple[int, ...]
    value: tuple[float, ...]

    def predict(self, x: Sequence[float]) -> float:
        """The leaf value for one feature vector."""
        node = 0
        feature, threshold, left, right = self.feature, self.threshold, self.left, self.right
        while feature[node] >= 0:
            node = left[node] if x[feature[node]] <= threshold[node] else right[node]
        return self.value[node]

    def expression(self, node: int = 0) -> str:
        """The tree as one Python expression over variables `x<feature>` (see Ensemble.leaves)."""
        if self.feature[node] < 0:
            return repr(self.value[node])
        return (
            f"({self.expression(self.left[node])} if x{self.feature[node]} <= {self.threshold[node]!r}"
            f" else {self.expression(self.right[node])})"
        )

    def to_json(self) -> dict[str, list[int] | list[float]]:
        """The shipped form of one tree."""
        return {
            "feature": list(self.feature),
            "threshold": list(self.threshold),
            "left": list(self.left),
            "right": list(self.right),
            "value": list(self.value),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Sequence[float]]) -> Tree:
        """Read one shipped tree."""
        return cls(
            feature=tuple(int(v) for v in data["feature"]),
            threshold=tuple(float(v) for v in data["threshold"]),
            left=tuple(int(v) for v in data["left"]),
            right=tuple(int(v) for v in data["right"]),
            value=tuple(float(v) for v in data["value"]),
        )


@dataclass(frozen=True)
class Ensemble:
    """Gradient-boosted trees: a base value plus the scaled sum of the trees' leaves."""

    base: float
    learning_rate: float
    trees: tuple[Tree, ...]

    def raw(self, x: Sequence[float]) -> float:
        """The ensemble's output for one feature vector."""
        return self.base + self.learning_rate * sum(self.leaves(x))

    @cached_property
    def leaves(self) -> Callable[[Sequence[float]], tuple[float, ...]]:
        """Every tree's leaf value for one feature vector, in tree order: the trees compiled once into a single
        function of nested conditional expressions, several times faster than walking their arrays."""
        used = sorted({f for tree in self.trees for f in tree.feature if f >= 0})
        source = "\n".join(
            (
                "def leaves(x):",
                *(f"    x{f} = x[{f}]" for f in used),
                "    return (",
                *(f"        {tree.expression()}," for tree in self.trees),
                "    )",
            )
        )
        namespace: dict[str, Any] = {}
        # Only numbers written by repr() and feature indexes (ints) enter the source.
        exec(compile(source, "<ensemble>", "exec"), namespace)
        leaves: Callable[[Sequence[float]], tuple[float, ...]] = namespace["leaves"]
        return leaves

    def to_json(self) -> dict[str, Any]:
        """The shipped form."""
        return {"base": self.base, "learning_rate": self.learning_rate, "trees": [t.to_json() for t in self.trees]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Ensemble:
        """Read the shipped form."""
        trees = tuple(Tree.from_json(tree) for tree in data["trees"])
        return cls(float(data["base"]), float(data["learning_rate"]), trees)


@dataclass(frozen=True)
class ScoreModel:
    """Two learned parts over one answer's features.

    `grade` predicts the 1-5 grade; its output is shrunk towards the middle, as any regression on noisy
    grades is, and `center` and `stretch` undo that linearly (keeping every answer's order). `hire` gives the
    log-odds that a panel would grade the answer 4-5; it decides the vote, and the shown score is kept inside
    the vote's band (`verdict_cuts`: lean no hire, hire, strong hire), so score and vote never disagree."""

    features: tuple[str, ...]
    grade: Ensemble
    hire: Ensemble
    center: float
    stretch: float
    hire_odds: float  # log-odds at or above which the vote is hire
    verdict_cuts: tuple[float, float, float]
    trained_on: str
    wording: WordingModel | None = None  # its output is the feature named WORDING

    def with_wording(self, values: dict[str, float], answer_terms: Sequence[str]) -> dict[str, float]:
        """The features with the wording model's reading of the answer's terms added (when there is one)."""
        if self.wording is not None:
            values[WORDING] = self.wording.predict(answer_terms)
        return values

    def vector(self, values: Mapping[str, float]) -> list[float]:
        """The features in the model's order (a missing feature reads as 0), at the single precision the trees
        were fitted at, so each split goes the same way it did in fitting."""
        return list(array("f", [float(values.get(name, 0.0)) for name in self.features]))

    def assess(self, values: Mapping[str, float]) -> tuple[float, bool]:
        """The score for one answer's features on the grade scale (not yet clamped to 1-5), and whether a panel
        would likely grade it 4-5."""
        x = self.vector(values)
        return self.center + self.stretch * (self.grade.raw(x) - self.center), self.hire.raw(x) >= self.hire_odds

    def compile_trees(self) -> None:
        """Compile both ensembles now (a fraction of a second), so the first answer scored does not wait."""
        _ = self.grade.leaves, self.hire.leaves

    def in_band(self, score: float, hire: bool) -> float:
        """The score moved, if it must, into the band of the vote."""
        cut = self.verdict_cuts[1]
        return max(score, cut) if hire else min(score, cut - BELOW_CUT)

    def to_json(self) -> dict[str, Any]:
        """The shipped form."""
        return {
            "trained_on": self.trained_on,
            "features": list(self.features),
            "center": self.center,
            "stretch": self.stretch,
            "hire_odds": self.hire_odds,
            "verdict_cuts": list(self.verdict_cuts),
            "grade": self.grade.to_json(),
            "hire": self.hire.to_json(),
            **({"wording": self.wording.to_json()} if self.wording is not None else {}),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ScoreModel:
        """Read the shipped form."""
        lean, hire, strong = (float(v) for v in data["verdict_cuts"])
        return cls(
            features=tuple(str(name) for name in data["features"]),
            grade=Ensemble.from_json(data["grade"]),
            hire=Ensemble.from_json(data["hire"]),
            center=float(data["center"]),
            stretch=float(data["stretch"]),
            hire_odds=float(data["hire_odds"]),
            verdict_cuts=(lean, hire, strong),
            trained_on=str(data.get("trained_on", "")),
            wording=WordingModel.from_json(data["wording"]) if "wording" in data else None,
        )


@cache
def shipped_model() -> ScoreModel:
    """The model that ships with debrief (read once per process)."""
    text = (resources.files("bot.scoring") / MODEL_FILE).read_text(encoding="utf-8")
    return ScoreModel.from_json(json.loads(text))
