"""Line input and output for the terminal, without blocking the event loop."""

from __future__ import annotations

import asyncio
import sys
from typing import Protocol, TextIO


class Terminal(Protocol):
    """Where practice mode reads lines and writes text."""

    async def read_line(self) -> str | None:
        """The next line without its newline, or None at end of input."""
        ...

    def write(self, text: str) -> None:
        """Print text."""
        ...


class StdioTerminal:
    """The process's standard input and output; reads happen in a worker thread."""

    def __init__(self, stdin: TextIO | None = None, stdout: TextIO | None = None) -> None:
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout

    async def read_line(self) -> str | None:
        """Read one line off the event loop."""
        line = await asyncio.to_thread(self.stdin.readline)
        return None if line == "" else line.rstrip("\n")

    def write(self, text: str) -> None:
        """Write and flush."""
        self.stdout.write(text)
        self.stdout.flush()
