"""How the workspace model's guarded feedback agrees with hand grades, beside the rules engine, on the held-out
answers (tests/calibration/eval, never tuned on), plus what it costs: outcomes, guard changes, latency, tokens.

    python -m bench.model_agreement [--limit N] [--concurrency C] [--fake]

Each answer takes the bot's own path: engine.score(...), then ModelCoach.judge(...) with the engine's feedback,
the daily budget counted in a real Redis (REDIS_URL when set, else a private redis-server on 127.0.0.1) and the
model built from the bot's settings (DEBRIEF_LLM_BASE_URL, DEBRIEF_LLM_MODEL, DEBRIEF_LLM_API_KEY,
DEBRIEF_LLM_TIMEOUT_SECONDS). Where the model gives nothing, the engine's feedback stands, as members see it.
The figures are the calibration report's (tests/calibration/agreement.py), computed the same way for both.

--fake points the model at a fake OpenAI-compatible server on 127.0.0.1 that scores from the answer's length
and digit count, quotes real sentences for some criteria and invents one quote per answer: its figures measure
the pipeline (prompt, parsing, guard, budget, metrics), not a model. No request goes anywhere but the
configured base URL (127.0.0.1 with --fake).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import re
import shlex
import statistics
import sys
import textwrap
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bench.harness import bench_redis, percentile
from bot.app.settings import SettingError, Settings, load_settings
from bot.coach.coach import ModelCoach
from bot.coach.openai_model import OpenAIChatModel
from bot.metrics import NoMetrics
from bot.scoring.engine import FeedbackEngine
from bot.scoring.feedback import Feedback
from bot.store import keys
from bot.store.client import redis_client
from bot.store.coach import CoachStore
from content.loader import Bank, load_bank
from content.schema import Rubric
from tests.calibration.agreement import Agreement, agreement, score, scored_from
from tests.calibration.dataset import GradedAnswer, holdout_answers
from tests.coach.judging import answer_in, criterion_ids

# Outcomes ModelCoach counts before any request is made (no latency to report).
UNTIMED = ("budget_spent", "store_unavailable")
FAKE_MODEL = "fake-model"
FAKE_API_KEY = "sk-fake"  # never the configured key: the fake is not the configured server
# The one quote per answer the fake makes up; the guard must drop it and fall back to the engine on its criterion.
INVENTED_QUOTE = "I personally doubled retention within a single week"


class Recorder(NoMetrics):
    """The Metrics the coach records through, keeping what this bench reports (every other event is ignored)."""

    def __init__(self) -> None:
        self.outcomes: Counter[str] = Counter()
        self.latencies: list[float] = []
        self.tokens: list[int] = []
        self.quotes_dropped = 0
        self.fell_back = 0

    def model_request(self, outcome: str, seconds: float = 0.0, tokens: int = 0) -> None:
        """Count the outcome; keep the latency of requests that were made and the tokens of usable ones."""
        self.outcomes[outcome] += 1
        if outcome not in UNTIMED:
            self.latencies.append(seconds)
        if outcome == "ok":
            self.tokens.append(tokens)

    def model_guard(self, quotes_dropped: int, fell_back: int) -> None:
        """Add up what the guard changed."""
        self.quotes_dropped += quotes_dropped
        self.fell_back += fell_back


class FirstMessages(logging.Handler):
    """Keeps the first few distinct messages the coach logs (why the model gave nothing), instead of printing
    one line per failed answer."""

    def __init__(self, keep: int = 3) -> None:
        super().__init__(logging.WARNING)
        self.keep = keep
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if len(self.messages) < self.keep and message not in self.messages:
            self.messages.append(message)


# --- the fake model --------------------------------------------------------------------------------------------

_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def fake_judgement(body: dict[str, Any]) -> str:
    """A plausible judgement from the request alone: every criterion the prompt lists, scored from the answer's
    length and count of numbers; even criteria quote a real sentence of the answer, odd ones quote nothing, the
    last one only an invented quote."""
    ids = criterion_ids(body)
    answer = answer_in(body)
    words = len(answer.split())
    numbers = len(_NUMBER.findall(answer))
    base = 1 + min(2, words // 120) + min(2, numbers // 3)
    sentences = [s.strip() for s in _SENTENCE.split(answer) if len(s.split()) >= 5]
    criteria = []
    for i, criterion in enumerate(ids):
        if i == len(ids) - 1:
            quotes = [INVENTED_QUOTE]
        elif i % 2 == 0 and sentences:
            quotes = [" ".join(sentences[(i // 2) % len(sentences)].split()[:12])]
        else:
            quotes = []
        criteria.append(
            {
                "id": criterion,
                "score": max(1, min(5, base + i % 3 - 1)),
                "reason": f"You wrote {words} words and gave {numbers} numbers.",
                "quotes": quotes,
            }
        )
    opening = " ".join(sentences[0].split()[:6]).rstrip(".,;:!?") if sentences else "your plan"
    follow_up = f'What would you measure first to know that "{opening}" worked?'
    return json.dumps({"criteria": criteria, "follow_up": follow_up})


# --- running the answers ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    """One answer: the engine's feedback, and what a member sees when the model judges it."""

    answer: GradedAnswer
    engine: Feedback
    model: Feedback | None  # None when the model gave nothing (the engine's feedback stands)


def question_of(engine: FeedbackEngine, bank: Bank, answer: GradedAnswer) -> tuple[str, Rubric]:
    """The question's text and rubric as the bot passes them to the coach (bank questions by id)."""
    if answer.question_text is None:
        question = engine.question(answer.question)
        return question.text, bank.rubric_for(question)
    return answer.question_text, bank.rubric_for_category(answer.category)


async def run_answers(
    coach: ModelCoach, engine: FeedbackEngine, workspace: str, answers: Sequence[GradedAnswer], concurrency: int
) -> list[Result]:
    """Every answer scored by the engine, then judged by the coach, `concurrency` requests at a time. The engine
    scores every answer first: scoring inside the tasks would block the loop and add to the requests' latency."""
    scored_first = [(answer, score(engine, answer)) for answer in answers]  # the calibration report's own call
    gate = asyncio.Semaphore(concurrency)

    async def one(answer: GradedAnswer, feedback: Feedback) -> Result:
        question, rubric = question_of(engine, engine.bank, answer)
        async with gate:
            judged = await coach.judge(workspace, question, rubric, answer.text, feedback)
        return Result(answer, feedback, judged.feedback)

    return list(await asyncio.gather(*(one(a, f) for a, f in scored_first)))


# --- output ----------------------------------------------------------------------------------------------------


def print_table(engine: Agreement, model: Agreement, engine_mean: float, model_mean: float, label: str) -> None:
    """The calibration report's headline figures, engine and model side by side."""
    high = sum(engine.confusion[g].total() for g in (4, 5))
    low = sum(engine.confusion[g].total() for g in (1, 2))
    rows = [
        ("pairwise", f"{engine.pairwise:.3f}", f"{model.pairwise:.3f}", f"{engine.pairs} pairs"),
        (
            "shorter better",
            f"{engine.shorter_better:.3f}",
            f"{model.shorter_better:.3f}",
            f"{engine.shorter_pairs} pairs",
        ),
        ("spearman", f"{engine.spearman:.3f}", f"{model.spearman:.3f}", ""),
        ("graded 4-5 called hire", f"{engine.high_hired:.0%}", f"{model.high_hired:.0%}", f"{high} answers"),
        ("graded 1-2 called hire", f"{engine.low_hired:.0%}", f"{model.low_hired:.0%}", f"{low} answers"),
        ("mean overall score", f"{engine_mean:.2f}", f"{model_mean:.2f}", ""),
    ]
    print(f"  {'':<24} {'engine':>8} {label:>14}")
    for name, mine, theirs, note in rows:
        print(f"  {name:<24} {mine:>8} {theirs:>14}   {note}".rstrip())


def command_line(settings: Settings, fake: bool) -> str:
    """The command as it was given (the interpreter named as `python`), after the model settings it ran with
    (never the API key)."""
    env = []
    if not fake:
        env += [f"DEBRIEF_LLM_BASE_URL={settings.llm_base_url}", f"DEBRIEF_LLM_MODEL={settings.llm_model}"]
    if "llm_timeout_seconds" in settings.model_fields_set:
        env.append(f"DEBRIEF_LLM_TIMEOUT_SECONDS={settings.llm_timeout_seconds:g}")
    return shlex.join([*env, "python", "-m", "bench.model_agreement", *sys.argv[1:]])


# --- main ------------------------------------------------------------------------------------------------------


async def measure(settings: Settings, args: argparse.Namespace, started: float) -> None:
    """Run the answers through engine and coach against the configured model (or the fake) and print the table."""
    answers = holdout_answers()
    if args.limit is not None:
        answers = answers[: args.limit]
    bank = load_bank()
    engine = FeedbackEngine(bank)
    timeout = settings.llm_timeout_seconds
    fake = None
    api_key: str | None
    if args.fake:
        from tests.coach.fake_openai import FakeOpenAI

        # a request the coach gave up on (its timeout) is a dropped connection to the fake: not worth a traceback
        logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
        fake = FakeOpenAI(model=FAKE_MODEL)
        fake.judge = fake_judgement
        await fake.start()
        base_url, model_name, api_key = fake.url, FAKE_MODEL, FAKE_API_KEY
    else:
        assert settings.llm_base_url is not None and settings.llm_model is not None
        base_url, model_name = settings.llm_base_url, settings.llm_model
        api_key = settings.llm_api_key.get_secret_value() if settings.llm_api_key is not None else None
    # Built as bot.app.bootstrap.configured_model builds it.
    port = OpenAIChatModel(base_url, api_key, model_name, timeout=timeout)
    recorder = Recorder()
    failures = FirstMessages()
    coach_log = logging.getLogger("bot.coach.coach")
    coach_log.addHandler(failures)
    coach_log.propagate = False
    workspace = f"bench:model-agreement-{uuid.uuid4().hex[:12]}"
    now = datetime.now(UTC)  # one fixed day: the budget counts in one key, removed afterwards
    try:
        async with bench_redis() as url:
            redis = redis_client(url, cluster=settings.redis_cluster and bool(os.environ.get("REDIS_URL")))
            try:
                coach = ModelCoach(
                    CoachStore(redis),
                    lambda: now,
                    port,
                    timeout=timeout,
                    daily_budget=len(answers) + 10,
                    metrics=recorder,
                )
                judging = time.perf_counter()
                results = await run_answers(coach, engine, workspace, answers, args.concurrency)
                judged_in = time.perf_counter() - judging
                await redis.delete(keys.model_requests(workspace, now.date().isoformat()))
            finally:
                await redis.aclose()
    finally:
        await port.aclose()
        if fake is not None:
            await fake.stop()

    engine_items = [scored_from(r.answer, r.engine) for r in results]
    model_items = [scored_from(r.answer, r.model or r.engine) for r in results]
    ok = [r for r in results if r.model is not None]
    criteria = sum(len(r.model.criteria) for r in ok if r.model is not None)
    where = "fake server on 127.0.0.1" if args.fake else base_url
    print(f"held-out answers: {len(results)} | model {model_name} at {where} | timeout {timeout:g} s")
    if args.fake:
        print("  --fake: the fake scores from length and digit count; its figures measure the pipeline, not a model")
    print()
    print_table(
        agreement(engine_items),
        agreement(model_items),
        statistics.fmean(i.overall for i in engine_items) if engine_items else 0.0,
        statistics.fmean(i.overall for i in model_items) if model_items else 0.0,
        "model+guard",
    )
    print()
    fell = {k: v for k, v in recorder.outcomes.items() if k != "ok"}
    why = ", ".join(f"{k} {v}" for k, v in sorted(fell.items(), key=lambda kv: -kv[1])) or "none"
    print(f"  model judged {len(ok)} | fell back to the engine {len(results) - len(ok)} ({why})")
    for message in failures.messages:
        print(f"    e.g. {message}")
    print(
        f"  guard: quotes dropped {recorder.quotes_dropped}"
        f" | criteria on the engine's score {recorder.fell_back} of {criteria}"
    )
    mean_tokens = statistics.fmean(recorder.tokens) if recorder.tokens else 0.0
    print(
        f"  requests {len(recorder.latencies)}: p50 {percentile(recorder.latencies, 0.5) * 1000:.0f} ms"
        f" | p99 {percentile(recorder.latencies, 0.99) * 1000:.0f} ms"
        f" | mean tokens per judged answer {mean_tokens:.0f}"
        f" | concurrency {args.concurrency}"
        f" | structured output {'yes' if port.structured_output else 'no (schema in the prompt)'}"
    )
    print(f"  wall time {time.perf_counter() - started:.1f} s (engine and model on the answers {judged_in:.1f} s)")
    print(f"  command: {command_line(settings, args.fake)}")
    print()
    legend = (
        "pairwise: of two answers graded differently by hand, the share the scorer orders the same way; shorter "
        "better: the same, for pairs where the better answer is the shorter one (padding does not win); spearman: "
        "rank correlation with the hand grades (1 is perfect)."
    )
    print(textwrap.fill(legend, width=110, initial_indent="  ", subsequent_indent="  "))
    print(
        textwrap.fill(
            bottom_line(agreement(engine_items), agreement(model_items)),
            width=110,
            initial_indent="  ",
            subsequent_indent="  ",
        )
    )


def bottom_line(engine: Agreement, model: Agreement) -> str:
    """One sentence for an admin deciding whether to turn the model on: how it compares with the engine here."""
    if model.pairwise >= engine.pairwise + 0.02 and model.low_hired <= engine.low_hired + 0.05:
        return "Bottom line: with the guard, this model orders answers better than the engine alone on this set."
    if model.pairwise >= engine.pairwise - 0.02:
        return (
            "Bottom line: with the guard, this model agrees with the hand grades about as well as the engine; it "
            "adds reasons and follow-up questions."
        )
    return (
        "Bottom line: with the guard, this model agrees with the hand grades less than the engine alone; members "
        "would see worse scores with coach=model."
    )


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the options, read the model settings, run the bench."""
    started = time.perf_counter()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=None, help="only the first N held-out answers (all 144)")
    parser.add_argument("--concurrency", type=int, default=4, help="model requests at a time (4)")
    parser.add_argument("--fake", action="store_true", help="a fake model on 127.0.0.1 (measures the pipeline)")
    args = parser.parse_args(argv)
    if args.limit is not None and args.limit < 1:
        parser.error("--limit must be at least 1")
    if args.concurrency < 1:
        parser.error("--concurrency must be at least 1")
    try:
        settings = load_settings()
    except SettingError as exc:
        print(f"model_agreement: {exc}", file=sys.stderr)
        sys.exit(2)
    if not args.fake and not settings.model_configured:
        print(
            "model_agreement: no model is set. Set DEBRIEF_LLM_BASE_URL and DEBRIEF_LLM_MODEL (e.g. "
            "http://localhost:11434/v1 and llama3.1:8b for Ollama), or pass --fake to measure the pipeline.",
            file=sys.stderr,
        )
        sys.exit(2)
    if args.fake:  # the fake is on loopback: never let a proxy setting route it elsewhere
        for name in ("NO_PROXY", "no_proxy"):
            os.environ[name] = ",".join(p for p in (os.environ.get(name, ""), "127.0.0.1", "localhost") if p)
    asyncio.run(measure(settings, args, started))


if __name__ == "__main__":
    main()
