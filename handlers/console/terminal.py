"""Line input and output for the terminal, without blocking the event loop or delaying Ctrl-C."""

from __future__ import annotations

import asyncio
import codecs
import os
import sys
import threading
from typing import Protocol, TextIO


class Interrupted(Exception):
    """The person pressed Ctrl-C while (or before) being asked to type."""


class Terminal(Protocol):
    """Where practice mode reads lines and writes text."""

    async def read_line(self) -> str | None:
        """The next line without its newline, or None at end of input; Interrupted after Ctrl-C."""
        ...

    def write(self, text: str) -> None:
        """Print text."""
        ...


class StdioTerminal:
    """The process's standard input and output.

    Input is read with os.read in a daemon thread: a thread of the default executor would keep the
    process alive (after Ctrl-C) until Enter, and a daemon thread inside sys.stdin's buffered reader
    could hold its lock while the interpreter shuts down.
    """

    def __init__(self, stdin_fd: int | None = None, stdout: TextIO | None = None) -> None:
        self.fd = sys.stdin.fileno() if stdin_fd is None else stdin_fd
        self.stdout = stdout or sys.stdout
        self._lines: asyncio.Queue[str | None] | None = None
        self._interrupted = False

    def interrupt(self) -> None:
        """Ctrl-C: the pending (or next) read raises Interrupted (call on the event loop)."""
        self._interrupted = True
        self._start().put_nowait(None)

    def _start(self) -> asyncio.Queue[str | None]:
        if self._lines is None:
            self._lines = asyncio.Queue()
            loop = asyncio.get_running_loop()
            threading.Thread(target=self._pump, args=(loop, self._lines), daemon=True, name="stdin").start()
        return self._lines

    def _pump(self, loop: asyncio.AbstractEventLoop, lines: asyncio.Queue[str | None]) -> None:
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        pending = ""
        while True:
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                chunk = b""
            pending += decoder.decode(chunk, final=not chunk)
            *complete, pending = pending.split("\n")
            for line in complete:
                loop.call_soon_threadsafe(lines.put_nowait, line.rstrip("\r"))
            if not chunk:
                if pending:
                    loop.call_soon_threadsafe(lines.put_nowait, pending)
                loop.call_soon_threadsafe(lines.put_nowait, None)
                return

    async def read_line(self) -> str | None:
        """The next line typed (or piped), without blocking the loop."""
        lines = self._start()
        line = await lines.get()
        if self._interrupted:
            raise Interrupted
        if line is None:
            lines.put_nowait(None)  # end of input stays the end
        return line

    def write(self, text: str) -> None:
        """Write and flush."""
        self.stdout.write(text)
        self.stdout.flush()
