"""PNG charts drawn with matplotlib's object API on the Agg canvas: no pyplot, so no global figure state and
safe in a worker thread. Drawing is CPU work: call these through `asyncio.to_thread`."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

DPI = 100


def render_png(width: float, height: float, draw: Callable[[Figure], None]) -> bytes:
    """A `width` x `height` inch figure (100 dpi) drawn by `draw`, as PNG bytes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=DPI)
    FigureCanvasAgg(figure)
    draw(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
