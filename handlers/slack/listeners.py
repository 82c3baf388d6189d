"""Slack listeners: acknowledge first, translate the payload, call the core, render what it returns."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.answers import SOMETHING_WENT_WRONG, Answers, SubmitAnswer
from bot.coach.reply import follow_with_model
from bot.commands import ChatCommands, CommandRequest, reply_or_failure
from bot.daily_post import DailyPosts
from bot.errors import StoreUnavailable
from bot.forget_me import button_confirmation
from bot.home import Home
from bot.identities import Channel, Member
from bot.metrics import Metrics, NoMetrics
from bot.mock.rounds import MockInterviews
from bot.onboarding import Onboarding
from bot.outbox import Outbox, Undeliverable
from bot.replies import Kind, Refusal, Reply, say, text
from bot.review.peer_review import PeerReviews
from bot.standings import Standings
from bot.strong_answer import StrongAnswers
from handlers.slack.chat_port import SlackChatPort, SlackDirectory
from handlers.slack.clients import NotInstalled, WorkspaceClients
from handlers.slack.translate import (
    answer_from_event,
    command_from_text,
    deleted_message_from_event,
    direct_message_from_event,
    home_view,
    notification,
    reply_blocks,
    review_form_values,
    review_modal,
    workspace_id,
)

log = logging.getLogger(__name__)
ANSWER_REACTION = "memo"
NETWORK_FAILURES = (aiohttp.ClientError, TimeoutError, OSError)

Respond = Callable[..., Awaitable[Any]]
Ack = Callable[..., Awaitable[Any]]


@dataclass(frozen=True)
class SlackUseCases:
    """The parts of the core the Slack adapter calls."""

    commands: ChatCommands
    answers: Answers
    posts: DailyPosts
    reviews: PeerReviews
    mocks: MockInterviews
    home: Home
    standings: Standings
    outbox: Outbox
    onboarding: Onboarding
    strong_answers: StrongAnswers
    metrics: Metrics = field(default_factory=NoMetrics)


# Slack errors no retry can fix: the request is dropped and the member told on their next command.
PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "user_not_in_channel",
        "user_not_found",
        "invalid_blocks",
        "msg_too_long",
        "no_permission",
        "account_inactive",
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "missing_scope",
        "restricted_action",
        "cannot_dm_bot",
    }
)


async def send_kept(clients: WorkspaceClients, request: Mapping[str, Any]) -> str:
    """Send one kept Web API request (again) with its workspace's client; the ts of the message it posted ("" when
    Slack names none). Undeliverable when Slack will never take it (or the workspace removed the app)."""
    try:
        client = await clients.for_workspace(str(request.get("workspace") or ""))
        response = await client.api_call(str(request["method"]), json=dict(request["args"]))
        return str(response.get("ts") or response.get("message_ts") or "")
    except NotInstalled as exc:
        raise Undeliverable(exc.reason) from None
    except SlackApiError as exc:
        error = str(exc.response.get("error", ""))
        if error in PERMANENT_ERRORS:
            raise Undeliverable(error) from None
        raise


class SlackHandlers:
    """Everything debrief does on Slack, one method per kind of request."""

    def __init__(self, core: SlackUseCases, port: SlackChatPort, directory: SlackDirectory) -> None:
        self.core = core
        self.port = port
        self.clients = port.clients
        self.directory = directory
        self._background: set[asyncio.Task[None]] = set()

    async def is_admin(self, workspace: str, user_id: str) -> bool:
        """Workspace admins and owners, per users.info."""
        try:
            return (await self.directory.user(workspace, user_id)).is_admin
        except (SlackApiError, NotInstalled):
            log.warning("users.info failed for %s; treating as not an admin", user_id)
            return False

    async def _respond(self, respond: Respond, reply: Reply, *, replace_original: bool = False) -> None:
        await respond(
            text=notification(reply),
            blocks=reply_blocks(reply),
            response_type="ephemeral" if reply.private else "in_channel",
            replace_original=replace_original,
        )

    async def on_command(self, ack: Ack, body: Mapping[str, Any], respond: Respond) -> None:
        """`/debrief ...`: ack at once, then answer through the response URL."""
        await ack()
        workspace = workspace_id(str(body.get("team_id", "")))
        user_id = str(body.get("user_id", ""))
        member = Member(workspace, user_id, str(body.get("user_name") or ""))
        channel = Channel(workspace, str(body.get("channel_id", "")))
        name, args, users = command_from_text(str(body.get("text") or ""))
        if name == "review":
            await self.open_review(str(body.get("trigger_id", "")), member, respond, channel=channel)
            return
        request = CommandRequest(
            member=member,
            channel=channel,
            name=name,
            args=args,
            is_platform_admin=lambda: self.is_admin(workspace, user_id),
            port=self.port,
            users=users,
        )
        reply = await self.core.commands.run(request)
        if reply.image is not None:
            reply = await self._send_image(member, reply)
        await self._respond(respond, reply)

    async def _send_image(self, member: Member, reply: Reply) -> Reply:
        """Slack has no ephemeral files: the image goes to the member's DM, the words stay ephemeral here."""
        assert reply.image is not None
        sent = await self.port.send_private_image(member, reply, reply.image)
        if sent:
            with contextlib.suppress(StoreUnavailable):  # the chart went out; only the home's copy is missing
                await self.core.home.remember_chart(member, sent)
        note = (
            "The chart is in your direct messages with debrief."
            if sent
            else "The chart could not be sent to your direct messages; open them to the app and try again."
        )
        return replace(reply, body=(*reply.body, text(note, kind=Kind.NOTE)), image=None)

    async def on_forget_button(self, ack: Ack, body: Mapping[str, Any], respond: Respond) -> None:
        """The forget-me confirmation button: the same as typing `forget-me confirm`, for the clicker only."""
        await ack()
        member, channel, action = _actor(body)
        request = CommandRequest(
            member=member,
            channel=channel,
            name="forget-me",
            args=button_confirmation(action) or (),
            is_platform_admin=lambda: self.is_admin(member.workspace, member.user_id),
            port=self.port,
        )
        # the outcome takes the place of the question, so its button cannot be pressed again
        await self._respond(respond, await self.core.commands.run(request), replace_original=True)

    async def on_message(self, body: Mapping[str, Any]) -> None:
        """A message event: answers in question threads get feedback; DMs with the bot are mock answers."""
        arrived = time.perf_counter()
        direct = direct_message_from_event(body)
        if direct is not None:
            await self.on_direct_message(*direct)
            return
        deleted = deleted_message_from_event(body)
        if deleted is not None:
            author, thread, message_id = deleted
            await self.core.answers.withdraw(thread, message_id, author)
            return
        command = answer_from_event(body)
        if command is None:
            return
        command = self._with_name(command)
        assert command.thread is not None
        result = await self.core.answers.in_thread(command)
        if result.reply is None:
            return
        channel_id, thread_ts = command.thread.channel.channel_id, command.thread.thread_id
        sends = [self._send_in_thread(command.member, channel_id, thread_ts, result.reply)]
        if result.react:
            sends.append(self._react(command.member.workspace, channel_id, command.message_id))
        sent_ts, *_ = await asyncio.gather(*sends)
        self.core.metrics.feedback_latency("slack", time.perf_counter() - arrived)
        if result.refine is not None:
            # the public message can be edited in place; an ephemeral one cannot (a second one follows)
            editable = sent_ts if sent_ts and not result.reply.private else None
            follow = self._follow_with_model(command.member, channel_id, thread_ts, result.refine, editable)
            self._in_background(follow)

    async def on_direct_message(self, member: Member, channel_id: str, text: str, event_id: str | None) -> None:
        """The interviewer's next turn, in the same DM; a retried event is answered once."""
        reply = await self.core.mocks.answer_message(member, text, event_id=event_id)
        if reply is not None:
            client = await self.clients.for_workspace(member.workspace)
            await client.chat_postMessage(channel=channel_id, text=notification(reply), blocks=reply_blocks(reply))

    def _with_name(self, command: SubmitAnswer) -> SubmitAnswer:
        """Attach the member's display name if known; otherwise learn it in the background, off the answer's path."""
        known = self.directory.cached(command.member.workspace, command.member.user_id)
        if known is None:
            self._in_background(self._learn_name(command.member))
            return command
        member = Member(command.member.workspace, command.member.user_id, known.name)
        return SubmitAnswer(member, command.message_id, command.text, command.at, command.event_id, command.thread)

    def _in_background(self, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` off the request's path, holding a reference until it is done."""
        task = asyncio.create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _learn_name(self, member: Member) -> None:
        try:
            user = await self.directory.user(member.workspace, member.user_id)
            await self.core.standings.remember(Member(member.workspace, member.user_id, user.name))
        except (SlackApiError, StoreUnavailable, NotInstalled) as exc:
            log.info("could not learn the name of %s: %s", member.user_id, exc)

    async def _react(self, workspace: str, channel_id: str, ts: str) -> None:
        try:
            client = await self.clients.for_workspace(workspace)
            await client.reactions_add(channel=channel_id, timestamp=ts, name=ANSWER_REACTION)
        except NotInstalled:
            return
        except SlackApiError as exc:
            if exc.response.get("error") != "already_reacted":
                log.warning("reaction failed: %s", exc.response.get("error"))

    async def _send_in_thread(self, member: Member, channel_id: str, thread_ts: str, reply: Reply) -> str | None:
        """A reply in the thread: public, or ephemeral for one member; its ts ("" if Slack named none), or None
        when it was not sent now. When Slack will not take it now (rate limits past the client's own retries, an
        outage) it is kept and sent again."""
        args: dict[str, Any] = {
            "channel": channel_id,
            "thread_ts": thread_ts,
            "text": notification(reply),
            "blocks": reply_blocks(reply),
        }
        if reply.private:
            method, args = "chat.postEphemeral", {**args, "user": member.user_id}
        else:
            method, args = "chat.postMessage", {**args, "unfurl_links": False}
        request = {"method": method, "args": args, "workspace": member.workspace}
        try:
            return await send_kept(self.clients, request)
        except Undeliverable as exc:
            log.warning("could not reply to %s: %s", member.user_id, exc)
        except (SlackApiError, *NETWORK_FAILURES) as exc:
            log.warning("could not reply to %s now (%s); keeping it to send again", member.user_id, exc)
            await self.core.outbox.keep("slack", member, [request], "the reply to your answer")
        return None

    async def _follow_with_model(
        self,
        member: Member,
        channel_id: str,
        thread_ts: str,
        refine: Callable[[], Awaitable[Reply | None]],
        editable_ts: str | None,
    ) -> None:
        """The model's feedback once it is ready: chat.update of the public reply at `editable_ts`, else (an
        ephemeral reply, which Slack cannot edit, or one not sent) a second reply in the thread the usual way."""

        async def edit(reply: Reply) -> bool:
            assert editable_ts is not None
            return await self._update_in_thread(member.workspace, channel_id, editable_ts, reply)

        async def send(reply: Reply) -> bool:
            return await self._send_in_thread(member, channel_id, thread_ts, reply) is not None

        await follow_with_model(refine, edit if editable_ts else None, send)

    async def _update_in_thread(self, workspace: str, channel_id: str, ts: str, reply: Reply) -> bool:
        """chat.update of a message the bot posted; whether Slack took it."""
        try:
            client = await self.clients.for_workspace(workspace)
            await client.chat_update(channel=channel_id, ts=ts, text=notification(reply), blocks=reply_blocks(reply))
        except NotInstalled:
            return False
        except (SlackApiError, *NETWORK_FAILURES) as exc:
            log.warning("could not update message %s with the model's feedback: %s", ts, exc)
            return False
        return True

    async def send_kept_replies(self, stop: asyncio.Event) -> None:
        """Send the replies Slack would not take earlier, until `stop` is set."""

        async def send(request: dict[str, Any]) -> None:
            await send_kept(self.clients, request)

        await self.core.outbox.run("slack", send, stop)

    async def on_member_joined(
        self, body: Mapping[str, Any], event: Mapping[str, Any], bot_user_id: str | None
    ) -> None:
        """The bot itself was added to a channel: post the welcome there, once."""
        if not bot_user_id or event.get("user") != bot_user_id:
            return
        channel = Channel(
            workspace_id(str(body.get("team_id") or event.get("team", ""))), str(event.get("channel", ""))
        )
        await self.core.onboarding.greet(channel, self.port)

    async def on_home_opened(self, body: Mapping[str, Any], event: Mapping[str, Any]) -> None:
        """App Home: the member's streak, points, recent scores and today's questions."""
        if event.get("tab") not in (None, "home"):
            return
        user_id = str(event.get("user", ""))
        member = Member(workspace_id(str(body.get("team_id", ""))), user_id)
        try:
            admin = await self.core.commands.is_admin(member, lambda: self.is_admin(member.workspace, user_id))
            view = home_view(await self.core.home.view(member, admin=admin))
        except StoreUnavailable as exc:
            view = {"type": "home", "blocks": reply_blocks(say(str(exc)))}
        client = await self.clients.for_workspace(member.workspace)
        await client.views_publish(user_id=user_id, view=view)

    async def open_review(
        self,
        trigger_id: str,
        member: Member,
        respond: Respond,
        *,
        channel: Channel | None = None,
        answer_id: str | None = None,
    ) -> None:
        """Open the review form for the next answer to review (or a given one), or say why not."""
        try:
            task = await self.core.reviews.open(member, channel=channel, answer_id=answer_id)
        except StoreUnavailable as exc:
            task = Refusal(say(str(exc)))
        if isinstance(task, Refusal):
            await self._respond(respond, task.reply)
            return
        client = await self.clients.for_workspace(member.workspace)
        await client.views_open(trigger_id=trigger_id, view=review_modal(task))

    async def on_review_button(self, ack: Ack, body: Mapping[str, Any], respond: Respond) -> None:
        """ "Review an answer" on the daily post (next answer) or "Review answer N" in an assignment (that one)."""
        await ack()
        member, channel, action = _actor(body)
        answer_id = action.removeprefix("review:") if action.startswith("review:") else None
        await self.open_review(str(body.get("trigger_id", "")), member, respond, channel=channel, answer_id=answer_id)

    async def on_review_submitted(self, ack: Ack, body: Mapping[str, Any], view: Mapping[str, Any]) -> None:
        """A submitted form: field errors go back into the form; a saved review is posted in the thread."""
        user = body.get("user") or {}
        member = Member(
            workspace_id(str((body.get("team") or {}).get("id", ""))),
            str(user.get("id", "")),
            str(user.get("name") or user.get("username") or ""),
        )
        scores, comment = review_form_values(view)
        try:
            outcome = await self.core.reviews.submit_form(
                member, str(view.get("private_metadata") or ""), scores, comment
            )
        except StoreUnavailable as exc:
            await ack(response_action="errors", errors={"comment": str(exc)})
            return
        if isinstance(outcome, Refusal):
            errors = {(f"crit:{k}" if k != "comment" else k): v for k, v in outcome.field_errors.items()}
            await ack(response_action="errors", errors=errors or {"comment": outcome.reply.summary})
            return
        await ack()
        await self.port.reply_in_thread(outcome.thread, outcome.reply)

    async def on_helpful(self, ack: Ack, body: Mapping[str, Any], respond: Respond) -> None:
        """The author marks a review helpful."""
        await ack()
        member, _, action = _actor(body)
        await self._respond(respond, await reply_or_failure(self.core.reviews.helpful(member, action), "helpful mark"))

    async def on_strong_answer(self, ack: Ack, body: Mapping[str, Any], respond: Respond) -> None:
        """ "See a strong answer" under feedback: the exemplar and the clicker's weakest criterion, privately."""
        await ack()
        member, _, action = _actor(body)
        work = self.core.strong_answers.show(member, action)
        await self._respond(respond, await reply_or_failure(work, "strong answer"))

    async def on_today_button(self, ack: Ack, body: Mapping[str, Any], respond: Respond) -> None:
        """The daily post's button: today's question, privately."""
        await ack()
        _, channel, _ = _actor(body)
        await self._respond(respond, await reply_or_failure(self.core.posts.today_reply(channel), "today button"))


async def report_failure(error: Exception, body: Mapping[str, Any], clients: WorkspaceClients) -> None:
    """Bolt's last resort for a listener that raised: one log line with the cause, and one plain reply to the
    member wherever Slack lets us reach them (the response URL, or privately in the event's channel)."""
    kind = str(body.get("type") or (body.get("event") or {}).get("type") or "request")
    log.error("Slack %s failed: %s: %s", kind, type(error).__name__, error)
    log.debug("the failure in full", exc_info=error)
    try:
        response_url = body.get("response_url") or next(
            (r.get("response_url") for r in body.get("response_urls") or [] if r.get("response_url")), None
        )
        if response_url:
            await AsyncWebhookClient(str(response_url)).send(
                text=SOMETHING_WENT_WRONG, response_type="ephemeral", replace_original=False
            )
            return
        event = body.get("event") or {}
        user = event.get("user") or (body.get("user") or {}).get("id")
        channel = event.get("channel") or (body.get("channel") or {}).get("id")
        if user and channel:
            team = body.get("team_id") or (body.get("team") or {}).get("id") or ""
            client = await clients.for_workspace(workspace_id(str(team)))
            await client.chat_postEphemeral(channel=channel, user=user, text=SOMETHING_WENT_WRONG)
    except Exception as exc:  # the member cannot be reached; the failure is already logged
        log.warning("could not tell the member that %s failed: %s", kind, exc)


def _actor(body: Mapping[str, Any]) -> tuple[Member, Channel, str]:
    """Who clicked, in which channel, which button."""
    workspace = workspace_id(str((body.get("team") or {}).get("id", "")))
    user = body.get("user") or {}
    member = Member(workspace, str(user.get("id", "")), str(user.get("name") or ""))
    channel = Channel(workspace, str((body.get("channel") or {}).get("id", "")))
    action = str(((body.get("actions") or [{}])[0]).get("action_id", ""))
    return member, channel, action


def register_listeners(bolt: AsyncApp, handlers: SlackHandlers) -> None:
    """Attach debrief's listeners to a Bolt app."""

    async def command(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        await handlers.on_command(ack, body, respond)

    async def message(body: dict[str, Any]) -> None:
        await handlers.on_message(body)

    async def home(body: dict[str, Any], event: dict[str, Any]) -> None:
        await handlers.on_home_opened(body, event)

    async def joined(body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext) -> None:
        await handlers.on_member_joined(body, event, context.bot_user_id)

    async def today(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        await handlers.on_today_button(ack, body, respond)

    async def review(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        await handlers.on_review_button(ack, body, respond)

    async def review_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        await handlers.on_review_submitted(ack, body, view)

    async def helpful(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        await handlers.on_helpful(ack, body, respond)

    async def strong_answer(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        await handlers.on_strong_answer(ack, body, respond)

    async def forget(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        await handlers.on_forget_button(ack, body, respond)

    async def failed(error: Exception, body: dict[str, Any]) -> None:
        await report_failure(error, body, handlers.clients)

    bolt.error(failed)
    bolt.command("/debrief")(command)
    bolt.event("message")(message)
    bolt.event("app_home_opened")(home)
    bolt.event("member_joined_channel")(joined)
    bolt.action("today")(today)
    bolt.action(re.compile(r"^review(:.+)?$"))(review)
    bolt.view("review_submit")(review_submitted)
    bolt.action(re.compile(r"^helpful:.+$"))(helpful)
    bolt.action(re.compile(r"^strong:"))(strong_answer)
    bolt.action(re.compile(r"^forget-me:.+$"))(forget)
