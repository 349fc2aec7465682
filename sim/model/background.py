"""A facility's other traffic: arrival times and service draws for a whole run, drawn at once.

The other traffic (``background_per_day``) is Poisson at the facility's daily rate times the
month's seasonal factor (rescaled so the year's mean day has factor 1), by thinning a Poisson
stream at the peak rate. Each modelled arrival stands for ``background_batch`` vehicles and
holds a server for that many service times. Its draws come from the facility's own
``background:<id>`` stream, so the corridor's own draws are the same with or without it.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

import numpy as np

from sim.scenario.operating_rules import BACKGROUND_VEHICLE
from sim.scenario.schema import Disruption, Facility, Horizon

__all__ = ["BackgroundTraffic", "month_starts_h", "poisson_times"]

_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def month_starts_h(horizon: Horizon) -> tuple[list[float], list[int]]:
    """The hours at which each calendar month of the horizon starts, and its index (0 = Jan)."""
    starts, months, day = [0.0], [horizon.start.month - 1], horizon.start
    while True:
        day = (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
        t = horizon.hours(day)
        if t >= horizon.length_h:
            return starts, months
        starts.append(t)
        months.append(day.month - 1)


def poisson_times(
    rng: np.random.Generator, rate_h: float, length_h: float, chunk: int
) -> np.ndarray:
    """The arrival times before ``length_h`` of a Poisson stream at ``rate_h`` an hour.

    Exponential gaps are drawn ``chunk`` at a time until they pass the end, so the stream is
    never cut short; a first chunk that reaches the end is all that is drawn.
    """
    gaps: list[np.ndarray] = []
    reach = 0.0
    while reach < length_h:
        more = rng.standard_exponential(chunk) / rate_h
        gaps.append(more)
        reach += float(more.sum())
    times = np.cumsum(np.concatenate(gaps))
    return times[times < length_h]


@dataclass(frozen=True)
class BackgroundTraffic:
    """Every modelled arrival of a facility's other traffic in a run, in time order.

    ``work_h`` is the time an arrival holds a server when nothing slows the facility (its
    clearance and inspection, or handling, times ``background_batch``); ``inspected`` is 0/1.
    """

    arrive_h: np.ndarray
    work_h: np.ndarray
    inspected: np.ndarray

    @classmethod
    def none(cls) -> BackgroundTraffic:
        """No other traffic."""
        return cls(np.empty(0), np.empty(0), np.empty(0, dtype=np.int64))

    @classmethod
    def draw(
        cls, spec: Facility, horizon: Horizon, rng: np.random.Generator, clears: bool
    ) -> BackgroundTraffic:
        """Draw the arrivals of ``spec``'s other traffic over ``horizon`` from ``rng``."""
        raw = spec.background_seasonality
        mean = sum(f * d for f, d in zip(raw, _MONTH_DAYS, strict=True)) / sum(_MONTH_DAYS)
        season = np.asarray(raw, dtype=float) / mean
        peak = float(season.max())
        rate_h = spec.background_per_day / 24.0 / spec.background_batch * peak
        if rate_h <= 0:
            return cls.none()
        length = horizon.length_h
        times = poisson_times(rng, rate_h, length, int(rate_h * length * 1.05) + 64)
        starts, months = month_starts_h(horizon)
        month = np.asarray(months)[np.searchsorted(starts, times, side="right") - 1]
        kept = times[rng.random(len(times)) * peak < season[month]]
        n = len(kept)
        if not clears:
            work = np.full(n, spec.handling_for(BACKGROUND_VEHICLE[spec.kind]))
            inspected = np.zeros(n, dtype=np.int64)
        else:
            work = _positive(rng, spec.clearance_h, spec.clearance_cv, spec.clearance_dist, n)
            inspected = (rng.random(n) < spec.inspection_share).astype(np.int64)
            if spec.inspection_share > 0:
                extra = _positive(rng, spec.inspection_h, spec.clearance_cv, spec.clearance_dist, n)
                work = work + np.where(inspected == 1, extra, 0.0)
        return cls(kept, work * spec.background_batch, inspected)

    def held_back(
        self, disruptions: list[Disruption], rng: np.random.Generator
    ) -> BackgroundTraffic:
        """The traffic once those who know of each window hold back, and some come after it.

        Windows are taken in time order, and each arrival in a window with ``held_share > 0``
        (not one already returning from an earlier window) is held with that probability; a held
        arrival comes again, with probability ``returned_share``, at a uniform time in the
        ``return_days`` after the window ends (at its end if 0), else not at all. With no such
        window the traffic and ``rng`` are untouched, so runs without the rule are unchanged.
        """
        arrive, work, inspected = self.arrive_h, self.work_h, self.inspected
        moved = np.zeros(len(arrive), dtype=bool)  # a returning vehicle is not held again
        for d in sorted(disruptions, key=lambda d: (d.start_h, d.end_h, d.id)):
            if d.held_share <= 0:
                continue
            due = (arrive >= d.start_h) & (arrive < d.end_h) & ~moved
            held = due & (rng.random(len(arrive)) < d.held_share)
            back = held & (rng.random(len(arrive)) < d.returned_share)
            later = d.end_h + 24.0 * d.return_days * rng.random(len(arrive))
            arrive, moved = np.where(back, later, arrive), moved | back
            keep = ~held | back
            order = np.argsort(arrive[keep], kind="stable")
            arrive, work, inspected, moved = (
                x[keep][order] for x in (arrive, work, inspected, moved)
            )
        return BackgroundTraffic(arrive, work, inspected)


def _positive(rng: np.random.Generator, mean: float, cv: float, dist: str, n: int) -> np.ndarray:
    """``n`` positive durations with this mean and cv (the law of :meth:`Stream.positive`)."""
    if mean <= 0:
        return np.zeros(n)
    if dist == "exponential":
        return mean * rng.standard_exponential(n)
    if dist == "deterministic" or cv <= 0:
        return np.full(n, float(mean))
    sigma2 = math.log1p(cv * cv)
    return mean * np.exp(math.sqrt(sigma2) * rng.standard_normal(n) - 0.5 * sigma2)
