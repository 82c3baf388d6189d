"""Smoke test: a real discord.py 2.7.1 commands.Bot logs into the fake Discord and uses its REST API and gateway."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import discord
import pytest
import yarl
from discord import app_commands
from discord.ext import commands
from discord.gateway import DiscordWebSocket
from discord.http import Route

from tests.handlers.discord.fake_discord import EPHEMERAL, FakeDiscord

F = FakeDiscord
TOKEN = "fake-bot-token"


class AnswerModal(discord.ui.Modal, title="Your answer"):
    """Registered with bot.add_view (persistent: timeout=None, fixed custom_ids) so a submit routes to it."""

    answer: discord.ui.TextInput = discord.ui.TextInput(label="Answer", custom_id="answer")
    notes: discord.ui.TextInput = discord.ui.TextInput(label="Notes", custom_id="notes", required=False)

    def __init__(self, bot: SmokeBot, custom_id: str) -> None:
        super().__init__(timeout=None, custom_id=custom_id)
        self.bot = bot

    async def on_submit(self, interaction: discord.Interaction) -> None:
        self.bot.seen.put_nowait(("modal", interaction, {"answer": self.answer.value, "notes": self.notes.value}))
        await interaction.response.send_message(f"got {self.answer.value}", ephemeral=True)


class ShowView(discord.ui.View):
    def __init__(self, bot: SmokeBot) -> None:
        super().__init__(timeout=None)
        self.bot = bot

    @discord.ui.button(label="Show", custom_id="show:1")
    async def show(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        response = await interaction.response.send_message("shown", ephemeral=True)
        self.bot.seen.put_nowait(("show", interaction, response))

    @discord.ui.button(label="Answer", custom_id="ask:1")
    async def ask(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.send_modal(AnswerModal(self.bot, custom_id="answer-modal:sent"))


def build_group(bot: SmokeBot) -> app_commands.Group:
    group = app_commands.Group(name="debrief", description="Debrief practice")

    @group.command(name="ping", description="Liveness")
    async def ping(interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True)
        await interaction.followup.send("pong", ephemeral=True)
        bot.seen.put_nowait(("ping", interaction, None))

    @group.command(name="start", description="Start a mock")
    async def start(interaction: discord.Interaction, topic: str, rounds: int, strict: bool = False) -> None:
        args = {
            "topic": topic,
            "rounds": rounds,
            "strict": strict,
            "admin": interaction.permissions.manage_guild,
        }
        bot.seen.put_nowait(("start", interaction, args))
        await interaction.response.send_message(f"{topic}/{rounds}/{strict}")

    return group


class SmokeBot(commands.Bot):
    def __init__(self) -> None:
        intents = discord.Intents.none()
        intents.guilds = True
        intents.guild_messages = True
        intents.message_content = True
        intents.dm_messages = True
        # guild_ready_timeout: discord.py waits this long after the last GUILD_CREATE before on_ready (default 2s).
        super().__init__(command_prefix="!", intents=intents, guild_ready_timeout=0.05)
        self.seen: asyncio.Queue[tuple[str, Any, Any]] = asyncio.Queue()
        self.ready = asyncio.Event()

    async def setup_hook(self) -> None:
        _shards, url, _limit = await self.http.get_bot_gateway()
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)
        self.tree.add_command(build_group(self), guild=discord.Object(F.GUILD_ID))
        self.add_view(ShowView(self))
        self.add_view(AnswerModal(self, custom_id="answer-modal:persistent"))
        self.add_view(AnswerModal(self, custom_id="answer-modal:labels"))

    async def on_ready(self) -> None:
        self.ready.set()

    async def on_message(self, message: discord.Message) -> None:
        self.seen.put_nowait(("message", message, None))

    async def on_message_edit(self, before: discord.Message, after: discord.Message) -> None:
        self.seen.put_nowait(("edit", after, before))

    async def next_seen(self, kind: str, timeout: float = 5.0) -> tuple[Any, Any]:
        while True:
            got_kind, obj, extra = await asyncio.wait_for(self.seen.get(), timeout)
            if got_kind == kind:
                return obj, extra


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord(token=TOKEN)
    await server.start()
    old_base, old_gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    Route.BASE = server.api_base
    try:
        yield server
    finally:
        Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = old_base, old_gateway
        await server.stop()


@pytest.fixture
async def bot(fake: FakeDiscord) -> AsyncIterator[SmokeBot]:
    client = SmokeBot()
    await client.login(TOKEN)
    runner = asyncio.create_task(client.connect(reconnect=False))
    try:
        await fake.wait_ready()
        await asyncio.wait_for(client.ready.wait(), 5)
        yield client
    finally:
        await client.close()
        await asyncio.wait_for(runner, 5)


async def test_login_gateway_and_guild_cache(fake: FakeDiscord, bot: SmokeBot) -> None:
    assert fake.identify is not None
    assert fake.identify["token"] == TOKEN
    assert fake.identify["intents"] == bot.intents.value
    assert fake.of("GET", r"/users/@me") and fake.of("GET", r"/gateway/bot")
    assert bot.user is not None and bot.user.id == F.BOT_ID
    assert bot.application_id == F.APP_ID

    guild = bot.get_guild(F.GUILD_ID)
    assert guild is not None and not guild.unavailable
    text = guild.get_channel(F.TEXT_CHANNEL_ID)
    forum = guild.get_channel(F.FORUM_CHANNEL_ID)
    assert isinstance(text, discord.TextChannel)
    assert isinstance(forum, discord.ForumChannel)
    assert [t.name for t in forum.available_tags] == ["mock", "real"]
    assert guild.me.id == F.BOT_ID
    assert guild.member_count == 4
    # Without the members intent discord.py caches only the bot from GUILD_CREATE; fetch the others.
    admin = await guild.fetch_member(F.ADMIN_ID)
    member = await guild.fetch_member(F.MEMBER_ID)
    assert admin.guild_permissions.manage_guild
    assert not member.guild_permissions.manage_guild


async def test_tree_sync(fake: FakeDiscord, bot: SmokeBot) -> None:
    synced = await bot.tree.sync(guild=discord.Object(F.GUILD_ID))
    assert [c.name for c in synced] == ["debrief"]
    assert {o.name for o in synced[0].options} == {"ping", "start"}
    (call,) = fake.of("PUT", rf"/applications/{F.APP_ID}/guilds/{F.GUILD_ID}/commands")
    assert call.json[0]["name"] == "debrief"


async def test_messages_threads_and_forum(fake: FakeDiscord, bot: SmokeBot) -> None:
    await fake.dispatch("MESSAGE_CREATE", fake.message_create(F.TEXT_CHANNEL_ID, F.MEMBER_ID, "hello bot"))
    message, _ = await bot.next_seen("message")
    assert message.content == "hello bot"
    assert message.author.id == F.MEMBER_ID
    assert isinstance(message.author, discord.Member)

    sent = await message.channel.send("x", allowed_mentions=discord.AllowedMentions.none())
    (call,) = fake.of("POST", rf"/channels/{F.TEXT_CHANNEL_ID}/messages")
    assert call.json["content"] == "x"
    assert call.json["allowed_mentions"] == {"parse": []}
    assert sent.author.id == F.BOT_ID and sent.content == "x"

    reply = await message.reply("a reply", file=discord.File(__file__, filename="notes.txt"))
    reply_call = fake.of("POST", rf"/channels/{F.TEXT_CHANNEL_ID}/messages")[-1]
    assert reply_call.files == ["notes.txt"]
    assert reply_call.json["message_reference"]["message_id"] == message.id
    assert reply.reference is not None and reply.reference.message_id == message.id
    assert reply.attachments[0].filename == "notes.txt"

    thread = await message.create_thread(name="Debrief: hello")
    assert thread.id == message.id and thread.parent_id == F.TEXT_CHANNEL_ID
    assert thread.type is discord.ChannelType.public_thread
    await thread.send("in thread")
    assert fake.of("POST", rf"/channels/{message.id}/messages")

    forum = bot.get_channel(F.FORUM_CHANNEL_ID)
    assert isinstance(forum, discord.ForumChannel)
    post = await forum.create_thread(name="Mock #1", content="starter", applied_tags=[forum.available_tags[0]])
    assert post.thread.parent_id == F.FORUM_CHANNEL_ID
    assert post.message.id == post.thread.id and post.message.content == "starter"
    (forum_call,) = fake.of("POST", rf"/channels/{F.FORUM_CHANNEL_ID}/threads")
    assert forum_call.json["name"] == "Mock #1" and forum_call.json["message"]["content"] == "starter"

    await sent.add_reaction("✅")
    assert fake.of("PUT", rf"/channels/{F.TEXT_CHANNEL_ID}/messages/{sent.id}/reactions/✅/@me")
    edited = await sent.edit(content="x2")
    assert edited.content == "x2" and edited.edited_at is not None

    await fake.dispatch("MESSAGE_UPDATE", fake.message_update(F.TEXT_CHANNEL_ID, message.id, "hello again"))
    after, before = await bot.next_seen("edit")
    assert (before.content, after.content) == ("hello bot", "hello again")


async def test_direct_messages(fake: FakeDiscord, bot: SmokeBot) -> None:
    fake.closed_dms.add(str(F.OTHER_ID))
    member = await bot.fetch_user(F.MEMBER_ID)
    await member.send("hi there")
    dm_id = fake.dm_channel_id(F.MEMBER_ID)
    (call,) = fake.of("POST", rf"/channels/{dm_id}/messages")
    assert call.json["content"] == "hi there"

    other = await bot.fetch_user(F.OTHER_ID)
    with pytest.raises(discord.Forbidden) as excinfo:
        await other.send("hi")
    assert excinfo.value.code == 50007
    assert fake.of("POST", r"/users/@me/channels", status=200)

    await fake.dispatch("MESSAGE_CREATE", fake.message_create(dm_id, F.MEMBER_ID, "dm to bot"))
    message, _ = await bot.next_seen("message")
    assert message.guild is None and isinstance(message.channel, discord.DMChannel)
    assert message.content == "dm to bot"


async def test_slash_command_defer_and_followup(fake: FakeDiscord, bot: SmokeBot) -> None:
    await bot.tree.sync(guild=discord.Object(F.GUILD_ID))
    built = await fake.dispatch_interaction(fake.command_interaction(F.MEMBER_ID, "ping", {}))
    interaction, _ = await bot.next_seen("ping")
    assert interaction.id == built.id and interaction.user.id == F.MEMBER_ID

    (callback,) = fake.of("POST", built.callback_path)
    assert callback.json == {"type": 5, "data": {"flags": EPHEMERAL}}
    assert callback.query == {"with_response": "1"}
    (followup,) = fake.of("POST", built.followup_path)
    assert followup.json["content"] == "pong"
    assert followup.json["flags"] & EPHEMERAL
    assert followup.query["wait"] == "1"
    # The first followup after a thinking defer replaces the deferred message (same id as @original).
    original = await interaction.original_response()
    assert original.content == "pong" and original.flags.ephemeral
    edited = await interaction.edit_original_response(content="pong!")
    assert edited.content == "pong!" and edited.id == original.id
    assert len(fake.of("PATCH", built.original_path)) == 1


async def test_slash_command_typed_options_and_permissions(fake: FakeDiscord, bot: SmokeBot) -> None:
    options = {"topic": "metrics", "rounds": 3, "strict": True}
    admin_call = await fake.dispatch_interaction(fake.command_interaction(F.ADMIN_ID, "start", options))
    interaction, args = await bot.next_seen("start")
    assert args == {"topic": "metrics", "rounds": 3, "strict": True, "admin": True}
    (callback,) = await fake.wait_for("POST", admin_call.callback_path)
    assert callback.json["type"] == 4 and callback.json["data"]["content"] == "metrics/3/True"
    original = await interaction.original_response()
    assert original.content == "metrics/3/True"

    await fake.dispatch_interaction(fake.command_interaction(F.MEMBER_ID, "start", {"topic": "sql", "rounds": 1}))
    _, args = await bot.next_seen("start")
    assert args == {"topic": "sql", "rounds": 1, "strict": False, "admin": False}


async def test_persistent_view_button(fake: FakeDiscord, bot: SmokeBot) -> None:
    channel = bot.get_channel(F.TEXT_CHANNEL_ID)
    assert isinstance(channel, discord.TextChannel)
    await channel.send("a card", view=ShowView(bot))
    built = await fake.dispatch_interaction(fake.component_interaction(F.MEMBER_ID, "show:1"))
    interaction, response = await bot.next_seen("show")
    assert interaction.data["custom_id"] == "show:1"
    # The callback is sent with ?with_response=1; discord.py parses the InteractionCallbackResponse body.
    assert isinstance(response, discord.InteractionCallbackResponse)
    assert isinstance(response.resource, discord.InteractionMessage)
    assert response.resource.content == "shown" and response.resource.flags.ephemeral
    assert response.message_id == response.resource.id and response.is_ephemeral()
    assert interaction.message is not None and interaction.message.content == "a card"
    (callback,) = await fake.wait_for("POST", built.callback_path)
    assert callback.json == {"type": 4, "data": {"tts": False, "content": "shown", "flags": EPHEMERAL}}


async def test_modal_submit_routes_to_registered_modal(fake: FakeDiscord, bot: SmokeBot) -> None:
    # discord.py routes a modal submit by the modal's custom_id to any Modal in its view store: one sent
    # with response.send_modal, or a persistent one registered with bot.add_view (timeout=None, fixed
    # custom_ids). A submit for an unknown custom_id is dropped silently (debug log only).
    built = await fake.dispatch_interaction(
        fake.modal_submit_interaction(F.MEMBER_ID, "answer-modal:persistent", {"answer": "42", "notes": "n"})
    )
    interaction, values = await bot.next_seen("modal")
    assert values == {"answer": "42", "notes": "n"}
    assert interaction.type is discord.InteractionType.modal_submit
    (callback,) = await fake.wait_for("POST", built.callback_path)
    assert callback.json["type"] == 4 and callback.json["data"]["content"] == "got 42"

    # Same, with the text inputs inside Label components (type 18), as newer clients submit them.
    labelled = fake.modal_submit_interaction(F.OTHER_ID, "answer-modal:labels", {"answer": "7"}, labels=True)
    await fake.dispatch_interaction(labelled)
    _, values = await bot.next_seen("modal")
    assert values == {"answer": "7", "notes": ""}


async def test_modal_sent_by_button_then_submitted(fake: FakeDiscord, bot: SmokeBot) -> None:
    click = await fake.dispatch_interaction(fake.component_interaction(F.MEMBER_ID, "ask:1"))
    (callback,) = await fake.wait_for("POST", click.callback_path)
    assert callback.json["type"] == 9
    modal = callback.json["data"]
    assert modal["custom_id"] == "answer-modal:sent" and modal["title"] == "Your answer"

    # Fields may be named by label or custom_id; the submit reuses the modal's layout and origin message.
    submit = fake.modal_submit_from(F.MEMBER_ID, callback, {"Answer": "yes"})
    assert submit.payload["message"]["id"] == click.payload["message"]["id"]
    await fake.dispatch_interaction(submit)
    interaction, values = await bot.next_seen("modal")
    assert values == {"answer": "yes", "notes": ""}
    assert interaction.message is not None
    await fake.wait_for("POST", submit.callback_path)


async def test_rate_limit_once_is_retried(fake: FakeDiscord, bot: SmokeBot) -> None:
    fake.rate_limit_once.add(("POST", rf"/channels/{F.TEXT_CHANNEL_ID}/messages"))
    channel = bot.get_channel(F.TEXT_CHANNEL_ID)
    assert isinstance(channel, discord.TextChannel)
    await channel.send("after a 429")
    statuses = [c.status for c in fake.of("POST", rf"/channels/{F.TEXT_CHANNEL_ID}/messages")]
    assert statuses == [429, 200]
