"""Random disruptions (a typhoon season): drawn once per replication from their own stream."""

from __future__ import annotations

import calendar
import datetime as dt

from sim.model.streams import Streams
from sim.scenario.schema import Disruption, RandomDisruption, Scenario

__all__ = ["draw_random_disruptions", "season_windows"]


def season_windows(rd: RandomDisruption, scenario: Scenario) -> list[tuple[float, float]]:
    """The stretches of the horizon (hours) that fall in the disruption's months."""
    horizon, out = scenario.horizon, []
    day = horizon.start.replace(day=1)
    while day < horizon.end:
        nxt = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
        if day.month in rd.months:
            start, end = max(day, horizon.start), min(nxt, horizon.end)
            if start < end:
                out.append((horizon.hours(start), horizon.hours(end)))
        day = nxt
    return out


def draw_random_disruptions(scenario: Scenario, streams: Streams) -> list[Disruption]:
    """Every random disruption's events for this replication, as ordinary disruption windows.

    The number of events is Poisson with mean ``events_per_year`` scaled by the share of a year's
    season that the horizon covers; each starts uniformly within the season and lasts a uniform
    ``days_min`` to ``days_max`` days.
    """
    out = []
    for rd in scenario.random_disruptions:
        rng = streams[f"disruptions:{rd.id}"].rng
        windows = season_windows(rd, scenario)
        season_h = sum(b - a for a, b in windows)
        year_h = 24.0 * sum(calendar.monthrange(2019, m)[1] for m in set(rd.months))
        for k in range(int(rng.poisson(rd.events_per_year * season_h / year_h))):
            at = float(rng.uniform(0.0, season_h))
            for a, b in windows:
                if at < b - a:
                    start = a + at
                    break
                at -= b - a
            days = float(rng.uniform(rd.days_min, rd.days_max))
            out.append(
                Disruption(
                    f"{rd.id}_{k + 1}", rd.target, start, start + 24.0 * days, rd.effect, rd.factor
                )
            )
    return out
