"""How big a run would be, checked before it starts: consignments, other traffic, departures.

Memory grows with each; a scenario that would make more than
:data:`~sim.scenario.input_bounds.MAX_CONSIGNMENTS` of any is refused with what to change.
"""

from __future__ import annotations

from collections.abc import Mapping

from sim.scenario.checker import Checker
from sim.scenario.input_bounds import MAX_CONSIGNMENTS
from sim.scenario.schema import Facility, Flow, Horizon, Service

__all__ = ["check_size", "peak_factor"]


def check_size(
    check: Checker,
    horizon: Horizon,
    flows: Mapping[str, Flow],
    facilities: Mapping[str, Facility],
    services: Mapping[str, Service],
) -> None:
    """Refuse, before it starts, a run too big for memory.

    A run may make at most :data:`~sim.scenario.input_bounds.MAX_CONSIGNMENTS` consignments,
    and as many arrivals of the facilities' other traffic and as many timetable slots (memory
    grows with each).
    """
    from sim.scenario.rates import monthly_rate_breaks  # (it imports the scenario types)

    made = sum(float(monthly_rate_breaks(f, horizon)[1][-1]) for f in flows.values())
    if made > MAX_CONSIGNMENTS:
        rule = (
            f"about {made:,.0f} consignments in the horizon, more than a run may make "
            f"({MAX_CONSIGNMENTS:,}): lower demand.scale, the flows' teu_per_year or the "
            "horizon, or raise size_teu"
        )
        check.fail("demand", rule)
    peak_per_day = sum(  # at the busiest month's rate: an upper bound
        f.background_per_day / f.background_batch * peak_factor(f.background_seasonality)
        for f in facilities.values()
    )
    other = horizon.length_h / 24.0 * peak_per_day
    if other > MAX_CONSIGNMENTS:
        rule = (
            f"about {other:,.0f} arrivals of other traffic in the horizon, more than a run may "
            f"make ({MAX_CONSIGNMENTS:,}): raise background_batch or lower background_per_day"
        )
        check.fail("facilities", rule)
    days = horizon.length_h / 24.0
    slots = days * sum(
        len(s.days) / 7 * len(s.times_h) for s in services.values() if s.dispatch == "timetable"
    )
    if slots > MAX_CONSIGNMENTS:
        rule = (
            f"about {slots:,.0f} timetable departures in the horizon, more than a run may make "
            f"({MAX_CONSIGNMENTS:,}): fewer times or per_day, or a shorter horizon"
        )
        check.fail("services", rule)


def peak_factor(season: tuple[float, ...]) -> float:
    """The busiest month's factor once ``season`` is rescaled to a mean day of 1."""
    days = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
    mean = sum(f * d for f, d in zip(season, days, strict=True)) / 365
    return max(season) / mean if mean > 0 else 1.0
