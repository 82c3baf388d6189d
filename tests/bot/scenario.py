"""Helpers to drive the core against real Redis: post prompts on local dates and answer them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.answers import AnswerOutcome, SubmitAnswer
from bot.app.bootstrap import Core
from bot.chat_port import ChatPort
from bot.commands import CommandRequest, parse_command_text
from bot.identities import Channel, Member, ThreadRef, personal
from bot.mock.store import MockStore
from bot.prompts import DailyPrompt, new_prompt
from bot.replies import Reply
from bot.review.peer_review import AnswerRef
from bot.store.schedule import DueEvent

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


WS = "slack:T1"
CHANNEL = Channel(WS, "C1")
LEAVER = Member(WS, "UFORGETME", "Fran")
OTHER = Member(WS, "UOTHERONE", "Olga")
ADMIN = Member(WS, "UADMIN", "Ada")
REVIEW_BY_LEAVER = "Clear decision and a real trade-off; the metric could use a baseline."
REVIEW_OF_LEAVER = "Strong ownership, though the second half repeats the first one."


async def member_with_everything(
    core: Core, channel: Channel = CHANNEL, leaver: Member = LEAVER, other: Member = OTHER
) -> None:
    """`leaver` with answers (one revised, one withdrawn), a review given and one received, a streak, points, a
    mock session and past mock scores, a notice and a reply waiting in the outbox, their own time zone, a pause
    and a private reminder queued; `other` answered too."""
    scenario = Scenario(core, channel)
    first = await scenario.post(date(2026, 3, 2))
    second = await scenario.post(date(2026, 3, 3), "beh-002")
    await scenario.answer(first, leaver, event_id="Ev1")
    await scenario.answer(first, leaver, text="Also: I wrote the rollback plan.", message_id="m-extra", event_id="Ev2")
    await scenario.answer(first, other, event_id="Ev3")
    await scenario.answer(second, leaver, message_id="m-second", event_id="Ev4")
    await core.answers.withdraw(ThreadRef(channel, second.thread_id or ""), "m-second", leaver)
    scores = {c.id: "4" for c in core.bank.rubric_for(core.bank.question("beh-001")).criteria}
    await core.reviews.submit(leaver, AnswerRef(first.id, other.user_id), scores, REVIEW_BY_LEAVER)
    await core.reviews.submit(other, AnswerRef(first.id, leaver.user_id), scores, REVIEW_OF_LEAVER)
    await core.reviews.mark_helpful(leaver, AnswerRef(first.id, leaver.user_id), other.user_id)
    await core.mocks.start(leaver, "behavioral")
    await MockStore(core.stores.redis).record_score(personal(leaver), "hiring_manager", 3.4)
    await core.outbox.store.notify(leaver, "We could not deliver the reply to your answer.")
    platform = channel.workspace.partition(":")[0]
    mine = {"to": "dm", "id": leaver.user_id, "message": {"content": "hi"}}
    theirs = {"to": "channel", "id": "1", "message": {"content": "x"}}
    await core.outbox.keep(platform, leaver, [mine], "the reply to your answer")
    await core.outbox.keep(platform, other, [theirs], "a reply")
    await core.stores.members.set_zone(leaver, "Asia/Kolkata")
    await core.stores.members.pause(leaver, date(2026, 3, 4).toordinal(), date(2026, 3, 8))
    reminder = DueEvent("remind_member", channel.workspace, second.id, second.closes_at, leaver.user_id)
    await core.stores.schedule.schedule_private_reminders(channel.workspace, second.id, [reminder])


async def run_command(core: Core, member: Member, text: str, port: ChatPort) -> Reply:
    """`/debrief <text>` in CHANNEL; `@id` words name members; UADMIN is the only platform admin."""
    name, args = parse_command_text(text)
    users = tuple(w.removeprefix("@") for w in args if w.startswith("@"))
    args = tuple(w for w in args if not w.startswith("@"))

    async def is_admin() -> bool:
        return member.user_id == ADMIN.user_id

    request = CommandRequest(member, CHANNEL, name, args, is_admin, port, users)
    return await core.commands.run(request)
