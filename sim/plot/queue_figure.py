"""The queue at a border post or lock over time: each period's most and mean, closures shaded."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from sim.plot.common import month_ticks, new_axes
from sim.results.routes import place_name

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from sim.results import RunResult

__all__ = ["DAILY_UP_TO_DAYS", "border_queue", "queue_by_period"]

#: Horizons (or windows) up to this many days are drawn day by day; longer ones week by week,
#: so that a year's band is smooth enough to read.
DAILY_UP_TO_DAYS = 92


def queue_by_period(
    times_h: np.ndarray, counts: np.ndarray, edges_h: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each period's most vehicles at once and time-average, from the steps of a queue's log.

    ``times_h`` are the times the count changed to ``counts`` (sorted); ``edges_h`` the periods'
    bounds (hours). A count holds until the next change; before the first, the queue is empty.

    >>> most, mean = queue_by_period(np.array([0.0, 12.0]), np.array([4, 0]), np.array([0, 24.0]))
    >>> float(most[0]), float(mean[0])
    (4.0, 2.0)
    """
    n = len(edges_h) - 1
    peak, mean = np.zeros(n), np.zeros(n)
    if not len(times_h):
        return peak, mean
    period = np.clip(np.searchsorted(edges_h, times_h, side="right") - 1, 0, n - 1)
    np.maximum.at(peak, period, counts)
    ends = np.append(times_h[1:], max(edges_h[-1], times_h[-1]))
    for k in range(n):  # the step function's integral over each period
        lo, hi = edges_h[k], edges_h[k + 1]
        widths = np.clip(ends, lo, hi) - np.clip(times_h, lo, hi)
        mean[k] = float((counts * widths).sum() / (hi - lo))
    start = np.searchsorted(times_h, edges_h[:-1], side="right") - 1
    carried = np.where(start >= 0, counts[np.maximum(start, 0)], 0)  # waiting as it begins
    return np.maximum(peak, carried), mean


def border_queue(
    results: RunResult | Sequence[RunResult],
    post: str,
    ax: Axes | None = None,
    period_days: int | None = None,
) -> Axes:
    """Vehicles waiting at a border post or lock, period by period, closures shaded.

    Every vehicle waiting, the facility's other traffic with the corridor's: each period's most
    at once (steps) and its time-average (line), and the corridor's own most at once on the
    right axis. The period is ``period_days`` days: by default a day for horizons up to
    :data:`DAILY_UP_TO_DAYS` days, else a week. With several replications, their means, the most
    at once with a band from the 10th to the 90th percentile of them.
    """
    from sim.results.disruption_kpis import waiting_steps

    runs = list(results) if isinstance(results, Sequence) else [results]
    sc = runs[0].scenario
    ax = new_axes(ax, (9, 4))
    days = math.ceil(sc.horizon.length_h / 24.0)
    step = period_days or (1 if days <= DAILY_UP_TO_DAYS else 7)
    starts = np.arange(0, days, step)
    if len(starts) > 1 and days - starts[-1] < step / 2:  # a short last period joins the one before
        starts = starts[:-1]
    edges = np.append(starts, days).astype(float)  # days from the horizon's start
    fac = sc.facilities.get(post)
    batch = fac.background_batch if fac is not None else 1
    peaks, means, own_peaks = [], [], []
    for res in runs:
        t, every, own = waiting_steps(res.tables, post, batch)
        peak, mean = queue_by_period(t, every, edges * 24.0)
        peaks.append(peak)
        means.append(mean)
        own_peaks.append(queue_by_period(t, own, edges * 24.0)[0])
    period = "day" if step == 1 else "week" if step == 7 else f"{step} days"
    by = f"{period} by {period}" if step in (1, 7) else f"per {period}"

    def steps(values: np.ndarray) -> np.ndarray:  # a period's value held to its end
        return np.append(values, values[-1])

    ax.step(edges, steps(np.mean(peaks, axis=0)), where="post", color="#0072B2", lw=1.0)
    ax.lines[-1].set_label(f"most at once in the {period}")
    if len(runs) > 1:
        low, high = np.percentile(peaks, [10, 90], axis=0)
        ax.fill_between(
            edges, steps(low), steps(high), step="post", color="#0072B2", alpha=0.2, lw=0
        )
    middles = (edges[:-1] + edges[1:]) / 2
    mean_label = f"mean over the {period}"
    ax.plot(middles, np.mean(means, axis=0), color="#E69F00", lw=1.2, label=mean_label)
    right = ax.twinx()
    right.step(edges, steps(np.mean(own_peaks, axis=0)), where="post", color="#009E73", lw=0.9)
    right.lines[-1].set_linestyle(":")
    right.set_ylabel("the corridor's, most at once (dotted)", color="#009E73", fontsize=9)
    right.set_ylim(bottom=0)
    right.tick_params(axis="y", colors="#009E73", labelsize=8)
    ax.plot([], [], color="#009E73", lw=0.9, ls=":", label="the corridor's (right axis)")
    _shade_closures(ax, runs[0], post)
    month_ticks(ax, sc.horizon)
    ax.set_ylabel("vehicles waiting, all traffic")
    band = f"; band: P10-P90 of {len(runs)} replications" if len(runs) > 1 else ""
    ax.set_title(
        f"{sc.name}: vehicles waiting at {place_name(sc.network, post)}, {by}{band}",
        fontsize=10,
    )
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=4, frameon=False)
    ax.grid(True, lw=0.3, alpha=0.6)
    return ax


def _shade_closures(ax: Axes, res: RunResult, post: str) -> None:
    """Shade the windows the run closed ``post`` in red, with a legend entry."""
    d = res.tables.get("disruptions", {})
    closed = False
    for start, end, target, effect in zip(
        d.get("start_h", []),
        d.get("end_h", []),
        d.get("target", []),
        d.get("effect", []),
        strict=True,
    ):
        if target == post and effect == "close":
            ax.axvspan(start / 24.0, end / 24.0, color="#CC0033", alpha=0.15, lw=0)
            closed = True
    if closed:
        ax.plot([], [], color="#CC0033", alpha=0.3, lw=8, label="closed")
