"""Shared pieces of the figures: colours and the axes helper (matplotlib imported lazily)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sim.results.routes import FAMILY_LABELS

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["FAMILY_COLOURS", "FAMILY_LABELS", "MODE_COLOURS", "month_ticks", "new_axes"]

#: One colour per mode, shared by every figure (colour-blind-safe Okabe–Ito palette).
MODE_COLOURS = {"rail": "#D55E00", "road": "#009E73", "sea": "#0072B2", "river": "#56B4E9"}
#: One colour per service family.
FAMILY_COLOURS = {
    "rail_sea": "#D55E00",
    "intl_rail": "#CC79A7",
    "road": "#009E73",
    "sea": "#0072B2",
    "river": "#56B4E9",
    "china_europe": "#E69F00",
}


def month_ticks(ax: Axes, horizon: Any) -> None:
    """Ticks at the first of each month on an x axis in days from the horizon's start."""
    from sim.model.background import month_starts_h

    starts, months = month_starts_h(horizon)
    names = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    labels = []
    for t, m in zip(starts, months, strict=True):
        year = (horizon.start + dt.timedelta(hours=t)).year
        labels.append(f"{names[m]}\n{year}" if m == 0 or t == 0 else names[m])
    ax.set_xticks([t / 24.0 for t in starts], labels)
    ax.set_xlim(0, horizon.length_h / 24.0)


def new_axes(ax: Axes | None, figsize: tuple[float, float]) -> Axes:
    """``ax`` itself, or the axes of a new figure of ``figsize`` inches (constrained layout)."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax
