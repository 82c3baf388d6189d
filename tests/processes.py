"""Stopping `debrief run` child processes the way an operator would."""

from __future__ import annotations

import asyncio
import signal


async def terminate(process: asyncio.subprocess.Process, timeout: float = 20) -> tuple[int, str]:
    """SIGTERM (kill if it hangs); return the exit status and everything it printed."""
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
    try:
        status = await asyncio.wait_for(process.wait(), timeout)
    finally:
        if process.returncode is None:
            process.kill()
    output = (await process.stdout.read()).decode() if process.stdout else ""
    return status, output
