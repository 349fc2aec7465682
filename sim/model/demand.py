"""Arrival schedules of consignments: a non-homogeneous Poisson process per flow (numpy only).

The rate is constant within each calendar month and follows the flow's 12 monthly factors,
rescaled so that their mean over a year (weighted by days in the month) is 1; the expected TEU per
year is the flow's ``teu_per_year``. Times are drawn by inverting the cumulative rate: standard
exponential gaps in "expected arrivals", mapped back to hours, a chunk at a time.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator

import numpy as np

from sim.scenario.schema import Flow, Horizon

__all__ = ["arrival_times", "booked_times", "monthly_rate_breaks"]

_HOURS_PER_YEAR = 8760.0


def monthly_rate_breaks(flow: Flow, horizon: Horizon) -> tuple[np.ndarray, np.ndarray]:
    """Month boundaries in hours and the cumulative expected number of consignments at each.

    Returns
    -------
    (hours, cumulative) : tuple of arrays
        ``hours[0] == 0`` and ``hours[-1] == horizon.length_h``; ``cumulative`` is the integral of
        the arrival rate (consignments) from the start to each boundary.

    Examples
    --------
    >>> import datetime as dt
    >>> from sim.scenario.schema import Flow, Horizon
    >>> flow = Flow("f", "a", "b", "southbound", 8760.0, ("s",), "road")
    >>> hours, cum = monthly_rate_breaks(flow, Horizon(dt.date(2019, 1, 1), dt.date(2020, 1, 1)))
    >>> round(float(cum[-1]), 6)
    8760.0
    """
    factors = np.asarray(flow.seasonality, dtype=float)
    days_in_month = np.array([calendar.monthrange(2019, m)[1] for m in range(1, 13)], dtype=float)
    factors = factors / (factors @ days_in_month / days_in_month.sum())
    per_hour = flow.teu_per_year / flow.mean_size_teu / _HOURS_PER_YEAR
    bounds = [horizon.start]
    while bounds[-1] < horizon.end:
        d = bounds[-1]
        nxt = dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)
        bounds.append(min(nxt, horizon.end))
    hours = np.array([horizon.hours(d) for d in bounds])
    rates = np.array([per_hour * factors[d.month - 1] for d in bounds[:-1]])
    cumulative = np.concatenate([[0.0], np.cumsum(rates * np.diff(hours))])
    return hours, cumulative


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
