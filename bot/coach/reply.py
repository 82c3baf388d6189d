"""What members see of model feedback beyond the feedback itself, and how it follows the engine's."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace

from bot.replies import Kind, Reply, text

log = logging.getLogger(__name__)


def model_notice(model_name: str) -> str:
    """The one-time note to a member on where their answers go when the workspace chose model feedback."""
    return (
        f"New here: your admins turned on model feedback, so your answer, the question and its rubric (nothing "
        f"else: no names, no other answers) go to {model_name} on the server they chose. The rules engine checks "
        "every quote and keeps its caps. An admin can switch back with setup coach=rules."
    )


def with_model_notice(reply: Reply, model_name: str) -> Reply:
    """The reply with the one-time model notice at its top."""
    return replace(reply, body=(text(model_notice(model_name), kind=Kind.NOTE), *reply.body))


async def follow_with_model(
    refine: Callable[[], Awaitable[Reply | None]],
    edit: Callable[[Reply], Awaitable[bool]] | None,
    send: Callable[[Reply], Awaitable[bool]],
) -> bool:
    """Put the model's feedback in place of the engine's once it is ready: as an edit of the message sent (when
    the platform can edit it), else as a second private message; whether anything was sent. Never raises: the
    member keeps the engine's feedback whatever fails."""
    try:
        reply = await refine()
        if reply is None:
            return False
        if edit is not None and await edit(reply):
            return True
        return await send(reply)
    except Exception:
        log.exception("sending the model's feedback failed")
        return False
