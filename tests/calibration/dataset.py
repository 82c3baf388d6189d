"""The graded answers the engine is fitted and measured on.

- `train/`: fitting data only (480 answers to 80 questions);
- `spoken/`: fitting data only (576 answers to 96 questions), written the way people talk when nobody edits
  them: false starts, self-corrections, strong points buried in plain paragraphs, unannounced answers to a
  neighbouring question; the second batch (`*-2.yaml`) stresses strong answers delivered badly and weak ones
  that look good;
- `written/`: fitting data only (612 answers to 101 questions, 80 of them not in the bank), written where the
  fitted model erred most: strong answers whose reasoning shows without stock phrases, polished answers to a
  neighbouring question, and long number-heavy weak ones; the second batch (`*-2.yaml`, 282 answers) keeps
  every stock phrase out of its strong answers and makes its long weak answers sound good;
- `hard/`: measurement only, never fitted (336 answers to 56 questions, 40 of them not in the bank): deliberately
  hard answers written apart from the engine: polished answers to a neighbouring question in the question's own
  vocabulary, strong answers that never echo the question, strong answers with one visible flaw and weak ones
  with one impressive line. Fitted on, they made the model worse on both the held-out part and an independent
  set, as a lexical reading cannot see what separates them; they measure how far that reading carries;
- `eval/`: the evaluation set (288 answers to 48 questions), split once by question into `tune` (may be
  fitted on) and `holdout` (measurement only, never fitted or tuned on);
- `legacy/`: the first, smaller set written alongside the old signals (fitting only);
- any other directory of the same format (an independent set kept outside the repository) can be read
  for measurement with `load_directory`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

CALIBRATION_DIR = Path(__file__).parent
SETS = ("train", "spoken", "written", "hard", "eval", "legacy")


@dataclass(frozen=True)
class GradedAnswer:
    """One hand-graded answer."""

    id: str
    question: str
    question_text: str | None  # set when the question is not in the bank
    category: str
    split: str
    grade: int
    kind: str
    text: str


def load_directory(directory: Path, default_split: str) -> list[GradedAnswer]:
    """Every graded answer in a directory of category files (questions: + answers:)."""
    answers: list[GradedAnswer] = []
    for path in sorted(directory.glob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        texts = {q["id"]: q["text"] for q in data.get("questions") or []}
        for item in data["answers"]:
            answers.append(
                GradedAnswer(
                    id=str(item["id"]),
                    question=str(item["question"]),
                    question_text=texts.get(item["question"]),
                    category=str(item["category"]),
                    split=str(item.get("split", default_split)),
                    grade=int(item["grade"]),
                    kind=str(item["kind"]),
                    text=str(item["text"]),
                )
            )
    return answers


def load_set(name: str) -> list[GradedAnswer]:
    """One of the shipped sets by name."""
    return list(_load_set(name))


@cache
def _load_set(name: str) -> tuple[GradedAnswer, ...]:
    defaults = {
        "train": "train",
        "spoken": "train",
        "written": "train",
        "hard": "hard",
        "eval": "eval",
        "legacy": "legacy",
    }
    answers = load_directory(CALIBRATION_DIR / name, defaults[name])
    if name == "hard":  # measurement only, whatever a file says
        answers = [GradedAnswer(**{**a.__dict__, "split": "hard"}) for a in answers]
    if name == "legacy":  # the old set's own tune/holdout split is superseded: all of it is fitting data
        answers = [GradedAnswer(**{**a.__dict__, "split": "legacy"}) for a in answers]
    return tuple(answers)


def fitting_answers() -> list[GradedAnswer]:
    """Everything the model may be fitted on: train, spoken, written, legacy and the eval set's tune part."""
    tune = [a for a in load_set("eval") if a.split == "tune"]
    return load_set("train") + load_set("spoken") + load_set("written") + load_set("legacy") + tune


def holdout_answers() -> list[GradedAnswer]:
    """The eval set's held-out part: for measurement only."""
    return [a for a in load_set("eval") if a.split == "holdout"]


def hard_answers() -> list[GradedAnswer]:
    """The deliberately hard set: for measurement only."""
    return load_set("hard")
