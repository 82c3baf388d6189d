"""How an answer's wording reads to a panel: a linear model over its words and adjacent word pairs, fitted on
hand-graded answers with the rest of the score model (`python -m tests.calibration.fit`).

Each term is weighted as tf-idf (1 + log of its count, times its inverse document frequency in the fitting
answers), the vector scaled to unit length, and the grade read off a ridge regression. The tree ensembles take
its output as one feature among the others, fitted on out-of-fold values so they learn how far to trust it.
It reads the spelled-out, lower-cased sentences the engine reads, with every word holding a digit counted as one
word, "0": which figures an answer quotes says nothing about its reasoning, and casing, bullets and chat
shorthand change nothing."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from bot.scoring.reading import words_of

NUMBER = "0"
FEATURE = "wording"
_DIGIT = re.compile("[0-9]")


def terms(sentences: Iterable[str]) -> list[str]:
    """The words of each spelled-out, lower-cased sentence and the pairs of adjacent words within it."""
    out: list[str] = []
    for sentence in sentences:
        words = words_of(sentence)
        if _DIGIT.search(sentence):
            words = [NUMBER if _DIGIT.search(word) else word for word in words]
        out += words
        out += map(" ".join, pairwise(words))
    return out


@dataclass(frozen=True)
class WordingModel:
    """A fitted linear model over tf-idf weighted terms: per term its idf and its coefficient."""

    intercept: float
    weights: Mapping[str, tuple[float, float]]

    def predict(self, answer_terms: Sequence[str]) -> float:
        """The grade the wording alone suggests (terms the model never saw count for nothing)."""
        get = self.weights.get
        squares = dot = 0.0
        for term, count in Counter(answer_terms).items():
            known = get(term)
            if known is None:
                continue
            idf, coefficient = known
            value = idf if count == 1 else (1.0 + math.log(count)) * idf
            squares += value * value
            dot += value * coefficient
        return self.intercept + (dot / math.sqrt(squares) if squares else 0.0)

    def to_json(self) -> dict[str, Any]:
        """The shipped form (parallel lists, sorted by term)."""
        ordered = sorted(self.weights)
        return {
            "intercept": self.intercept,
            "terms": ordered,
            "idf": [self.weights[t][0] for t in ordered],
            "coefficient": [self.weights[t][1] for t in ordered],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> WordingModel:
        """Read the shipped form."""
        weights = {
            str(term): (float(idf), float(coefficient))
            for term, idf, coefficient in zip(data["terms"], data["idf"], data["coefficient"], strict=True)
        }
        return cls(float(data["intercept"]), weights)
