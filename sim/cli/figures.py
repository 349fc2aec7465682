"""Saving figures from the command line: atomically, format from the file name."""

from __future__ import annotations

import io
from typing import Any

from sim.fileio import write_bytes_atomic

__all__ = ["save_figure"]


def save_figure(ax: Any, path: str, dpi: int = 150) -> None:
    """Save the figure of ``ax`` to ``path`` (PNG, SVG or PDF by extension) and close it."""
    import matplotlib.pyplot as plt

    fmt = path.rsplit(".", 1)[-1].lower() if "." in path else "png"
    buffer = io.BytesIO()
    ax.figure.savefig(buffer, format=fmt, dpi=dpi)
    plt.close(ax.figure)
    write_bytes_atomic(path, buffer.getvalue())
