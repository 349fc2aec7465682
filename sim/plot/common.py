"""Shared pieces of the figures: colours and the axes helper (matplotlib imported lazily)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["FAMILY_COLOURS", "MODE_COLOURS", "new_axes"]

#: One colour per mode, shared by every figure (colour-blind-safe Okabe–Ito palette).
MODE_COLOURS = {"rail": "#D55E00", "road": "#009E73", "sea": "#0072B2", "river": "#56B4E9"}
#: One colour per service family.
FAMILY_COLOURS = {
    "rail_sea": "#D55E00",
    "intl_rail": "#CC79A7",
    "road": "#009E73",
    "sea": "#0072B2",
    "river": "#56B4E9",
}


def new_axes(ax: Axes | None, figsize: tuple[float, float]) -> Axes:
    """``ax`` itself, or the axes of a new figure of ``figsize`` inches (constrained layout)."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax
