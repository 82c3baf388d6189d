"""Builders for small, valid content directories that tests then break one way at a time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


def rubric(rubric_id: str = "team_behavioral", category: str = "behavioral") -> dict[str, Any]:
    """A valid rubric mapping with four weighted criteria."""
    levels = {
        "1": "No decision is named at all.",
        "3": "A decision, but no alternatives.",
        "5": "Decision, options, cost.",
    }
    return {
        "id": rubric_id,
        "category": category,
        "name": "Team behavioral",
        "summary": "Rewards owned decisions with visible trade-offs.",
        "criteria": [
            {
                "id": "decision",
                "name": "Decision",
                "weight": 0.4,
                "description": "Owns the call.",
                "levels": dict(levels),
                "signals": [r"\bi decided\b", r"\bi chose\b", r"\bmy call\b"],
            },
            {
                "id": "trade_off",
                "name": "Trade-off",
                "weight": 0.3,
                "description": "Names the cost.",
                "levels": dict(levels),
                "signals": [r"\btrade-?off\b", r"\bgave up\b", r"\bsaid no\b"],
            },
            {
                "id": "result",
                "name": "Result",
                "weight": 0.2,
                "description": "Measured outcome.",
                "levels": dict(levels),
                "signals": [r"\d+%", r"\bfrom \d+ to \d+\b", r"\breduced\b"],
            },
            {
                "id": "data",
                "name": "Data",
                "weight": 0.1,
                "description": "Pulls the data.",
                "levels": dict(levels),
                "signals": [r"\bsql\b", r"\bquery\b", r"\bgold set\b"],
            },
        ],
        "structure": [
            {"id": "decision", "name": "Decision", "signals": [r"\bi decided\b", r"\bi chose\b"]},
            {"id": "result", "name": "Result", "signals": [r"\bresult\b", r"\d+%"]},
        ],
        "anti_patterns": [
            {
                "id": f"ap_{n}",
                "name": f"Anti-pattern {n}",
                "patterns": [rf"\bbad move {n}\b"],
                "why": "It hides the decision.",
                "better": "Name the decision you made.",
            }
            for n in range(3)
        ],
        "exemplars": [
            {
                "kind": "strong",
                "question": "team-001",
                "text": "I decided to cut scope and we shipped 20% faster.",
                "why": "Owns the call and measures it.",
            },
            {
                "kind": "weak",
                "question": "team-001",
                "text": "We collaborated a lot and it went well overall.",
                "why": "No decision, no number.",
            },
        ],
    }


def question(question_id: str = "team-001", rubric_id: str = "team_behavioral") -> dict[str, Any]:
    """A valid question mapping scored with `rubric_id`."""
    return {
        "id": question_id,
        "category": "behavioral",
        "round": "hiring_manager",
        "difficulty": 2,
        "text": "Tell me about a decision you made without a spec, and what it cost.",
        "covers": [
            {"point": "Names the decision", "keywords": ["decided"]},
            {"point": "Names the cost", "keywords": ["cost", "gave up"]},
        ],
        "follow_ups": [{"text": "What did you say no to?", "criterion": "trade_off"}],
        "tags": ["trade_offs"],
        "rubric": rubric_id,
    }


def write_bank(root: Path, rubrics: list[dict[str, Any]], questions: list[dict[str, Any]]) -> Path:
    """Write a content directory (rubrics/ and questions/) and return it."""
    (root / "rubrics").mkdir(parents=True, exist_ok=True)
    (root / "questions").mkdir(parents=True, exist_ok=True)
    for item in rubrics:
        (root / "rubrics" / f"{item['id']}.yaml").write_text(yaml.safe_dump({"rubric": item}, sort_keys=False))
    (root / "questions" / "team.yaml").write_text(yaml.safe_dump({"questions": questions}, sort_keys=False))
    return root
