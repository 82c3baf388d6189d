"""Scheduler replicas against one Redis, driven by a moved clock, posting into a recording platform."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from redis.asyncio import Redis

from bot.app.bootstrap import build_core
from bot.app.settings import Settings
from bot.chat_port import ChatPort, FileToSend
from bot.identities import Channel, Member, MessageRef, ThreadRef
from bot.replies import Reply
from bot.scoring.engine import FeedbackEngine
from content.loader import Bank
from scheduler.channel_jobs import ChannelJobs
from tests.shipped import shipped_engine


@dataclass
class RecordingPlatform:
    """An in-process chat platform that records what was posted; can fail or stall on demand."""

    fail_next: int = 0
    delay_seconds: float = 0.0
    posts: list[tuple[Channel, str]] = field(default_factory=list)
    thread_replies: list[tuple[ThreadRef, Reply]] = field(default_factory=list)
    images: list[tuple[Channel, Reply, bytes]] = field(default_factory=list)
    private: list[tuple[Member, Reply]] = field(default_factory=list)
    files: list[tuple[Member, Reply, tuple[FileToSend, ...]]] = field(default_factory=list)
    dms_closed: bool = False

    async def post(self, channel: Channel, reply: Reply) -> MessageRef:
        if self.delay_seconds:
            await asyncio.sleep(self.delay_seconds)
        if self.fail_next:
            self.fail_next -= 1
            raise ConnectionError("platform unavailable")
        self.posts.append((channel, reply.summary))
        return MessageRef(channel, f"m{len(self.posts)}")

    async def open_thread(self, message: MessageRef, title: str) -> ThreadRef:
        return ThreadRef(message.channel, message.message_id)

    async def reply_in_thread(self, thread: ThreadRef, reply: Reply) -> MessageRef:
        self.thread_replies.append((thread, reply))
        return MessageRef(thread.channel, f"r{len(self.thread_replies)}")

    async def send_private(self, member: Member, reply: Reply, *, thread: ThreadRef | None = None) -> bool:
        self.private.append((member, reply))
        return True

    async def send_private_files(self, member: Member, reply: Reply, files: Sequence[FileToSend]) -> bool:
        if self.dms_closed:
            return False
        self.files.append((member, reply, tuple(files)))
        return True

    async def open_private_thread(self, channel: Channel, member: Member, reply: Reply) -> ThreadRef | None:
        return None

    async def post_image(self, channel: Channel, reply: Reply, image: bytes, filename: str) -> MessageRef:
        self.images.append((channel, reply, image))
        return MessageRef(channel, f"i{len(self.images)}")

    def posts_per_channel(self) -> Counter[str]:
        return Counter(channel.channel_id for channel, _ in self.posts)


def replica(
    redis: Redis, bank: Bank, engine: FeedbackEngine, ports: Mapping[str, ChatPort], **options: object
) -> ChannelJobs:
    """One process's scheduler over its own core (the real clock, which the tests move)."""
    core = build_core(Settings.model_construct(), bank, redis, engine=shipped_engine())
    return ChannelJobs(core.scheduled, ports, scheduler=AsyncIOScheduler(timezone="UTC"), **options)  # type: ignore[arg-type]


async def tick(replicas: list[ChannelJobs]) -> None:
    """Let every replica's scheduler look at the (moved) clock and finish what it started."""
    for r in replicas:
        r.scheduler.wakeup()
    for r in replicas:
        await r.idle()


def local_days(start: date, count: int) -> list[date]:
    return [start + timedelta(days=i) for i in range(count)]
