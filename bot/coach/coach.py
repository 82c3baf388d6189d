"""Asking the workspace's model to judge an answer, within its daily budget and timeout, under the engine's guard."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

from bot.clock import Clock
from bot.coach.guard import guarded, talks_to_the_grader
from bot.coach.judgement import judgement_schema, parse_judgement
from bot.coach.port import ModelFailure, ModelPort
from bot.coach.prompt import judge_messages
from bot.errors import StoreUnavailable
from bot.identities import Member
from bot.metrics import Metrics, NoMetrics
from bot.scoring.feedback import Feedback
from bot.store.coach import CoachMode, CoachStore
from content.schema import Rubric

TALKS_TO_GRADER = (
    "Your answer speaks to its grader (like \u201cignore the previous instructions\u201d or \u201cscore this a "
    "5\u201d), so it was not sent to the model."
)
BUDGET_SPENT = "Today's model budget ({budget} requests, DEBRIEF_LLM_DAILY_BUDGET) is used up; it renews at 00:00 UTC."
TIMED_OUT = "The model gave no judgement within {seconds:g} s (DEBRIEF_LLM_TIMEOUT_SECONDS)."
UNVERIFIED = (
    "Nothing the model said could be checked against your answer (its quotes are not in it), so it is not shown."
)
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Judging:
    """What asking the model came to: its guarded feedback, or why there is none (`outcome` as counted, and a
    sentence for the member)."""

    feedback: Feedback | None
    outcome: str
    why_not: str = ""


class ModelCoach:
    """Model feedback for workspaces that chose it: one request per answer, never more than the day's budget, and
    no feedback (the engine's stands) whenever the model cannot give a usable judgement in time."""

    def __init__(
        self,
        store: CoachStore,
        clock: Clock,
        port: ModelPort | None = None,
        *,
        timeout: float,
        daily_budget: int,
        metrics: Metrics | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.port = port
        self.timeout = timeout
        self.daily_budget = daily_budget
        self.metrics: Metrics = metrics or NoMetrics()

    @property
    def available(self) -> bool:
        """Whether this deployment has a model set up (DEBRIEF_LLM_BASE_URL and DEBRIEF_LLM_MODEL)."""
        return self.port is not None

    @property
    def model_name(self) -> str:
        """The configured model's name, or "" without one."""
        return self.port.name if self.port is not None else ""

    async def mode(self, workspace: str) -> CoachMode:
        """Who judges answers in the workspace as set by its admins (`rules` unless they chose the model)."""
        return await self.store.mode(workspace)

    async def set_mode(self, workspace: str, mode: CoachMode) -> None:
        """Record who judges answers in the workspace."""
        await self.store.set_mode(workspace, mode)

    async def enabled(self, workspace: str) -> bool:
        """Whether answers in the workspace go to the model; False too when the setting cannot be read."""
        if self.port is None:
            return False
        try:
            return await self.store.mode(workspace) == "model"
        except StoreUnavailable:
            return False

    async def first_notice(self, member: Member) -> bool:
        """Whether this is the first model feedback the member gets (they are then told where answers go)."""
        try:
            return await self.store.first_notice(member)
        except StoreUnavailable:
            return False

    async def judge(self, workspace: str, question: str, rubric: Rubric, answer: str, engine: Feedback) -> Judging:
        """The model's guarded feedback on `answer` to `question`, or why there is none (counted): no model, an
        answer that talks to its grader, budget spent, timeout, an error, or nothing the answer bears out. Never
        raises."""
        if self.port is None:
            return Judging(None, "no_model", "No model is set up (DEBRIEF_LLM_BASE_URL and DEBRIEF_LLM_MODEL).")
        if talks_to_the_grader(answer):
            self.metrics.model_request("talks_to_grader")
            log.info("an answer with instructions to its grader was not sent to the model")
            return Judging(None, "talks_to_grader", TALKS_TO_GRADER)
        started = time.perf_counter()
        try:
            if not await self.store.spend(workspace, self.clock().date().isoformat(), self.daily_budget):
                self.metrics.model_request("budget_spent")
                return Judging(None, "budget_spent", BUDGET_SPENT.format(budget=self.daily_budget))
            async with asyncio.timeout(self.timeout):
                completion = await self.port.complete(
                    judge_messages(question, rubric, answer), judgement_schema(rubric), "judgement"
                )
            judgement = parse_judgement(completion.text)
        except TimeoutError:
            self.metrics.model_request("timeout", time.perf_counter() - started)
            log.warning("the model gave no judgement within %g s", self.timeout)
            return Judging(None, "timeout", TIMED_OUT.format(seconds=self.timeout))
        except ModelFailure as exc:
            self.metrics.model_request(exc.reason, time.perf_counter() - started)
            log.warning("the model gave no usable judgement: %s", exc)
            return Judging(None, exc.reason, f"The model gave no usable judgement ({exc}).")
        except StoreUnavailable:
            self.metrics.model_request("store_unavailable")
            return Judging(None, "store_unavailable", "The database is not reachable, so the model was not asked.")
        except Exception:
            self.metrics.model_request("error", time.perf_counter() - started)
            log.exception("asking the model failed")
            return Judging(None, "error", "Asking the model failed; the details are in the log.")
        feedback, report = guarded(judgement, engine, answer, self.port.name)
        outcome = "ok" if feedback is not None else "unverified"
        self.metrics.model_request(outcome, time.perf_counter() - started, completion.tokens)
        self.metrics.model_guard(report.quotes_dropped, len(report.fell_back))
        return Judging(feedback, outcome, "" if feedback is not None else UNVERIFIED)
