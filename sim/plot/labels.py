"""Labels beside their points, overlapping neither each other nor the markers: placed when drawn.

:func:`place_when_drawn` adds an artist to an Axes that, each time the figure is drawn (after
the layout engine has sized the axes, so the places hold whatever the figure's size), moves each
label to the first place around its point where its box overlaps no label already placed, no
marker, no legend and no inset, and stays inside the axes. The near places are tried first, all
around the point; further out, the label gets a thin leader line to its point. The most crowded
points are labelled first. matplotlib is imported inside the functions, as in the rest of
:mod:`sim.plot`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.text import Annotation
    from matplotlib.transforms import Bbox

__all__ = ["Marker", "label", "place_when_drawn"]

#: A marker labels must keep off: (x, y) in data coordinates and its radius in points.
Marker = tuple[float, float, float]

#: Directions tried around a point, right first (x, y); and how much further out each ring is.
_DIRECTIONS = ((1, 0), (1, 1), (1, -1), (-1, 0), (-1, 1), (-1, -1), (0, 1), (0, -1))
_RINGS_PT = (0.0, 8.0, 18.0, 30.0, 45.0, 62.0)
_GAP_PT = 1.5  # between a marker's edge and its label


def label(
    ax: Axes, x: float, y: float, text: str, radius_pt: float, fontsize: float, **kwargs: Any
) -> Annotation:
    """An annotation of the point (x, y) whose place :func:`place_when_drawn` chooses.

    ``radius_pt`` is the radius of the point's marker (the label starts beyond it); ``kwargs``
    go to :meth:`~matplotlib.axes.Axes.annotate` (a colour, a gid).
    """
    ann = ax.annotate(
        text,
        (x, y),
        xytext=(radius_pt + _GAP_PT, 0.0),
        textcoords="offset points",
        ha="left",
        va="center",
        fontsize=fontsize,
        zorder=4,
        annotation_clip=True,
        bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8},
        arrowprops={
            "arrowstyle": "-",
            "color": "#555555",
            "lw": 0.5,
            "shrinkA": 0.0,
            "shrinkB": radius_pt,
        },
        **kwargs,
    )
    ann.set_in_layout(False)  # the layout engine sizes the axes; the labels fit inside them
    if ann.arrow_patch is not None:
        ann.arrow_patch.set_visible(False)
    ann._sim_radius_pt = radius_pt  # type: ignore[attr-defined]
    return ann


def place_when_drawn(ax: Axes, labels: Sequence[Annotation], markers: Sequence[Marker]) -> None:
    """Have ``labels`` (from :func:`label`) placed each time the figure of ``ax`` is drawn.

    ``markers`` are every marker on ``ax`` the labels must keep off, their own included; the
    axes' legends and insets are kept off too.
    """
    from matplotlib.artist import Artist

    class _Placer(Artist):
        """Draws nothing: moves the labels before they are drawn (the lowest zorder)."""

        def draw(self, renderer: Any) -> None:
            place(ax, labels, markers, renderer)

    placer = _Placer()
    placer.set_zorder(-100.0)
    placer.set_in_layout(False)
    ax.add_artist(placer)


def _obstacles(ax: Axes, renderer: Any) -> list[Bbox]:
    """The window boxes of the axes' legends and insets (their titles and ticks included)."""
    from matplotlib.legend import Legend

    legends = [a for a in ax.artists if isinstance(a, Legend)]
    own = ax.get_legend()
    boxes = [legend.get_window_extent(renderer) for legend in [*legends, own] if legend]
    insets = [sub.get_tightbbox(renderer) for sub in ax.child_axes]
    return boxes + [box for box in insets if box is not None]


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    """The area two boxes (x0, y0, x1, y1) share."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


def _on_circle(box: tuple[float, ...], cx: float, cy: float, r: float) -> float:
    """How far a circle of radius ``r`` reaches into a box (0: apart), times ``r``."""
    dx = max(box[0] - cx, 0.0, cx - box[2])
    dy = max(box[1] - cy, 0.0, cy - box[3])
    return max(r - math.hypot(dx, dy), 0.0) * r


def place(ax: Axes, labels: Sequence[Annotation], markers: Sequence[Marker], renderer: Any) -> None:
    """Move each label of ``ax`` to its best place for the figure as ``renderer`` draws it."""
    from matplotlib.text import Text

    px = renderer.points_to_pixels(1.0)
    frame = ax.get_window_extent(renderer)
    inside = (frame.x0, frame.y0, frame.x1, frame.y1)
    avoid = [(b.x0, b.y0, b.x1, b.y1) for b in _obstacles(ax, renderer)]
    to_px = ax.transData.transform
    dots = [(*to_px((x, y)), r * px) for x, y, r in markers]
    points = [to_px(ann.xy) for ann in labels]
    crowd = [sum(math.hypot(p[0] - d[0], p[1] - d[1]) < 40 * px for d in dots) for p in points]
    placed: list[tuple[float, ...]] = []
    for i in sorted(range(len(labels)), key=lambda i: -crowd[i]):
        ann, (x, y) = labels[i], points[i]
        ann.set_visible(
            inside[0] <= x <= inside[2] and inside[1] <= y <= inside[3] and bool(ann.get_text())
        )
        if not ann.get_visible():
            continue
        text = Text.get_window_extent(ann, renderer)
        pad = 0.15 * ann.get_fontproperties().get_size_in_points() * px + 1.0
        w, h = text.width + 2 * pad, text.height + 2 * pad
        gap = (getattr(ann, "_sim_radius_pt", 3.0) + _GAP_PT) * px
        best: tuple[float, float, tuple[float, ...], tuple[int, int]] | None = None
        for ring in _RINGS_PT:
            for ux, uy in _DIRECTIONS:
                reach = gap + ring * px
                k = math.sqrt(0.5) if ux and uy else 1.0
                dx, dy = ux * reach * k, uy * reach * k
                x0 = x + dx - (0.0 if ux > 0 else w if ux < 0 else w / 2)
                y0 = y + dy - (0.0 if uy > 0 else h if uy < 0 else h / 2)
                box = (x0, y0, x0 + w, y0 + h)
                cost = sum(_overlap(box, other) for other in placed + avoid)
                cost += sum(_on_circle(box, *d) for d in dots)
                cost += 10 * (w * h - _overlap(box, inside))
                cost += 0.01 * ring  # nearer is better when everything overlaps
                if best is None or cost < best[0]:
                    best = (cost, ring, box, (ux, uy))
            if best is not None and best[0] < 0.01 * ring + 1e-9:
                break
        assert best is not None
        _, ring, _, (ux, uy) = best
        placed.append(best[2])
        reach = gap + ring * px
        k = math.sqrt(0.5) if ux and uy else 1.0
        # the text's anchor is inside its box by the pad, on the side facing the point
        ann.xyann = ((ux * reach * k + ux * pad) / px, (uy * reach * k + uy * pad) / px)
        ann.set_horizontalalignment("left" if ux > 0 else "right" if ux < 0 else "center")
        ann.set_verticalalignment("bottom" if uy > 0 else "top" if uy < 0 else "center")
        if ann.arrow_patch is not None:
            ann.arrow_patch.set_visible(ring > 0)
