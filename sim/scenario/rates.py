"""A flow's expected arrivals over a horizon: its monthly rate, integrated.

Shared by the model's arrival draws (:mod:`sim.model.demand`) and the scenario's size check
(:mod:`sim.scenario.limits`), which refuses a run too big for memory before it starts.
"""

from __future__ import annotations

import calendar
import datetime as dt

import numpy as np

from sim.scenario.schema import Flow, Horizon

__all__ = ["monthly_rate_breaks"]

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
