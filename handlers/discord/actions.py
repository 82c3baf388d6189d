"""What the persistent buttons and the review form ask of the bot; views depend on this, not on the bot."""

from __future__ import annotations

from typing import Protocol

import discord


class ButtonActions(Protocol):
    """The bot's answers to buttons and forms (implemented by DebriefBot)."""

    async def show_today(self, interaction: discord.Interaction) -> None:
        """Today's question in the channel, ephemerally."""
        ...

    async def show_review_task(self, interaction: discord.Interaction, answer_id: str | None) -> None:
        """The answer to review (a given one, or the next), with the button to the form."""
        ...

    async def show_feedback(self, interaction: discord.Interaction, prompt_id: str, owner_id: str) -> None:
        """The stored answer's feedback, to its author only."""
        ...

    async def mark_helpful(self, interaction: discord.Interaction, action_id: str) -> None:
        """The author's helpful mark on a review."""
        ...

    async def show_strong_answer(self, interaction: discord.Interaction, prompt_id: str) -> None:
        """A strong answer to the prompt's question and the clicker's weakest criterion, ephemerally."""
        ...

    async def submit_review(
        self, interaction: discord.Interaction, answer_id: str, scores: dict[str, str], comment: str, *, given: int
    ) -> None:
        """Validate, save and post a review from the form."""
        ...

    def review_criteria(self, question_id: str) -> list[tuple[str, str]]:
        """The ids and names of the criteria a question's answers are reviewed on."""
        ...

    async def run_command(
        self, interaction: discord.Interaction, name: str, args: list[str], users: list[str] | None = None
    ) -> None:
        """Run a /debrief subcommand with its words (a button that stands for a command)."""
        ...


class CommandActions(Protocol):
    """What the slash commands ask of the bot (implemented by DebriefBot)."""

    async def run_command(
        self, interaction: discord.Interaction, name: str, args: list[str], users: list[str] | None = None
    ) -> None:
        """Run a /debrief subcommand with its words and the members it names (by id)."""
        ...

    async def show_review_task(self, interaction: discord.Interaction, answer_id: str | None) -> None:
        """The answer to review next, with the button to the form."""
        ...


def actions_of(interaction: discord.Interaction) -> ButtonActions:
    """The bot behind an interaction, as the actions it offers."""
    client: ButtonActions = interaction.client  # type: ignore[assignment]
    return client
