"""Arrival schedules of consignments: a non-homogeneous Poisson process per flow (numpy only).

The rate is constant within each calendar month and follows the flow's 12 monthly factors,
rescaled so that their mean over a year (weighted by days in the month) is 1; the expected TEU per
year is the flow's ``teu_per_year``. Times are drawn by inverting the cumulative rate: standard
exponential gaps in "expected arrivals", mapped back to hours, a chunk at a time.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from sim.scenario.rates import monthly_rate_breaks
from sim.scenario.schema import Flow, Horizon

__all__ = ["arrival_times", "booked_times"]


def arrival_times(
    flow: Flow, horizon: Horizon, rng: np.random.Generator, chunk: int = 4096
) -> Iterator[np.ndarray]:
    """Yield increasing arrival times (hours) of the flow's consignments, a chunk at a time.

    Parameters
    ----------
    flow : Flow
        The demand flow.
    horizon : Horizon
        The simulated period; no arrival falls at or after its end.
    rng : numpy.random.Generator
        The flow's own arrival stream (not drawn from for ``regular`` arrivals).
    chunk : int
        How many gaps to draw at once.
    """
    hours, cumulative = monthly_rate_breaks(flow, horizon)
    total = cumulative[-1]
    if total <= 0:
        return
    level = 0.0
    while True:
        if flow.arrivals == "regular":
            levels = level + np.arange(chunk) + (0.5 if level == 0.0 else 1.0)
        else:
            levels = level + np.cumsum(rng.standard_exponential(chunk))
        inside = levels[levels < total]
        if len(inside):
            yield np.interp(inside, cumulative, hours)
        if len(inside) < chunk:
            return
        level = levels[-1]


def booked_times(times: np.ndarray, cutoffs_h: np.ndarray, booking_h: float) -> np.ndarray:
    """Arrivals handed in for a timetable: each moved into the booking window of its departure.

    The arrivals between two cut-offs (``cutoffs_h``, increasing) are spread, in their order,
    over the last ``booking_h`` hours before the second: a shipper who knows the timetable holds
    the box until shortly before the train. An arrival after the last cut-off, or between
    cut-offs closer than ``booking_h``, keeps its time. Times only move later and stay sorted.

    Examples
    --------
    >>> booked_times(np.array([1.0, 50.0, 100.0, 200.0]), np.array([100.0, 200.0]), 10.0)
    array([ 90.1,  95. , 100. , 200. ])
    """
    out = times.astype(float)
    if len(cutoffs_h) == 0:
        return out
    k = np.searchsorted(cutoffs_h, times, side="left")
    has = k < len(cutoffs_h)
    end = cutoffs_h[np.minimum(k, len(cutoffs_h) - 1)]
    start = np.where(k > 0, cutoffs_h[np.maximum(k - 1, 0)], 0.0)
    span = end - start
    moved = has & (span > booking_h)
    out[moved] = end[moved] - booking_h * (end[moved] - times[moved]) / span[moved]
    return out
