"""Saving figures from the command line: atomically, format from the file name."""

from __future__ import annotations

import io
from typing import Any

from sim.errors import SimError
from sim.fileio import write_bytes_atomic

__all__ = ["save_figure"]


#: The figure formats a file name may ask for.
FIGURE_FORMATS = ("png", "svg", "pdf", "jpg", "jpeg", "eps", "tif", "tiff")


def save_figure(ax: Any, path: str, dpi: int = 150) -> None:
    """Save the figure of ``ax`` to ``path`` (PNG, SVG or PDF by extension) and close it."""
    import matplotlib.pyplot as plt

    fmt = path.rsplit(".", 1)[-1].lower() if "." in path else "png"
    if fmt not in FIGURE_FORMATS:
        plt.close(ax.figure)
        raise SimError(f"{path}: a figure file must end in .{', .'.join(FIGURE_FORMATS)}")
    buffer = io.BytesIO()
    ax.figure.savefig(buffer, format=fmt, dpi=dpi)
    plt.close(ax.figure)
    write_bytes_atomic(path, buffer.getvalue())
