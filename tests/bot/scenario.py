"""Helpers to drive the core against real Redis: post prompts on local dates and answer them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.answers import AnswerOutcome, SubmitAnswer
from bot.app.bootstrap import Core
from bot.identities import Channel, Member, ThreadRef
from bot.prompts import DailyPrompt, new_prompt

GOOD_ANSWER = (
    "In March I owned the rollout of our annotation QA pipeline with two weeks to the renewal. "
    "I decided to ship only the bounding-box workflow because waiting would have cost two renewals worth $1.2M. "
    "I considered adding more reviewers, but that raised cost per label by 35%. "
    "I said no to the polygon workflow and told the sales lead it would slip to Q3. "
    "I wrote the SQL for rework rates myself and set a QA threshold against the gold set. "
    "Rework dropped from 18% to 7% in three weeks and both renewals closed."
)


@dataclass
class Scenario:
    """One workspace channel whose prompts are posted at a local hour."""

    core: Core
    channel: Channel
    timezone: str = "UTC"
    post_hour: int = 9
    window_hours: int = 24

    def posted_at(self, local_date: date) -> datetime:
        return datetime.combine(local_date, time(self.post_hour), ZoneInfo(self.timezone)).astimezone(UTC)

    async def post(self, local_date: date, question_id: str = "beh-001") -> DailyPrompt:
        prompt = new_prompt(
            self.channel, question_id, local_date, self.posted_at(local_date), timedelta(hours=self.window_hours)
        ).model_copy(update={"thread_id": f"th-{local_date.isoformat()}", "message_id": f"th-{local_date.isoformat()}"})
        await self.core.stores.prompts.save(prompt)
        return prompt

    async def answer(
        self,
        prompt: DailyPrompt,
        member: Member,
        *,
        after: timedelta = timedelta(hours=1),
        text: str = GOOD_ANSWER,
        message_id: str | None = None,
        event_id: str | None = None,
    ) -> AnswerOutcome:
        at = prompt.posted_at + after
        thread = ThreadRef(self.channel, prompt.thread_id or "")
        return await self.core.answers.submit(
            SubmitAnswer(
                member=member,
                message_id=message_id or f"m-{member.user_id}-{prompt.id}",
                text=text,
                at=at,
                event_id=event_id,
                thread=thread,
            )
        )
