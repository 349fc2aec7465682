"""Supply that responds: the operator of a timetabled service adds and withdraws departures.

Operators of the corridor did not run 2019's timetable whatever the freight: trains were added
(加开) and liner services put on as volume grew. Under a service's ``respond = true`` its
operator reviews the service once a week, over the last ``respond_weeks`` weeks:

- **utilisation**: the TEU its scheduled departures carried over the room they offered
  (``capacity_teu`` each, cancelled slots included; a service's extras, which leave whenever a
  full load waits, already answer its demand and are not judged), and
- **rolled share**: the TEU left behind by departures that left full, over the TEU carried and
  left behind.

When the utilisation is at least ``respond_load``, or the rolled share at least
``respond_rolled``, it adds one weekly departure, which runs from ``respond_lead_days`` later;
when the utilisation is below ``respond_withdraw_load`` it withdraws the last one it added (never
a departure of the scenario's own timetable). After a change it judges again only once
``respond_weeks`` weeks of the new timetable are seen, and it never runs more than
``respond_max_per_week`` departures a week. An added departure leaves at the middle of the
longest gap between the week's departures, so the timetable stays as even as it can be.

Every decision is a row of the ``capacity_changes`` table (:mod:`sim.model.records`), and
``capacity_added.<service>`` counts the weekly departures added and in force at the end.
"""

from __future__ import annotations

import bisect
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from simpy.events import Event

if TYPE_CHECKING:
    from sim.model.services import ServiceRunner

__all__ = ["SupplyResponse", "weekly_offsets_h"]

WEEK_H = 168.0


def weekly_offsets_h(
    days: tuple[int, ...], times_h: tuple[float, ...], first_weekday: int
) -> list[float]:
    """The hours into each week (from the horizon's start) of a timetable's departures, sorted.

    >>> weekly_offsets_h((1, 4), (20.0,), first_weekday=0)  # Tuesday and Friday 20:00
    [44.0, 116.0]
    """
    return sorted(((d - first_weekday) % 7) * 24.0 + t for d in days for t in times_h)


def gap_middle_h(offsets_h: list[float]) -> float:
    """The middle of the longest gap between weekly departures (to the hour), going round the week.

    >>> gap_middle_h([44.0, 116.0])  # Tuesday and Friday 20:00: then Sunday 20:00
    164.0
    """
    ordered = sorted(offsets_h)
    if len(set(ordered)) == 1:  # one departure a week: the whole week is the gap
        return float(round(ordered[0] + WEEK_H / 2.0) % WEEK_H)
    gaps = [((ordered[(i + 1) % len(ordered)] - t) % WEEK_H, t) for i, t in enumerate(ordered)]
    width, start = max(gaps)
    return float(round(start + width / 2.0) % WEEK_H)


class _Added:
    """One weekly departure the operator added: at ``offset_h`` into the week, while active."""

    def __init__(self, offset_h: float) -> None:
        self.offset_h = offset_h
        self.active = True


class SupplyResponse:
    """The operator of one timetabled service (see the module's text)."""

    def __init__(self, runner: ServiceRunner) -> None:
        self.runner = runner
        svc, horizon = runner.service, runner.corridor.scenario.horizon
        self.base_h = weekly_offsets_h(svc.days, svc.times_h, horizon.start.weekday())
        self.added: list[_Added] = []
        self._judge_from_h = svc.respond_weeks * WEEK_H  # a whole window seen first

    @property
    def per_week(self) -> int:
        """Departures a week now in the timetable (the scenario's own and those added)."""
        return len(self.base_h) + len(self.added)

    def process(self) -> Generator[Event, Any, None]:
        """SimPy process: a review every week until the end of the horizon."""
        env, length_h = self.runner.env, self.runner.corridor.scenario.horizon.length_h
        while env.now + WEEK_H < length_h:
            yield env.timeout(WEEK_H)
            if env.now >= self._judge_from_h:
                self.review()

    def review(self) -> None:
        """Look at the last ``respond_weeks`` weeks; add or withdraw one weekly departure."""
        runner, svc, now = self.runner, self.runner.service, self.runner.env.now
        since = now - svc.respond_weeks * WEEK_H
        slots = runner.slot_log[bisect.bisect_left(runner.slot_log, (since,)) :]  # in time order
        if not slots:
            return
        carried = sum(s[1] for s in slots)
        rolled = sum(s[2] for s in slots)
        utilisation = carried / (len(slots) * svc.capacity_teu)
        rolled_share = rolled / (carried + rolled) if carried + rolled > 0 else 0.0
        busy = utilisation >= svc.respond_load or rolled_share >= svc.respond_rolled
        if busy and self.per_week < svc.respond_max_per_week:
            offset = gap_middle_h(self.base_h + [a.offset_h for a in self.added])
            added = _Added(offset)
            self.added.append(added)
            effective_h = now + svc.respond_lead_days * 24.0
            runner.env.process(self._run_added(added, effective_h))
            self._judge_from_h = effective_h + svc.respond_weeks * WEEK_H
            self._log(now, effective_h, +1, utilisation, rolled_share)
        elif not busy and utilisation < svc.respond_withdraw_load and self.added:
            self.added.pop().active = False
            self._judge_from_h = now + svc.respond_weeks * WEEK_H
            self._log(now, now, -1, utilisation, rolled_share)

    def _run_added(self, added: _Added, from_h: float) -> Generator[Event, Any, None]:
        """SimPy process: an added weekly departure, from ``from_h`` while it is not withdrawn."""
        runner = self.runner
        env, length_h = runner.env, runner.corridor.scenario.horizon.length_h
        slot = from_h + (added.offset_h - from_h) % WEEK_H
        while slot < length_h:
            yield env.timeout(slot - env.now)
            if not added.active:
                return
            runner.run_slot(slot)
            slot += WEEK_H

    def _log(
        self, now: float, effective_h: float, change: int, utilisation: float, rolled: float
    ) -> None:
        self.runner.corridor.recorder.add(
            "capacity_changes",
            service=self.runner.service.id,
            decided_h=now,
            effective_h=effective_h,
            change=change,
            per_week=self.per_week,
            utilisation=utilisation,
            rolled_share=rolled,
        )
