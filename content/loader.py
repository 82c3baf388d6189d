"""Load and check question banks; every problem names its file and the item it is in."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from content.schema import (
    Language,
    LanguageFile,
    Question,
    Round,
    RoundsFile,
    Rubric,
    RubricFile,
)

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def shipped_bank_dir() -> Path:
    """The directory of the bank that ships with debrief."""
    return Path(str(resources.files("content") / "bank"))


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a bank, located by file and item id."""

    file: Path
    item: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.item}" if self.item else str(self.file)
        return f"{where}: {self.message}"


class ContentError(Exception):
    """A bank that cannot be used; carries every problem found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class Bank:
    """A validated set of rounds, rubrics and questions, each id unique."""

    rounds: dict[str, Round]
    rubrics: dict[str, Rubric]
    questions: dict[str, Question]
    language: Language
    sources: dict[str, Path] = field(default_factory=dict)

    @property
    def categories(self) -> tuple[str, ...]:
        """Every category, in the order its rubric was loaded (a rubric defines a category)."""
        return tuple(dict.fromkeys(r.category for r in self.rubrics.values()))

    def question(self, question_id: str) -> Question:
        """The question with this id, or KeyError."""
        return self.questions[question_id]

    def in_category(self, category: str) -> list[Question]:
        """Questions of one category, in bank order."""
        return [q for q in self.questions.values() if q.category == category]

    def in_round(self, round_id: str) -> list[Question]:
        """Questions asked in one interview round, in bank order."""
        return [q for q in self.questions.values() if q.round == round_id]

    def rubric_for(self, question: Question) -> Rubric:
        """The rubric a question is scored against."""
        return self.rubrics[question.rubric]

    def rubric_for_category(self, category: str) -> Rubric:
        """The category's own rubric (the one whose id is the category id, else the first for it)."""
        if category in self.rubrics and self.rubrics[category].category == category:
            return self.rubrics[category]
        for rubric in self.rubrics.values():
            if rubric.category == category:
                return rubric
        raise KeyError(category)

    def loop_rounds(self) -> list[Round]:
        """The rounds of the full interview loop, in order."""
        in_loop = [r for r in self.rounds.values() if r.loop_position is not None]
        return sorted(in_loop, key=lambda r: r.loop_position or 0)


def load_bank(extra_dirs: Iterable[Path] = ()) -> Bank:
    """Load the shipped bank plus extra directories; raise ContentError listing every problem."""
    bank, problems = check_bank(extra_dirs)
    if problems or bank is None:
        raise ContentError(problems)
    return bank


def check_bank(extra_dirs: Iterable[Path] = ()) -> tuple[Bank | None, list[Problem]]:
    """Validate the shipped bank plus extra directories; return the bank (if usable) and the problems."""
    shipped = shipped_bank_dir().resolve()
    dirs = [shipped] + [d.resolve() for d in extra_dirs if d.resolve() != shipped]
    collector = _Collector()
    for directory in dirs:
        collector.read_directory(directory, is_shipped=directory == shipped)
    collector.cross_check()
    if collector.problems:
        return None, collector.problems
    return collector.bank(), []


class _Collector:
    """Accumulates items and problems across the directories of a bank."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.rounds: dict[str, Round] = {}
        self.language: Language | None = None
        self.rubrics: dict[str, Rubric] = {}
        self.questions: dict[str, Question] = {}
        self.sources: dict[str, Path] = {}
        # Ids whose own definition failed: references to them are not reported again.
        self.broken: set[str] = set()

    def bank(self) -> Bank:
        assert self.language is not None
        return Bank(self.rounds, self.rubrics, self.questions, self.language, self.sources)

    def problem(self, file: Path, item: str | None, message: str) -> None:
        self.problems.append(Problem(file, item, message))

    def read_directory(self, directory: Path, *, is_shipped: bool) -> None:
        if not directory.is_dir():
            self.problem(directory, None, "is not a directory")
            return
        rounds_file = directory / "rounds.yaml"
        if rounds_file.exists():
            self._read_rounds(rounds_file)
        elif is_shipped:
            self.problem(rounds_file, None, "missing: the shipped bank must define the rounds")
        language_file = directory / "language.yaml"
        if language_file.exists():
            self._read_language(language_file, is_shipped=is_shipped)
        elif is_shipped:
            self.problem(language_file, None, "missing: the shipped bank must define the language")
        rubric_files = sorted((directory / "rubrics").glob("*.yaml"))
        question_files = sorted((directory / "questions").glob("*.yaml"))
        if not rubric_files and not question_files:
            self.problem(directory, None, "has no rubrics/*.yaml or questions/*.yaml files")
        for path in rubric_files:
            self._read_rubric(path)
        for path in question_files:
            self._read_questions(path)

    def _load_yaml(self, path: Path, top_key: str) -> Any | None:
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
        except (OSError, UnicodeDecodeError) as exc:
            self.problem(path, None, f"cannot be read: {exc}")
            return None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            reason = getattr(exc, "problem", None) or str(exc)
            self.problem(path, None, f"is not valid YAML{at}: {reason}")
            return None
        if not isinstance(data, dict) or top_key not in data:
            self.problem(path, None, f"must be a mapping with a top-level '{top_key}' key")
            return None
        return data

    def _read_rounds(self, path: Path) -> None:
        data = self._load_yaml(path, "rounds")
        if data is None:
            return
        parsed = self._validate(RoundsFile, data, path, None)
        if parsed is not None:
            for round_ in parsed.rounds:
                self.rounds[round_.id] = round_
            self.sources["rounds"] = path

    def _read_language(self, path: Path, *, is_shipped: bool) -> None:
        data = self._load_yaml(path, "language")
        if data is None:
            return
        parsed = self._validate(LanguageFile, data, path, "language")
        if parsed is None:
            return
        if is_shipped:
            complete = self._validate(Language, data["language"], path, "language")
            if complete is not None:
                self.language = complete
        elif self.language is not None:
            self.language = parsed.language.over(self.language)

    def _read_rubric(self, path: Path) -> None:
        data = self._load_yaml(path, "rubric")
        if data is None:
            return
        raw = data.get("rubric")
        rubric_id = raw.get("id") if isinstance(raw, dict) else None
        parsed = self._validate(RubricFile, data, path, f"rubric {rubric_id}" if rubric_id else None, raw)
        if parsed is None:
            self.broken.add(f"rubric:{rubric_id}")
            return
        rubric = parsed.rubric
        key = f"rubric:{rubric.id}"
        if rubric.id in self.rubrics:
            self.problem(path, f"rubric {rubric.id}", f"duplicate rubric id, already defined in {self.sources[key]}")
            return
        self.rubrics[rubric.id] = rubric
        self.sources[key] = path

    def _read_questions(self, path: Path) -> None:
        data = self._load_yaml(path, "questions")
        if data is None:
            self.broken.add("questions-file")
            return
        items = data.get("questions")
        if not isinstance(items, list) or not items:
            self.problem(path, None, "'questions' must be a non-empty list")
            return
        extra = set(data) - {"questions"}
        if extra:
            self.problem(path, None, f"unknown top-level keys: {', '.join(sorted(extra))}")
        for index, item in enumerate(items):
            qid = item.get("id") if isinstance(item, dict) else None
            label = str(qid) if qid else f"question #{index + 1}"
            question = self._validate(Question, item, path, label, item)
            if question is None:
                self.broken.add(str(qid))
                continue
            if question.id in self.questions:
                first = self.sources[question.id]
                self.problem(path, question.id, f"duplicate question id, already defined in {first}")
                continue
            self.questions[question.id] = question
            self.sources[question.id] = path

    def _validate(self, model: type[BaseModel], data: Any, path: Path, item: str | None, raw: Any = None) -> Any | None:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            for error in exc.errors():
                self.problem(path, item, _describe(error, raw))
            return None

    def cross_check(self) -> None:
        categories = {r.category for r in self.rubrics.values()}
        for round_ in self.rounds.values():
            for category in round_.categories:
                if category not in categories and not any(b.startswith("rubric:") for b in self.broken):
                    known = ", ".join(sorted(categories)) or "none"
                    self.problem(
                        self.sources.get("rounds", shipped_bank_dir()),
                        f"round {round_.id}",
                        f"asks category '{category}', which no rubric defines (known: {known})",
                    )
        for rubric in self.rubrics.values():
            path = self.sources[f"rubric:{rubric.id}"]
            for exemplar in rubric.exemplars:
                unknown = exemplar.question not in self.questions and exemplar.question not in self.broken
                if unknown and "questions-file" not in self.broken:
                    self.problem(
                        path, f"rubric {rubric.id}", f"exemplar refers to unknown question '{exemplar.question}'"
                    )
        for question in self.questions.values():
            self._check_question_links(question)

    def _check_question_links(self, question: Question) -> None:
        path = self.sources[question.id]
        categories = {r.category for r in self.rubrics.values()}
        if question.category not in categories and not any(b.startswith("rubric:") for b in self.broken):
            known = ", ".join(sorted(categories)) or "none"
            self.problem(
                path, question.id, f"unknown category '{question.category}' (a rubric defines each; known: {known})"
            )
            return
        rubric = self.rubrics.get(question.rubric)
        if rubric is None and f"rubric:{question.rubric}" in self.broken:
            return
        if rubric is None:
            known = ", ".join(sorted(self.rubrics)) or "none"
            self.problem(path, question.id, f"unknown rubric '{question.rubric}' (known: {known})")
            return
        if rubric.category != question.category:
            self.problem(
                path,
                question.id,
                f"rubric '{rubric.id}' is for category '{rubric.category}', not '{question.category}'",
            )
        round_ = self.rounds.get(question.round)
        if round_ is None and self.rounds:
            known = ", ".join(self.rounds)
            self.problem(path, question.id, f"unknown round '{question.round}' (one of: {known})")
        elif round_ is not None and question.category not in round_.categories:
            self.problem(
                path,
                question.id,
                f"round '{question.round}' does not ask '{question.category}' questions",
            )
        criteria = {c.id for c in rubric.criteria}
        for probe in question.follow_ups:
            if probe.criterion not in criteria:
                self.problem(
                    path,
                    question.id,
                    f"follow-up aims at unknown criterion '{probe.criterion}' of rubric '{rubric.id}'",
                )


def _describe(error: Any, raw: Any) -> str:
    """Turn one pydantic error into a short line that names the field by its id where it has one."""
    loc = _readable_location(error["loc"], raw)
    kind = error["type"]
    if kind == "missing" and len(error["loc"]) >= 2 and error["loc"][-2] == "levels":
        return f"{loc}: missing score description (each criterion describes a 1, a 3 and a 5)"
    if kind == "string_too_short":
        return f"{loc}: empty or too short ({error['msg'].lower()})"
    if kind == "string_too_long":
        got = len(error.get("input") or "")
        return f"{loc}: too long, {got} characters ({error['msg'].lower()})"
    return f"{loc}: {error['msg']}" if loc else error["msg"]


def _readable_location(loc: tuple[Any, ...], raw: Any) -> str:
    """Join a pydantic location, replacing list indexes by the id of the item when it has one."""
    parts: list[str] = []
    node = raw
    for step in loc:
        if step == "rubric" and not parts and isinstance(node, dict) and "rubric" not in node:
            continue  # the rubric's own id already names the item
        if isinstance(step, int):
            item = node[step] if isinstance(node, list) and step < len(node) else None
            ident = item.get("id") if isinstance(item, dict) else None
            if parts:
                parts[-1] = f"{parts[-1]}[{ident if ident else step}]"
            node = item
            continue
        parts.append(str(step))
        node = node.get(step) if isinstance(node, dict) else None
    return ".".join(parts)
