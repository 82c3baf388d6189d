"""The Discord bot: the /debrief command group, answers in threads, feedback by DM or in the thread."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp
import discord
import yarl
from discord import app_commands
from discord.ext import commands
from discord.gateway import DiscordWebSocket

from bot.answers import SOMETHING_WENT_WRONG, AnswerOutcome, SubmitAnswer
from bot.app.bootstrap import App
from bot.commands import ChatCommands, CommandRequest
from bot.chat_port import Reply, Section
from bot.daily_post import question_reply
from bot.errors import CredentialsRejected, PlatformUnreachable, StoreUnavailable
from bot.identities import Channel, Member
from bot.review.peer_review import AnswerRef, AnswerReviews, ReviewRejected, ReviewTask
from handlers.discord.chat_port import DiscordChatPort, send_text
from handlers.discord.translate import (
    answer_from_edit,
    answer_from_message,
    feedback_embed,
    reply_embed,
    safe,
    workspace_id,
)
from handlers.discord.views import (
    HelpfulButton,
    ReviewButton,
    ReviewFormButton,
    ShowFeedbackButton,
    TodayView,
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


class DebriefBot(commands.Bot):
    """discord.py bot whose dependencies come in through the constructor."""

    def __init__(
        self,
        app: App,
        *,
        gateway_from_api: bool = False,
        guild_ids: list[int] | None = None,
        guild_ready_timeout: float = 2.0,
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents(),
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            guild_ready_timeout=guild_ready_timeout,
        )
        self.app = app
        self.coach = app.coach
        self.port = DiscordChatPort(self)
        self.chat_commands = ChatCommands(app.coach, app.mocks, app.settings.admins)
        self.gateway_from_api = gateway_from_api
        self.guild_ids = guild_ids or []
        self._background: set[asyncio.Task[None]] = set()

    async def setup_hook(self) -> None:
        """Start-up work: gateway URL, persistent buttons, the command group and its sync."""
        if self.gateway_from_api:
            _, url, _ = await self.http.get_bot_gateway()
            DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)
        self.add_view(TodayView(self))
        self.add_dynamic_items(ShowFeedbackButton, ReviewButton, ReviewFormButton, HelpfulButton)
        self.tree.add_command(command_group(self), override=True)  # a retried login runs this hook again
        if self.guild_ids:
            for guild_id in self.guild_ids:
                guild = discord.Object(id=guild_id)
                self.tree.copy_global_to(guild=guild)
                await self.tree.sync(guild=guild)
        else:
            await self.tree.sync()

    # commands -------------------------------------------------------------------------------------

    async def run_command(self, interaction: discord.Interaction, name: str, args: list[str]) -> None:
        """Defer first, then run a /debrief subcommand through the core and answer ephemerally."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        if interaction.guild_id is None:
            await interaction.followup.send("Use /debrief in a server channel.", ephemeral=True)
            return
        workspace = workspace_id(interaction.guild_id)
        user = interaction.user
        channel = interaction.channel
        channel_id = channel.parent_id if isinstance(channel, discord.Thread) and channel.parent_id else interaction.channel_id

        async def is_admin() -> bool:
            return bool(interaction.permissions.manage_guild)

        request = CommandRequest(
            member=Member(workspace, str(user.id), user.display_name),
            channel=Channel(workspace, str(channel_id)),
            name=name,
            args=tuple(args),
            is_platform_admin=is_admin,
            port=self.port,
        )
        try:
            reply = await self.chat_commands.run(request)
        except StoreUnavailable as exc:
            reply = Reply(str(exc))
        except discord.HTTPException as exc:
            reply = Reply(f"Discord refused the request ({exc.status}); nothing was changed.")
        except Exception:
            log.exception("/debrief %s failed", name)
            reply = Reply(SOMETHING_WENT_WRONG)
        await interaction.followup.send(embed=reply_embed(reply), ephemeral=True)

    async def show_today(self, interaction: discord.Interaction) -> None:
        """The daily post's button: the channel's question, ephemerally."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        channel = interaction.channel
        channel_id = channel.parent_id if isinstance(channel, discord.Thread) and channel.parent_id else interaction.channel_id
        target = Channel(workspace_id(interaction.guild_id or 0), str(channel_id))
        try:
            settings = await self.coach.channel_settings(target)
            prompts = await self.coach.todays_prompts(target, settings) if settings else []
            reply = (
                question_reply(self.coach.bank, self.coach.bank.question(prompts[0].question_id), private=True)
                if prompts
                else Reply("There is no question in this channel today.")
            )
        except StoreUnavailable as exc:
            reply = Reply(str(exc))
        await interaction.followup.send(embed=reply_embed(reply), ephemeral=True)

    def _workspace_of(self, interaction: discord.Interaction, prompt_id: str) -> str:
        """The server of a prompt: the interaction's, or (from a DM) the one its channel belongs to."""
        if interaction.guild_id is not None:
            return workspace_id(interaction.guild_id)
        channel = self.get_channel(int(prompt_id.split(":", 1)[0]))
        guild = getattr(channel, "guild", None)
        return workspace_id(guild.id) if guild is not None else "discord:unknown"

    async def show_review_task(self, interaction: discord.Interaction, ref: str | None) -> None:
        """Defer, find the answer to review, and show it with the way to the form."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        answer = AnswerRef.parse(ref) if ref else None
        workspace = self._workspace_of(interaction, answer.prompt_id if answer else "0:")
        member = Member(workspace, str(interaction.user.id), interaction.user.display_name)
        channel = interaction.channel
        channel_id = channel.parent_id if isinstance(channel, discord.Thread) and channel.parent_id else interaction.channel_id
        try:
            if answer is not None:
                task: ReviewTask | str = await self.app.reviews.task(member, answer)
            else:
                task = await self.app.reviews.next_for(member, Channel(workspace, str(channel_id)))
        except (ReviewRejected, StoreUnavailable) as exc:
            task = str(exc)
        if isinstance(task, str):
            await interaction.followup.send(embed=reply_embed(Reply(task)), ephemeral=True)
            return
        reply = Reply(
            f"Review this answer to `{task.question.id}` on the same rubric.",
            sections=(Section("Question", task.question.text), Section("The answer", task.text, from_members=True),
                      Section("Judged on", " · ".join(name for _, name, _ in task.criteria))),
        )
        view = discord.ui.View(timeout=None)
        view.add_item(ReviewFormButton(task.answer.id, task.question.id))
        await interaction.followup.send(embed=reply_embed(reply), view=view, ephemeral=True)

    async def submit_review(
        self, interaction: discord.Interaction, ref: str, scores: dict[str, str], comment: str, *, given: int
    ) -> None:
        """Validate and save a review from the form; post it in the thread as a reply to the answer."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        answer = AnswerRef.parse(ref)
        assert answer is not None
        workspace = self._workspace_of(interaction, answer.prompt_id)
        member = Member(workspace, str(interaction.user.id), interaction.user.display_name)
        try:
            summary = await self.app.reviews.submit(member, answer, scores, comment)
        except ReviewRejected as exc:
            count = f" You gave {given} score{'s' if given != 1 else ''}; one per criterion, in order." if exc.errors else ""
            await interaction.followup.send(embed=reply_embed(Reply(f"{exc}{count}")), ephemeral=True)
            return
        except StoreUnavailable as exc:
            await interaction.followup.send(embed=reply_embed(Reply(str(exc))), ephemeral=True)
            return
        await self._post_review(member, answer, summary)
        await interaction.followup.send(embed=reply_embed(Reply("Review posted in the question's thread.")), ephemeral=True)

    async def _post_review(self, member: Member, answer: AnswerRef, summary: AnswerReviews) -> None:
        posted = await self.app.reviews.posted_review(member, answer, summary)
        if posted is None or posted[0].thread is None:
            return
        prompt, reply, answer_message_id = posted
        assert prompt.thread is not None
        thread = await self.port.resolve(prompt.thread.thread_id)
        view = discord.ui.View(timeout=None)
        view.add_item(HelpfulButton(answer.id, member.user_id))
        target = thread.get_partial_message(int(answer_message_id))
        await target.reply(embed=reply_embed(reply), view=view, mention_author=False)

    async def mark_helpful(self, interaction: discord.Interaction, ref: str, reviewer: str) -> None:
        """The author's helpful mark."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        answer = AnswerRef.parse(ref)
        assert answer is not None
        member = Member(self._workspace_of(interaction, answer.prompt_id), str(interaction.user.id))
        try:
            message = await self.app.reviews.mark_helpful(member, answer, reviewer)
        except StoreUnavailable as exc:
            message = str(exc)
        await interaction.followup.send(embed=reply_embed(Reply(message)), ephemeral=True)

    async def show_feedback(self, interaction: discord.Interaction, prompt_id: str, owner_id: str) -> None:
        """The "Show my feedback" button: the answer's feedback, to its author only."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        if str(interaction.user.id) != owner_id:
            await interaction.followup.send("This feedback belongs to someone else.", ephemeral=True)
            return
        member = Member(workspace_id(interaction.guild_id or 0), owner_id)
        try:
            feedback = await self.coach.current_feedback(member, prompt_id)
        except StoreUnavailable as exc:
            await interaction.followup.send(str(exc), ephemeral=True)
            return
        if feedback is None:
            await interaction.followup.send("No answer of yours was found for that question.", ephemeral=True)
            return
        embed = feedback_embed(feedback, streak=None, points=0, points_total=0, note="Your feedback")
        await interaction.followup.send(embed=embed, ephemeral=True)

    # answers --------------------------------------------------------------------------------------

    async def on_message(self, message: discord.Message) -> None:
        """A member's message in a question's thread is an answer (or adds to theirs); in a DM with the bot,
        or in their private mock thread, it is a mock interview answer."""
        if message.author.bot:
            return
        if isinstance(message.channel, discord.DMChannel):
            await self.handle_mock_answer(message, venue=None)
            return
        channel = message.channel
        if isinstance(channel, discord.Thread) and channel.type is discord.ChannelType.private_thread:
            await self.handle_mock_answer(message, venue=str(channel.id))
            return
        command = answer_from_message(message)
        if command is not None:
            await self.handle_answer(command, message)

    async def handle_mock_answer(self, message: discord.Message, *, venue: str | None) -> None:
        """The interviewer's next turn where the answer was given; others' messages in a mock thread are ignored."""
        member = Member(workspace_id(message.guild.id) if message.guild else "discord:dm", str(message.author.id),
                        message.author.display_name)
        try:
            if venue is not None and await self.app.mocks.session_venue(member) != venue:
                return
            if not await self.coach.store.claim_event("discord:users", f"dm:{message.id}"):
                return
            turn = await self.app.mocks.answer(member, message.content, venue=venue)
            text = turn.text
        except StoreUnavailable as exc:
            text = f"{exc} Your answer was not saved; send it again in a minute."
        await send_text(message.channel, text)

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
            await self.handle_answer(command, None)

    async def handle_answer(self, command: SubmitAnswer, message: discord.Message | None) -> None:
        """Record, react, and deliver feedback as the channel wants it."""

        async def deliver(outcome: AnswerOutcome, public: bool) -> None:
            await self._deliver(command, outcome, message, public=public)

        async def tell(text: str) -> None:
            await self._tell(command, Reply(text))

        await self.coach.answer_in_thread(command, deliver, tell)

    async def _deliver(
        self, command: SubmitAnswer, outcome: AnswerOutcome, message: discord.Message | None, *, public: bool
    ) -> None:
        assert outcome.feedback is not None and command.thread is not None
        embed = feedback_embed(
            outcome.feedback, streak=outcome.streak, points=outcome.points,
            points_total=outcome.points_total, note=outcome.message,
        )
        thread = await self.port.resolve(command.thread.thread_id)
        if outcome.revision == 1:
            reaction = asyncio.create_task(self._react(thread, command.message_id))
            self._background.add(reaction)
            reaction.add_done_callback(self._background.discard)
        if public:
            target = message or thread.get_partial_message(int(command.message_id))
            await target.reply(embed=embed, mention_author=False)
            return
        if await self._dm(command.member, embed, message.author if message is not None else None):
            return
        prompt = outcome.prompt
        assert prompt is not None
        view = discord.ui.View(timeout=None)
        view.add_item(ShowFeedbackButton(prompt.channel_id, prompt.local_date.isoformat(), command.member.user_id))
        await thread.send(
            f"{safe(command.member.label)}, your feedback is ready, but your DMs are closed. Use the button to see it.",
            view=view,
        )

    async def _react(self, thread: Any, message_id: str) -> None:
        try:
            await thread.get_partial_message(int(message_id)).add_reaction(ANSWER_REACTION)
        except discord.HTTPException as exc:
            log.warning("reaction failed: %s", exc)

    async def _dm(
        self, member: Member, embed: discord.Embed, user: discord.User | discord.Member | None = None
    ) -> bool:
        try:
            target = user or self.get_user(int(member.user_id)) or await self.fetch_user(int(member.user_id))
            await target.send(embed=embed)
        except (discord.Forbidden, discord.NotFound):
            return False
        return True

    async def _tell(self, command: SubmitAnswer, reply: Reply) -> None:
        """A private note to the member: DM, or a mention-free line in the thread when DMs are closed."""
        if await self._dm(command.member, reply_embed(reply)):
            return
        if command.thread is None:
            return
        try:
            thread = await self.port.resolve(command.thread.thread_id)
            await thread.send(f"{safe(command.member.label)}: {reply.text}")
        except discord.HTTPException as exc:
            log.warning("could not tell %s: %s", command.member.user_id, exc)


def command_group(bot: DebriefBot) -> app_commands.Group:
    """`/debrief` and its subcommands; `setup` options mirror Slack's key=value words."""
    group = app_commands.Group(name="debrief", description="Interview practice: daily questions, feedback, streaks")

    @group.command(name="help", description="What debrief can do")
    async def help_(interaction: discord.Interaction) -> None:
        await bot.run_command(interaction, "help", [])

    @group.command(name="today", description="Today's question in this channel, privately")
    async def today(interaction: discord.Interaction) -> None:
        await bot.run_command(interaction, "today", [])

    @group.command(name="streak", description="Your streak and freezes")
    async def streak(interaction: discord.Interaction) -> None:
        await bot.run_command(interaction, "streak", [])

    @group.command(name="leaderboard", description="The top 10 in this server")
    @app_commands.describe(board="points, streak or longest")
    async def leaderboard(interaction: discord.Interaction, board: str = "points") -> None:
        await bot.run_command(interaction, "leaderboard", [board])

    @group.command(name="setup", description="Admins: show or change this channel's settings")
    @app_commands.describe(
        time="Post time, HH:MM (24-hour)", tz="Timezone, Area/City", days="mon,tue,... or daily or weekdays",
        tracks="Categories, comma-separated, or all", difficulty="1, 2, 3 or a range like 1-3",
        feedback="private or public", window="Answer window, e.g. 24h", reminders="Streak-at-risk reminders",
        digest="Weekly digest", review="Peer review assignments", reviewers="named or anonymous",
    )
    async def setup(
        interaction: discord.Interaction,
        time: str | None = None,
        tz: str | None = None,
        days: str | None = None,
        tracks: str | None = None,
        difficulty: str | None = None,
        feedback: str | None = None,
        window: str | None = None,
        reminders: bool | None = None,
        digest: bool | None = None,
        review: bool | None = None,
        reviewers: str | None = None,
    ) -> None:
        given: dict[str, Any] = {"time": time, "tz": tz, "days": days, "tracks": tracks, "difficulty": difficulty,
                                 "feedback": feedback, "window": window, "reminders": reminders, "digest": digest,
                                 "review": review, "reviewers": reviewers}
        words = [f"{k}={_option_word(v)}" for k, v in given.items() if v is not None]
        await bot.run_command(interaction, "setup", words)

    @group.command(name="mock", description="A private mock interview: a round, or the whole loop")
    @app_commands.describe(
        round="recruiter, behavioral, technical, xfn, leadership, metrics, system_design or loop; "
              "or skip, repeat, stop, resume, abandon",
        then="with abandon: the round to start instead",
    )
    async def mock(interaction: discord.Interaction, round: str = "behavioral", then: str | None = None) -> None:
        await bot.run_command(interaction, "mock", [round, *([then] if then else [])])

    @group.command(name="review", description="Review a peer's answer on the same rubric")
    async def review(interaction: discord.Interaction) -> None:
        await bot.show_review_task(interaction, None)

    @group.command(name="post", description="Admins: post today's question here now")
    async def post(interaction: discord.Interaction) -> None:
        await bot.run_command(interaction, "post", [])

    @group.command(name="skip", description="Admins: skip today's question here")
    async def skip(interaction: discord.Interaction) -> None:
        await bot.run_command(interaction, "skip", [])

    return group


def _option_word(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return "".join(str(value).split())  # a typed option is one word, whatever spaces were typed


def build_discord_bot(app: App, *, guild_ready_timeout: float = 2.0) -> DebriefBot:
    """The bot for these settings; with DISCORD_API_BASE, REST (and then the gateway URL) come from there."""
    settings = app.settings
    if settings.discord_api_base:
        discord.http.Route.BASE = settings.discord_api_base.rstrip("/")
    return DebriefBot(
        app,
        gateway_from_api=bool(settings.discord_api_base),
        guild_ids=settings.discord_guild_ids,
        guild_ready_timeout=guild_ready_timeout,
    )


class DiscordRunner:
    """Discord for the process runner: log in (which checks the token), then hold the gateway connection."""

    name = "discord"

    def __init__(self, bot: DebriefBot, token: str) -> None:
        self.bot = bot
        self.port = bot.port
        self._token = token
        self._connection: asyncio.Task[None] | None = None

    async def check(self) -> None:
        """Log in over REST: a rejected token is final, a network failure is worth retrying."""
        try:
            await self.bot.login(self._token)
        except discord.LoginFailure:
            raise CredentialsRejected("DISCORD_TOKEN", "Discord rejected the token (401 Unauthorized)") from None
        except discord.HTTPException as exc:
            if exc.status in (401, 403):
                raise CredentialsRejected("DISCORD_TOKEN", f"Discord refused the bot ({exc.status})") from None
            raise PlatformUnreachable("Discord", f"HTTP {exc.status}") from None
        except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as exc:
            raise PlatformUnreachable("Discord", exc) from None

    async def start(self) -> None:
        """Connect to the gateway in the background (discord.py reconnects with its own backoff)."""
        self._connection = asyncio.create_task(self._connect())

    async def _connect(self) -> None:
        try:
            await self.bot.connect(reconnect=True)
        except discord.PrivilegedIntentsRequired:
            raise CredentialsRejected(
                "DISCORD_TOKEN", "the bot needs the Message Content intent: turn it on under Bot in the Developer Portal"
            ) from None

    async def wait(self) -> None:
        """Return (or raise) when the gateway connection ends for good."""
        if self._connection is not None:
            await self._connection

    async def connected(self) -> bool:
        """Whether the gateway session is up."""
        return self.bot.is_ready() and not self.bot.is_closed() and self.bot.ws is not None and self.bot.ws.open

    async def stop(self) -> None:
        """Close the gateway and the HTTP session."""
        await self.bot.close()
        if self._connection is not None and not self._connection.done():
            self._connection.cancel()
            await asyncio.gather(self._connection, return_exceptions=True)
