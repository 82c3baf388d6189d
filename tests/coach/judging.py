"""Judgements a fake model gives, computed from the request the way a model sees it (schema and prompt)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from bot.coach.prompt import ANSWER_END, ANSWER_FENCE


def criterion_ids(body: dict[str, Any]) -> list[str]:
    """The rubric's criterion ids, from the schema sent with the request (or the ids named in the prompt)."""
    fmt = body.get("response_format") or {}
    if fmt.get("type") == "json_schema":
        schema = fmt["json_schema"]["schema"]
        return list(schema["properties"]["criteria"]["items"]["properties"]["id"]["enum"])
    prompt = user_prompt(body)
    named = prompt.split("one entry per criterion id (", 1)[1].split(")", 1)[0]
    return [part.strip() for part in named.split(",")]


def user_prompt(body: dict[str, Any]) -> str:
    """The user message of a chat request."""
    return next(m["content"] for m in body["messages"] if m["role"] == "user")


def answer_in(body: dict[str, Any]) -> str:
    """The answer between the prompt's markers."""
    prompt = user_prompt(body)
    return prompt.split(ANSWER_FENCE + "\n", 1)[1].rsplit("\n" + ANSWER_END, 1)[0]


def fixed_judge(
    score: int, quotes: Callable[[str], Sequence[str]], follow_up: str = "", reason: str = "You said it plainly."
) -> Callable[[dict[str, Any]], str]:
    """A judge that gives every criterion `score` with `quotes(answer)` and the given follow-up."""

    def judge(body: dict[str, Any]) -> str:
        answer = answer_in(body)
        return json.dumps(
            {
                "criteria": [
                    {"id": cid, "score": score, "reason": reason, "quotes": list(quotes(answer))}
                    for cid in criterion_ids(body)
                ],
                "follow_up": follow_up,
            }
        )

    return judge
