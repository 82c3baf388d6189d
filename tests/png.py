"""Reading what a PNG says about itself, for tests that check charts."""

from __future__ import annotations

import struct

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) from the IHDR chunk; AssertionError when `data` is not a PNG."""
    assert data[:8] == PNG_SIGNATURE, "not a PNG"
    assert data[12:16] == b"IHDR", "no IHDR chunk first"
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def assert_sensible_chart(data: bytes) -> None:
    """A PNG a chat client shows well: 600-2400 px each way and under 1 MB."""
    width, height = png_size(data)
    assert 600 <= width <= 2400 and 600 <= height <= 2400, (width, height)
    assert len(data) < 1_000_000, len(data)
