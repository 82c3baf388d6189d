"""The Discord bot: the /debrief command group, answers in threads, feedback by DM or in the thread."""

from __future__ import annotations

import asyncio
import io
import logging
import sys
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

import discord
from discord.ext import commands

from bot.answers import SOMETHING_WENT_WRONG, Answers, SubmitAnswer, ThreadAnswer
from bot.coach.reply import follow_with_model
from bot.commands import ChatCommands, CommandRequest, reply_or_failure
from bot.daily_post import DailyPosts
from bot.errors import PlatformRefused, StoreUnavailable
from bot.identities import Channel, Member, ThreadRef
from bot.metrics import Metrics, NoMetrics
from bot.mock.rounds import MockInterviews
from bot.onboarding import Onboarding
from bot.outbox import Outbox
from bot.replies import Refusal, Reply, say
from bot.review.peer_review import PeerReviews
from bot.strong_answer import ACTION_PREFIX as STRONG_ANSWER_PREFIX
from bot.strong_answer import StrongAnswers
from content.loader import Bank
from handlers.discord.api_metrics import api_response_counter
from handlers.discord.chat_port import DiscordChatPort, edit_reply, message_payloads, send_kept, send_reply
from handlers.discord.slash_commands import command_group
from handlers.discord.translate import answer_from_edit, answer_from_message, reply_embeds, workspace_id
from handlers.discord.views import (
    ForgetMeButton,
    HelpfulButton,
    ReviewButton,
    ReviewFormButton,
    ShowFeedbackButton,
    StrongAnswerButton,
    TodayView,
    reply_view,
)

log = logging.getLogger(__name__)
ANSWER_REACTION = "\N{MEMO}"


def intents() -> discord.Intents:
    """Guilds, guild messages, message content (privileged) and DMs."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.guild_messages = True
    wanted.message_content = True
    wanted.dm_messages = True
    return wanted


@dataclass(frozen=True)
class DiscordUseCases:
    """The parts of the core the Discord adapter calls."""

    commands: ChatCommands
    answers: Answers
    posts: DailyPosts
    reviews: PeerReviews
    mocks: MockInterviews
    bank: Bank
    outbox: Outbox
    onboarding: Onboarding
    strong_answers: StrongAnswers
    metrics: Metrics = field(default_factory=NoMetrics)


@dataclass(frozen=True)
class Delivered:
    """Where the feedback to an answer went: the messages it was sent in (none when it was kept to send later),
    and whether the member can be reached there (not when their DMs are closed)."""

    messages: tuple[discord.Message, ...] = ()
    reaches_member: bool = True


@dataclass(frozen=True)
class DiscordConfig:
    """How to reach Discord (from DISCORD_* settings)."""

    token: str
    api_base: str | None = None
    guild_ids: tuple[int, ...] = ()
    guild_ready_timeout: float = 2.0


class DebriefBot(commands.Bot):
    """discord.py bot whose dependencies come in through the constructor."""

    def __init__(self, core: DiscordUseCases, config: DiscordConfig) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents(),
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            guild_ready_timeout=config.guild_ready_timeout,
            http_trace=api_response_counter(core.metrics),
        )
        self.core = core
        self.config = config
        self.port = DiscordChatPort(self)
        self._background: set[asyncio.Task[None]] = set()
        guard_parsers(self._connection.parsers)
        self.tree.error(self.on_app_command_error)

    async def setup_hook(self) -> None:
        """Start-up work: persistent buttons, the command group and its sync (a retried login runs it again)."""
        self.add_view(TodayView())
        self.add_dynamic_items(
            ShowFeedbackButton, ReviewButton, ReviewFormButton, HelpfulButton, StrongAnswerButton, ForgetMeButton
        )
        self.tree.add_command(command_group(self), override=True)
        if self.config.guild_ids:
            for guild_id in self.config.guild_ids:
                guild = discord.Object(id=guild_id)
                self.tree.copy_global_to(guild=guild)
                await self.tree.sync(guild=guild)
        else:
            await self.tree.sync()

    async def _respond(self, interaction: discord.Interaction, reply: Reply) -> None:
        """An ephemeral followup to a deferred interaction (long replies in several; buttons and an image on the
        last, the image shown in its embed)."""
        embeds = reply_embeds(reply)
        view = reply_view(reply)
        for index, embed in enumerate(embeds):
            extra: dict[str, Any] = {}
            if index == len(embeds) - 1:
                if view is not None:
                    extra["view"] = view
                if reply.image is not None:
                    embed.set_image(url=f"attachment://{reply.image.filename}")
                    extra["file"] = discord.File(
                        io.BytesIO(reply.image.data), filename=reply.image.filename, description=reply.image.alt
                    )
            await interaction.followup.send(embed=embed, ephemeral=True, **extra)

    # commands -------------------------------------------------------------------------------------

    async def run_command(
        self, interaction: discord.Interaction, name: str, args: list[str], users: list[str] | None = None
    ) -> None:
        """Defer first, then run a /debrief subcommand through the core and answer ephemerally."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        if interaction.guild_id is None:
            await self._respond(interaction, say("Use /debrief in a server channel."))
            return
        workspace = workspace_id(interaction.guild_id)

        async def is_admin() -> bool:
            return bool(interaction.permissions.manage_guild)

        request = CommandRequest(
            member=Member(workspace, str(interaction.user.id), interaction.user.display_name),
            channel=Channel(workspace, _channel_id(interaction)),
            name=name,
            args=tuple(args),
            is_platform_admin=is_admin,
            port=self.port,
            users=tuple(users or ()),
        )
        await self._respond(interaction, await self.core.commands.run(request))

    async def show_today(self, interaction: discord.Interaction) -> None:
        """The daily post's button: the channel's question, ephemerally."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        channel = Channel(workspace_id(interaction.guild_id or 0), _channel_id(interaction))
        await self._respond(interaction, await reply_or_failure(self.core.posts.today_reply(channel), "today button"))

    def _workspace_of(self, interaction: discord.Interaction, prompt_id: str) -> str:
        """The server of a prompt: the interaction's, or (from a DM) the one its channel belongs to."""
        if interaction.guild_id is not None:
            return workspace_id(interaction.guild_id)
        channel_id = prompt_id.split(":", 1)[0]
        channel = self.get_channel(int(channel_id)) if channel_id.isdigit() else None
        guild = getattr(channel, "guild", None)
        return workspace_id(guild.id) if guild is not None else "discord:unknown"

    async def show_review_task(self, interaction: discord.Interaction, answer_id: str | None) -> None:
        """Defer, find the answer to review, and show it with the way to the form."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        workspace = self._workspace_of(interaction, answer_id or "")
        member = Member(workspace, str(interaction.user.id), interaction.user.display_name)
        channel = Channel(workspace, _channel_id(interaction))
        try:
            task = await self.core.reviews.open(member, channel=channel, answer_id=answer_id)
        except StoreUnavailable as exc:
            task = Refusal(say(str(exc)))
        reply = task.reply if isinstance(task, Refusal) else self.core.reviews.task_reply(task)
        await self._respond(interaction, reply)

    def review_criteria(self, question_id: str) -> list[tuple[str, str]]:
        """The ids and names of the criteria a question's answers are reviewed on."""
        rubric = self.core.bank.rubric_for(self.core.bank.question(question_id))
        return [(c.id, c.name) for c in rubric.criteria]

    async def submit_review(
        self, interaction: discord.Interaction, answer_id: str, scores: dict[str, str], comment: str, *, given: int
    ) -> None:
        """Validate and save a review from the form; post it in the thread as a reply to the answer."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        member = Member(
            self._workspace_of(interaction, answer_id), str(interaction.user.id), interaction.user.display_name
        )
        try:
            outcome = await self.core.reviews.submit_form(member, answer_id, scores, comment)
        except StoreUnavailable as exc:
            outcome = Refusal(say(str(exc)))
        if isinstance(outcome, Refusal):
            count = (
                f" You gave {given} score{'s' if given != 1 else ''}; one per criterion, in order."
                if outcome.field_errors
                else ""
            )
            await self._respond(interaction, say(outcome.reply.summary + count))
            return
        await self.port.reply_to(outcome.thread, outcome.answer_message_id, outcome.reply)
        await self._respond(interaction, outcome.confirmation)

    async def mark_helpful(self, interaction: discord.Interaction, action_id: str) -> None:
        """The author's helpful mark."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        ref = action_id.removeprefix("helpful:").rpartition("|")[0]
        member = Member(self._workspace_of(interaction, ref), str(interaction.user.id))
        await self._respond(
            interaction, await reply_or_failure(self.core.reviews.helpful(member, action_id), "helpful")
        )

    async def show_strong_answer(self, interaction: discord.Interaction, prompt_id: str) -> None:
        """ "See a strong answer" under feedback: the exemplar and the clicker's weakest criterion, ephemerally."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        member = Member(self._workspace_of(interaction, prompt_id), str(interaction.user.id))
        work = self.core.strong_answers.show(member, f"{STRONG_ANSWER_PREFIX}{prompt_id}")
        await self._respond(interaction, await reply_or_failure(work, "strong answer"))

    async def show_feedback(self, interaction: discord.Interaction, prompt_id: str, owner_id: str) -> None:
        """The "Show my feedback" button: the answer's feedback, to its author only."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        member = Member(workspace_id(interaction.guild_id or 0), str(interaction.user.id))
        work = self.core.answers.feedback_for(member, prompt_id, owner_id)
        await self._respond(interaction, await reply_or_failure(work, "show feedback"))

    # joining a server ------------------------------------------------------------------------------

    async def on_guild_join(self, guild: discord.Guild) -> None:
        """Invited to a server: post the welcome once, in its system channel or the first channel the bot may
        write in."""
        target = welcome_channel(guild)
        if target is None:
            log.info("joined server %s but may not write in any text channel", guild.id)
            return
        await self.core.onboarding.greet(Channel(workspace_id(guild.id), str(target.id)), self.port)

    # answers --------------------------------------------------------------------------------------

    async def on_message(self, message: discord.Message) -> None:
        """A member's message in a question's thread is an answer (or adds to theirs); in a DM with the bot,
        or in their private mock thread, it is a mock interview answer."""
        arrived = time.perf_counter()
        if message.author.bot:
            return
        channel = message.channel
        if isinstance(channel, discord.DMChannel):
            await self.handle_mock_answer(message, venue=None)
            return
        if isinstance(channel, discord.Thread) and channel.type is discord.ChannelType.private_thread:
            await self.handle_mock_answer(message, venue=str(channel.id))
            return
        command = answer_from_message(message)
        if command is not None and await self.handle_answer(command):
            self.core.metrics.feedback_latency("discord", time.perf_counter() - arrived)

    async def handle_mock_answer(self, message: discord.Message, *, venue: str | None) -> None:
        """The interviewer's next turn where the answer was given; others' messages in a mock thread are ignored."""
        member = Member(
            workspace_id(message.guild.id) if message.guild else "discord:dm",
            str(message.author.id),
            message.author.display_name,
        )
        reply = await self.core.mocks.answer_message(member, message.content, event_id=f"dm:{message.id}", venue=venue)
        if reply is not None:
            await send_reply(message.channel, reply)

    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        """An edit of a thread message is a revision of that answer."""
        channel = self.get_channel(payload.channel_id)
        if channel is None:
            try:
                channel = await self.fetch_channel(payload.channel_id)
            except discord.HTTPException:
                return
        if not isinstance(channel, discord.Thread):
            return
        command = answer_from_edit(payload, channel.parent_id)
        if command is not None:
            await self.handle_answer(command)

    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        """A deleted thread message is taken out of its answer (the thread's parent is looked up if needed)."""
        if payload.guild_id is None:
            return
        channel = self.get_channel(payload.channel_id)
        parent_id = getattr(channel, "parent_id", None)
        if parent_id is None:
            return
        workspace = workspace_id(payload.guild_id)
        thread = ThreadRef(Channel(workspace, str(parent_id)), str(payload.channel_id))
        await self.core.answers.withdraw(thread, str(payload.message_id))

    async def on_app_command_error(
        self, interaction: discord.Interaction, error: discord.app_commands.AppCommandError
    ) -> None:
        """Any /debrief failure: one log line with the cause, one plain reply to the member."""
        cause = error.original if isinstance(error, discord.app_commands.CommandInvokeError) else error
        log.error("/debrief failed for %s: %s: %s", interaction.user.id, type(cause).__name__, cause)
        log.debug("the failure in full", exc_info=cause)
        await self._apologise(interaction)

    async def on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        """An event handler failed: one log line with the cause; the gateway connection carries on."""
        error = sys.exc_info()[1]
        log.error("the %s handler failed: %s: %s", event_method, type(error).__name__, error)
        log.debug("the failure in full", exc_info=True)

    async def _apologise(self, interaction: discord.Interaction) -> None:
        try:
            if interaction.response.is_done():
                await interaction.followup.send(SOMETHING_WENT_WRONG, ephemeral=True)
            else:
                await interaction.response.send_message(SOMETHING_WENT_WRONG, ephemeral=True)
        except discord.HTTPException as exc:
            log.warning("could not tell %s something went wrong: %s", interaction.user.id, exc)

    async def handle_answer(self, command: SubmitAnswer) -> bool:
        """Record through the core, then deliver what it says: feedback by DM, in the thread, or the fallback;
        whether a reply was sent (or kept to send). The model's feedback, when the server chose it, follows in the
        background."""
        result = await self.core.answers.in_thread(command)
        assert command.thread is not None
        if result.react:
            self._in_background(self._react(command.thread, command.message_id))
        if result.reply is None:
            return False
        delivered = await self._deliver(command, result)
        if result.refine is not None and delivered.reaches_member:
            self._in_background(self._follow_with_model(command, result.reply.private, result.refine, delivered))
        return True

    def _in_background(self, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` off the event's path, holding a reference until it is done."""
        task = asyncio.create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _follow_with_model(
        self,
        command: SubmitAnswer,
        private: bool,
        refine: Callable[[], Awaitable[Reply | None]],
        delivered: Delivered,
    ) -> None:
        """The model's feedback once it is ready: an edit of the messages the engine's feedback went out in, else a
        new message in the same place (the member's DMs, or the thread for public feedback)."""
        assert command.thread is not None
        thread = command.thread

        async def edit(reply: Reply) -> bool:
            return await edit_reply(delivered.messages, reply)

        async def send(reply: Reply) -> bool:
            if private:
                return await self.port.send_private(command.member, reply)
            try:
                await self.port.reply_to(thread, command.message_id, reply)
            except PlatformRefused as exc:
                log.warning("could not send the model's feedback to %s: %s", command.member.user_id, exc)
                return False
            return True

        await follow_with_model(refine, edit if delivered.messages else None, send)

    async def _deliver(self, command: SubmitAnswer, result: ThreadAnswer) -> Delivered:
        assert result.reply is not None and command.thread is not None
        reply = result.reply
        try:
            if not reply.private:
                return Delivered(await self.port.reply_to_messages(command.thread, command.message_id, reply))
            sent = await self.port.send_private_messages(command.member, reply)
            if sent is not None:
                return Delivered(sent)
            if result.fallback is not None:
                await self.port.reply_in_thread(command.thread, result.fallback)
            return Delivered(reaches_member=False)
        except Exception as exc:  # the answer is saved; the reply is kept and sent again, never raised here
            log.warning("could not deliver to %s now (%s); keeping it to send again", command.member.user_id, exc)
            if reply.private:
                requests = [{"to": "dm", "id": command.member.user_id, "message": m} for m in message_payloads(reply)]
            else:
                messages = message_payloads(reply, reference=command.message_id)
                requests = [{"to": "channel", "id": command.thread.thread_id, "message": m} for m in messages]
            await self.core.outbox.keep("discord", command.member, requests, "the reply to your answer")
        return Delivered()

    async def send_kept_replies(self, stop: asyncio.Event) -> None:
        """Send the replies Discord would not take earlier, until `stop` is set."""

        async def send(request: dict[str, Any]) -> None:
            await send_kept(self, request)

        await self.core.outbox.run("discord", send, stop)

    async def _react(self, thread: ThreadRef, message_id: str) -> None:
        try:
            target = await self.port.resolve(thread.thread_id)
            await target.get_partial_message(int(message_id)).add_reaction(ANSWER_REACTION)
        except discord.HTTPException as exc:
            log.warning("reaction failed: %s", exc)


def guard_parsers(parsers: dict[str, Callable[[Any], Any]]) -> None:
    """Make every gateway event parser drop an event it cannot read (Discord sends partial updates, for
    example a MESSAGE_UPDATE without content or author when only embeds change) instead of letting the error
    end the gateway connection and the process. The dict is discord.py's own, shared with the websocket."""
    for name, parse in list(parsers.items()):
        parsers[name] = _guarded(name, parse)


def _guarded(name: str, parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def guarded(data: Any) -> Any:
        try:
            return parse(data)
        except Exception as exc:  # one odd event must never stop the bot
            log.warning("dropped a %s event discord.py could not read: %s: %s", name, type(exc).__name__, exc)
            return None

    return guarded


def _channel_id(interaction: discord.Interaction) -> str:
    """The channel a command was used in (a thread's parent, since questions belong to channels)."""
    channel = interaction.channel
    if isinstance(channel, discord.Thread) and channel.parent_id:
        return str(channel.parent_id)
    return str(interaction.channel_id)


def welcome_channel(guild: discord.Guild) -> discord.TextChannel | None:
    """Where the welcome goes: the server's system channel if the bot may write there, else the first text
    channel (in the server's order) where it may."""
    me = guild.me
    candidates = [guild.system_channel] if guild.system_channel else []
    candidates += sorted(guild.text_channels, key=lambda c: (c.position, c.id))
    for channel in candidates:
        if channel is not None and me is not None and channel.permissions_for(me).send_messages:
            return channel
    return None
