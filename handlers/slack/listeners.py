"""Slack listeners: acknowledge first, translate, call the core, render the reply."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from bot.answers import SOMETHING_WENT_WRONG, AnswerOutcome, SubmitAnswer
from bot.app.bootstrap import App
from bot.channels import ChannelSettings
from bot.commands import ChatCommands, CommandRequest, parse_command_text
from bot.chat_port import Reply
from bot.daily_post import question_reply
from bot.errors import StoreUnavailable
from bot.identities import Channel, Member
from bot.review.peer_review import AnswerRef, AnswerReviews, ReviewRejected, ReviewTask
from handlers.slack.chat_port import SlackChatPort, SlackDirectory
from handlers.slack.translate import (
    answer_from_event,
    direct_message_from_event,
    feedback_blocks,
    feedback_summary,
    home_view,
    reply_blocks,
    review_form_values,
    review_modal,
    workspace_id,
)

log = logging.getLogger(__name__)
ANSWER_REACTION = "memo"

Respond = Callable[..., Awaitable[Any]]
Ack = Callable[..., Awaitable[Any]]


class SlackHandlers:
    """Everything debrief does on Slack, one method per kind of request."""

    def __init__(self, app: App, port: SlackChatPort, directory: SlackDirectory) -> None:
        self.app = app
        self.coach = app.coach
        self.port = port
        self.client = port.client
        self.directory = directory
        self.commands = ChatCommands(app.coach, app.mocks, app.settings.admins)
        self._background: set[asyncio.Task[None]] = set()

    async def is_admin(self, user_id: str) -> bool:
        """Workspace admins and owners, per users.info."""
        try:
            return (await self.directory.user(user_id)).is_admin
        except SlackApiError:
            log.warning("users.info failed for %s; treating as not an admin", user_id)
            return False

    async def on_command(self, ack: Ack, body: Mapping[str, Any], respond: Respond) -> None:
        """`/debrief ...`: ack at once, then answer through the response URL."""
        await ack()
        workspace = workspace_id(str(body.get("team_id", "")))
        user_id = str(body.get("user_id", ""))
        name, args = parse_command_text(str(body.get("text") or ""))
        if name == "review":
            member = Member(workspace, user_id, str(body.get("user_name") or ""))
            channel = Channel(workspace, str(body.get("channel_id", "")))
            await self.open_review(str(body.get("trigger_id", "")), member, respond, channel=channel)
            return
        request = CommandRequest(
            member=Member(workspace, user_id, str(body.get("user_name") or "")),
            channel=Channel(workspace, str(body.get("channel_id", ""))),
            name=name,
            args=args,
            is_platform_admin=lambda: self.is_admin(user_id),
            port=self.port,
        )
        try:
            reply = await self.commands.run(request)
        except StoreUnavailable as exc:
            reply = Reply(str(exc))
        except SlackApiError as exc:
            reply = Reply(f"Slack refused the request ({exc.response.get('error', 'unknown error')}); nothing was changed.")
        except Exception:
            log.exception("/debrief %s failed", name)
            reply = Reply(SOMETHING_WENT_WRONG)
        await respond(
            text=reply.text,
            blocks=reply_blocks(reply),
            response_type="ephemeral" if reply.private else "in_channel",
            replace_original=False,
        )

    async def on_message(self, body: Mapping[str, Any]) -> None:
        """A message event: answers in question threads are recorded, scored and answered with feedback;
        messages in a DM with the bot are mock interview answers."""
        direct = direct_message_from_event(body)
        if direct is not None:
            await self.on_direct_message(*direct)
            return
        command = answer_from_event(body)
        if command is None:
            return
        command = self._with_name(command)

        async def deliver(outcome: AnswerOutcome, public: bool) -> None:
            await self._deliver_feedback(command, outcome, public=public)

        async def tell(text: str) -> None:
            await self._ephemeral(command, Reply(text))

        await self.coach.answer_in_thread(command, deliver, tell)

    async def on_direct_message(self, member: Member, channel_id: str, text: str, event_id: str | None) -> None:
        """The interviewer's next turn, in the same DM; a retried event is answered once."""
        try:
            if event_id and not await self.coach.store.claim_event(member.workspace, event_id):
                return
            turn = await self.app.mocks.answer(member, text)
            reply = Reply(turn.text)
        except StoreUnavailable as exc:
            reply = Reply(f"{exc} Your answer was not saved; send it again in a minute.")
        except Exception:
            log.exception("mock answer from %s failed", member.user_id)
            reply = Reply(SOMETHING_WENT_WRONG)
        await self.client.chat_postMessage(channel=channel_id, text=reply.text, blocks=reply_blocks(reply))

    def _with_name(self, command: SubmitAnswer) -> SubmitAnswer:
        """Attach the member's display name if known; otherwise learn it in the background, off the answer's path."""
        known = self.directory.cached(command.member.user_id)
        if known is None:
            task = asyncio.create_task(self._learn_name(command.member))
            self._background.add(task)
            task.add_done_callback(self._background.discard)
            return command
        member = Member(command.member.workspace, command.member.user_id, known.name)
        return SubmitAnswer(member, command.message_id, command.text, command.at, command.event_id, command.thread)

    async def _learn_name(self, member: Member) -> None:
        try:
            user = await self.directory.user(member.user_id)
            await self.coach.store.remember_name(Member(member.workspace, member.user_id, user.name))
        except (SlackApiError, StoreUnavailable) as exc:
            log.info("could not learn the name of %s: %s", member.user_id, exc)

    async def _deliver_feedback(self, command: SubmitAnswer, outcome: AnswerOutcome, *, public: bool) -> None:
        if outcome.revision == 1:
            await asyncio.gather(self._send_feedback(command, outcome, public=public), self._react(command))
        else:
            await self._send_feedback(command, outcome, public=public)

    async def _react(self, command: SubmitAnswer) -> None:
        assert command.thread is not None
        try:
            await self.client.reactions_add(
                channel=command.thread.channel.channel_id, timestamp=command.message_id, name=ANSWER_REACTION
            )
        except SlackApiError as exc:
            if exc.response.get("error") != "already_reacted":
                log.warning("reaction failed: %s", exc.response.get("error"))

    async def _send_feedback(self, command: SubmitAnswer, outcome: AnswerOutcome, *, public: bool) -> None:
        assert outcome.feedback is not None and command.thread is not None
        channel_id = command.thread.channel.channel_id
        blocks = feedback_blocks(
            outcome.feedback,
            streak=outcome.streak,
            points=outcome.points,
            points_total=outcome.points_total,
            note=outcome.message,
        )
        text = feedback_summary(outcome.feedback)
        if public:
            await self.client.chat_postMessage(
                channel=channel_id, thread_ts=command.thread.thread_id, text=text, blocks=blocks, unfurl_links=False
            )
        else:
            await self.client.chat_postEphemeral(
                channel=channel_id, user=command.member.user_id, thread_ts=command.thread.thread_id,
                text=text, blocks=blocks,
            )

    async def _ephemeral(self, command: SubmitAnswer, reply: Reply) -> None:
        if command.thread is None:
            return
        try:
            await self.client.chat_postEphemeral(
                channel=command.thread.channel.channel_id, user=command.member.user_id,
                thread_ts=command.thread.thread_id, text=reply.text, blocks=reply_blocks(reply),
            )
        except SlackApiError as exc:
            log.warning("could not tell %s: %s", command.member.user_id, exc.response.get("error"))

    async def on_home_opened(self, body: Mapping[str, Any], event: Mapping[str, Any]) -> None:
        """App Home: the member's streak, points, recent scores and today's questions."""
        if event.get("tab") not in (None, "home"):
            return
        workspace = workspace_id(str(body.get("team_id", "")))
        user_id = str(event.get("user", ""))
        member = Member(workspace, user_id)
        try:
            view = await self._home(workspace, member)
        except StoreUnavailable as exc:
            view = {"type": "home", "blocks": reply_blocks(Reply(str(exc)))}
        await self.client.views_publish(user_id=user_id, view=view)

    async def _home(self, workspace: str, member: Member) -> dict[str, Any]:
        today: list[tuple[str, str]] = []
        settings = None
        for channel_id in await self.coach.store.channels(workspace):
            channel = Channel(workspace, channel_id)
            settings = await self.coach.channel_settings(channel)
            if settings is None:
                continue
            for prompt in await self.coach.todays_prompts(channel, settings):
                today.append((channel_id, self.coach.bank.question(prompt.question_id).text))
        streak = await self.coach.streak(member, settings or ChannelSettings())
        points = await self.coach.store.points(member)
        history = await self.coach.history(member, 10)
        return home_view(streak=streak, points_total=points, history=history, today=today)

    async def open_review(
        self, trigger_id: str, member: Member, respond: Respond, *, channel: Channel | None = None,
        answer: AnswerRef | None = None,
    ) -> None:
        """Open the review form for the next answer to review (or a given one), or say why not."""
        try:
            if answer is not None:
                task: ReviewTask | str = await self.app.reviews.task(member, answer)
            elif channel is not None:
                task = await self.app.reviews.next_for(member, channel)
            else:
                task = "Use /debrief review in the channel of the question."
        except ReviewRejected as exc:
            task = str(exc)
        except StoreUnavailable as exc:
            task = str(exc)
        if isinstance(task, str):
            await respond(text=task, response_type="ephemeral", replace_original=False)
            return
        await self.client.views_open(trigger_id=trigger_id, view=review_modal(task))

    async def on_review_button(self, ack: Ack, body: Mapping[str, Any], respond: Respond) -> None:
        """"Review an answer" on the daily post (next answer) or "Review answer N" in an assignment (that one)."""
        await ack()
        workspace = workspace_id(str((body.get("team") or {}).get("id", "")))
        user = body.get("user") or {}
        member = Member(workspace, str(user.get("id", "")), str(user.get("name") or ""))
        action = ((body.get("actions") or [{}])[0]).get("action_id", "")
        answer = AnswerRef.parse(action.removeprefix("review:")) if action.startswith("review:") else None
        channel = Channel(workspace, str((body.get("channel") or {}).get("id", "")))
        await self.open_review(str(body.get("trigger_id", "")), member, respond, channel=channel, answer=answer)

    async def on_review_submitted(self, ack: Ack, body: Mapping[str, Any], view: Mapping[str, Any]) -> None:
        """A submitted form: field errors go back into the form; a saved review is posted in the thread."""
        workspace = workspace_id(str((body.get("team") or {}).get("id", "")))
        user = body.get("user") or {}
        member = Member(workspace, str(user.get("id", "")), str(user.get("name") or user.get("username") or ""))
        answer = AnswerRef.parse(str(view.get("private_metadata") or ""))
        if answer is None:
            await ack(response_action="errors", errors={"comment": "This form is out of date; open a new one."})
            return
        scores, comment = review_form_values(view)
        try:
            summary = await self.app.reviews.submit(member, answer, scores, comment)
        except ReviewRejected as exc:
            errors = {(f"crit:{k}" if k != "comment" else k): v for k, v in exc.errors.items()} or {"comment": str(exc)}
            await ack(response_action="errors", errors=errors)
            return
        except StoreUnavailable as exc:
            await ack(response_action="errors", errors={"comment": str(exc)})
            return
        await ack()
        await self._post_review(member, answer, summary)

    async def _post_review(self, member: Member, answer: AnswerRef, summary: AnswerReviews) -> None:
        posted = await self.app.reviews.posted_review(member, answer, summary)
        if posted is not None and posted[0].thread is not None:
            await self.port.reply_in_thread(posted[0].thread, posted[1])

    async def on_helpful(self, ack: Ack, body: Mapping[str, Any], respond: Respond) -> None:
        """The author marks a review helpful."""
        await ack()
        workspace = workspace_id(str((body.get("team") or {}).get("id", "")))
        member = Member(workspace, str((body.get("user") or {}).get("id", "")))
        action = str(((body.get("actions") or [{}])[0]).get("action_id", "")).removeprefix("helpful:")
        ref, _, reviewer = action.rpartition("|")
        answer = AnswerRef.parse(ref)
        try:
            message = await self.app.reviews.mark_helpful(member, answer, reviewer) if answer else "Unknown review."
        except StoreUnavailable as exc:
            message = str(exc)
        await respond(text=message, response_type="ephemeral", replace_original=False)

    async def on_today_button(self, ack: Ack, body: Mapping[str, Any], respond: Respond) -> None:
        """The daily post's button: today's question, privately."""
        await ack()
        workspace = workspace_id(str((body.get("team") or {}).get("id", "")))
        channel = Channel(workspace, str((body.get("channel") or {}).get("id", "")))
        try:
            settings = await self.coach.channel_settings(channel)
            prompts = await self.coach.todays_prompts(channel, settings) if settings else []
            if prompts:
                question = self.coach.bank.question(prompts[0].question_id)
                reply = question_reply(self.coach.bank, question, private=True)
            else:
                reply = Reply("There is no question in this channel today.")
        except StoreUnavailable as exc:
            reply = Reply(str(exc))
        await respond(text=reply.text, blocks=reply_blocks(reply), response_type="ephemeral", replace_original=False)


def register_listeners(bolt: AsyncApp, handlers: SlackHandlers) -> None:
    """Attach debrief's listeners to a Bolt app."""

    async def command(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        await handlers.on_command(ack, body, respond)

    async def message(body: dict[str, Any]) -> None:
        await handlers.on_message(body)

    async def home(body: dict[str, Any], event: dict[str, Any]) -> None:
        await handlers.on_home_opened(body, event)

    async def today(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        await handlers.on_today_button(ack, body, respond)

    async def review(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        await handlers.on_review_button(ack, body, respond)

    async def review_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        await handlers.on_review_submitted(ack, body, view)

    async def helpful(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        await handlers.on_helpful(ack, body, respond)

    bolt.command("/debrief")(command)
    bolt.event("message")(message)
    bolt.event("app_home_opened")(home)
    bolt.action("today")(today)
    bolt.action(re.compile(r"^review(:.+)?$"))(review)
    bolt.view("review_submit")(review_submitted)
    bolt.action(re.compile(r"^helpful:.+$"))(helpful)
