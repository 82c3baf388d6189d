"""Persistent buttons: stable custom ids, no timeout, registered at start-up so they survive restarts."""

from __future__ import annotations

import re
from typing import Any

import discord

from bot.forget_me import FORGET_BUTTON, button_confirmation, forget_button
from bot.replies import Reply
from bot.strong_answer import strong_answer_button
from handlers.discord.actions import ButtonActions, actions_of

MAX_BUTTONS = 5


def reply_view(reply: Reply) -> discord.ui.View | None:
    """Buttons of a neutral reply; their custom ids are routed by the persistent views below."""
    if not reply.buttons:
        return None
    view = discord.ui.View(timeout=None)
    for button in reply.buttons[:MAX_BUTTONS]:
        style = discord.ButtonStyle.primary if button.primary else discord.ButtonStyle.secondary
        view.add_item(discord.ui.Button(label=button.label[:80], custom_id=button.action_id[:100], style=style))
    return view


class TodayView(discord.ui.View):
    """The daily post's "Show today's question privately" and "Review an answer" buttons."""

    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Show today's question privately", custom_id="today", style=discord.ButtonStyle.secondary)
    async def today(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        """Answer with the channel's question, ephemerally."""
        await actions_of(interaction).show_today(interaction)

    @discord.ui.button(label="Review an answer", custom_id="review", style=discord.ButtonStyle.secondary)
    async def review(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        """The next answer this member should review."""
        await actions_of(interaction).show_review_task(interaction, None)


class ShowFeedbackButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"feedback:(?P<channel>\d+):(?P<date>[0-9-]+):(?P<user>\d+)",
):
    """ "Show my feedback", for members whose DMs are closed; only the answer's author can open it."""

    def __init__(self, channel_id: str, local_date: str, user_id: str) -> None:
        self.channel_id, self.local_date, self.user_id = channel_id, local_date, user_id
        super().__init__(
            discord.ui.Button(
                label="Show my feedback",
                style=discord.ButtonStyle.primary,
                custom_id=f"feedback:{channel_id}:{local_date}:{user_id}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ShowFeedbackButton:
        """Rebuild the button from its custom id (after a restart too)."""
        return cls(match["channel"], match["date"], match["user"])

    async def callback(self, interaction: discord.Interaction) -> None:
        """Show the stored answer's feedback to its author only."""
        await actions_of(interaction).show_feedback(interaction, f"{self.channel_id}:{self.local_date}", self.user_id)


class ReviewButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"review:(?P<ref>[^|]+\|\d+)"):
    """ "Review answer N" from a review assignment: shows that answer with a button to the form."""

    def __init__(self, ref: str) -> None:
        self.ref = ref
        super().__init__(discord.ui.Button(label="Review this answer", custom_id=f"review:{ref}"))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ReviewButton:
        """Rebuild from the custom id."""
        return cls(match["ref"])

    async def callback(self, interaction: discord.Interaction) -> None:
        """Show the answer and the way to the form."""
        await actions_of(interaction).show_review_task(interaction, self.ref)


class ReviewFormButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"review-form:(?P<ref>[^|]+\|\d+)\|(?P<question>[a-z_]+-\d{3})",
):
    """ "Write your review": opens the form at once (a modal must be the interaction's first answer)."""

    def __init__(self, ref: str, question_id: str) -> None:
        self.ref, self.question_id = ref, question_id
        super().__init__(
            discord.ui.Button(
                label="Write your review",
                style=discord.ButtonStyle.primary,
                custom_id=f"review-form:{ref}|{question_id}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ReviewFormButton:
        """Rebuild from the custom id."""
        return cls(match["ref"], match["question"])

    async def callback(self, interaction: discord.Interaction) -> None:
        """Open the review form for this answer."""
        await interaction.response.send_modal(ReviewModal(actions_of(interaction), self.ref, self.question_id))


class ReviewModal(discord.ui.Modal, title="Review an answer"):
    """Scores 1-5 for each criterion, in order, and a comment of at least 20 characters."""

    def __init__(self, actions: ButtonActions, ref: str, question_id: str) -> None:
        super().__init__(timeout=900)
        self.actions, self.ref = actions, ref
        criteria = actions.review_criteria(question_id)
        self.criterion_ids = [cid for cid, _ in criteria]
        names = ", ".join(name for _, name in criteria)
        self.scores: discord.ui.TextInput[ReviewModal] = discord.ui.TextInput(
            label="Scores 1-5 in order, e.g. 4 3 5 2 4", placeholder=names[:100], max_length=40
        )
        self.comment: discord.ui.TextInput[ReviewModal] = discord.ui.TextInput(
            label="Why? (at least 20 characters)", style=discord.TextStyle.paragraph, max_length=2000
        )
        self.add_item(self.scores)
        self.add_item(self.comment)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Hand the review to the bot, which validates, saves and posts it."""
        values = re.findall(r"\S+", self.scores.value.replace(",", " "))
        scores = {
            cid: (values[i] if i < len(values) and len(values) == len(self.criterion_ids) else "")
            for i, cid in enumerate(self.criterion_ids)
        }
        await self.actions.submit_review(interaction, self.ref, scores, self.comment.value, given=len(values))


class HelpfulButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"helpful:(?P<ref>[^|]+\|\d+)\|(?P<reviewer>\d+)"
):
    """The author's "Helpful" mark on a review."""

    def __init__(self, ref: str, reviewer: str) -> None:
        self.ref, self.reviewer = ref, reviewer
        super().__init__(discord.ui.Button(label="Helpful", custom_id=f"helpful:{ref}|{reviewer}"))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> HelpfulButton:
        """Rebuild from the custom id."""
        return cls(match["ref"], match["reviewer"])

    async def callback(self, interaction: discord.Interaction) -> None:
        """Mark the review helpful (only the author can)."""
        await actions_of(interaction).mark_helpful(interaction, f"helpful:{self.ref}|{self.reviewer}")


class StrongAnswerButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"strong:(?P<prompt>.*)"):
    """ "See a strong answer" under feedback; any prompt id is handed on, so a stale or forged one gets a reply."""

    def __init__(self, prompt_id: str) -> None:
        self.prompt_id = prompt_id
        button = strong_answer_button(prompt_id)
        super().__init__(discord.ui.Button(label=button.label, custom_id=button.action_id[:100]))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> StrongAnswerButton:
        """Rebuild from the custom id."""
        return cls(match["prompt"])

    async def callback(self, interaction: discord.Interaction) -> None:
        """Show the strong answer and the clicker's weakest criterion, privately."""
        await actions_of(interaction).show_strong_answer(interaction, self.prompt_id)


class ForgetMeButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"forget-me:(?P<nonce>[0-9a-f]{1,64})"):
    """ "Delete everything" under a forget-me request: confirms it, for the member who asked only."""

    def __init__(self, nonce: str) -> None:
        self.nonce = nonce
        button = forget_button(nonce)
        super().__init__(
            discord.ui.Button(label=button.label, style=discord.ButtonStyle.danger, custom_id=button.action_id)
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ForgetMeButton:
        """Rebuild from the custom id."""
        return cls(match["nonce"])

    async def callback(self, interaction: discord.Interaction) -> None:
        """Confirm the deletion this button belongs to (the core checks who clicked)."""
        words = button_confirmation(f"{FORGET_BUTTON}{self.nonce}") or ()
        await actions_of(interaction).run_command(interaction, "forget-me", list(words))
