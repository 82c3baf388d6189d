"""Errors the core raises for adapters to turn into clear replies."""

from __future__ import annotations


class StoreUnavailable(RuntimeError):
    """Redis could not be reached or failed; nothing was written."""

    def __init__(self, action: str = "do that") -> None:
        self.action = action
        super().__init__(
            f"Could not {action}: the database is not reachable right now. Nothing was changed; please try again."
        )


class NotAllowed(PermissionError):
    """The member may not do this (admin-only command, someone else's session)."""
