"""What a vehicle of one service does from its departure to its hand-over, at expected times.

:class:`ServiceRides` walks a service's stops (:mod:`sim.choice.service_stops`): gauge changes,
links, opening hours and the queue at each border post or lock, clearance or handling, the dwell at
the end; and the closures known when the decision is made. A ride with no such closure still on
is its precomputed steps, added one by one as the walk adds them (the same result to the digit).
:class:`~sim.choice.costs.ChainCoster` strings rides and waits into a chain.
"""

from __future__ import annotations

import bisect
import math

from sim.choice.service_stops import Stop, service_stops
from sim.scenario.operating_rules import next_open_h
from sim.scenario.schema import Scenario

__all__ = ["Closures", "ServiceRides"]

#: Closures by node or link: (known from, start, end) hours of each, in the order drawn.
Closures = dict[str, list[tuple[float, float, float]]]


def _as_is(t: float) -> float:
    return t


class ServiceRides:
    """The rides of a scenario's services, with the closures that may hold them.

    Parameters
    ----------
    scenario : Scenario
        Services, facilities and network.
    closures : Closures
        Every closure of the run by its node or link; which of them count is the caller's
        choice at each ride (those known when deciding).
    """

    def __init__(self, scenario: Scenario, closures: Closures) -> None:
        self.scenario = scenario
        self._closures = closures
        #: Each service's stops, as :func:`~sim.choice.service_stops.service_stops` gives them.
        self.stops = {sid: service_stops(scenario, svc) for sid, svc in scenario.services.items()}
        #: The border posts and locks where a service's vehicles queue on their way, in order.
        self.queue_nodes = {
            sid: [s.node for s in stops if s.queues and s.node is not None]
            for sid, stops in self.stops.items()
        }
        #: Each service's ride as steps (:func:`_ride_steps`), and the closures of the places on
        #: its way (origin, links, stops): while none of those known is still on, the ride is
        #: its steps.
        self._steps = {sid: _ride_steps(stops) for sid, stops in self.stops.items()}
        self._closures_on_way = {
            sid: _latest_ends(
                [
                    w
                    for place in dict.fromkeys([svc.origin, *svc.links, *svc.path])
                    for w in closures.get(place, ())
                ]
            )
            for sid, svc in scenario.services.items()
        }

    def ride(
        self,
        sid: str,
        t: float,
        now_h: float,
        queues_h: tuple[float, ...] | None,
        closures: Closures,
    ) -> tuple[float, bool]:
        """(hand-over time at the end of ``sid``, delayed by a closure), leaving at ``t``.

        ``queues_h`` are the hours queued at each border post or lock on the way (None: no
        queue, the empty corridor). The vehicle is held while its origin is closed.
        """
        svc, hit = self.scenario.services[sid], False
        queued = iter(queues_h or ())
        known_h, latest_end_h = self._closures_on_way[sid]
        if (
            not closures
            or (k := bisect.bisect_right(known_h, now_h)) == 0
            or latest_end_h[k - 1] <= t
        ):  # no closure known on the way is still on: the ride is its steps
            for step_h, opening, queues in self._steps[sid]:
                if opening is not None:
                    t = next_open_h(t, opening, _as_is)
                if queues and queues_h is not None:
                    t += next(queued)
                t += step_h
            return t, False
        if svc.origin in closures:
            t2 = self._reopen_h(svc.origin, t, now_h)
            hit, t = t2 > t, t2
        for stop in self.stops[sid]:
            t += stop.gauge_change_h
            if stop.link in closures:
                t2 = self._reopen_h(stop.link, t, now_h)
                hit, t = hit or t2 > t, t2
            t += stop.travel_h
            node = stop.node
            if node is None:
                continue
            if stop.opening is not None or node in closures:
                t_open = self._open_h(stop, t, now_h, False)
                t = self._open_h(stop, t, now_h, True) if node in closures else t_open
                hit = hit or t > t_open
            if queues_h is not None and stop.queues:  # the queue clears once the post is open
                t += next(queued)
            t += stop.service_h
        return t, hit

    def _open_h(self, stop: Stop, at_h: float, now_h: float, disruptions: bool) -> float:
        """The earliest time >= ``at_h`` the stop's facility is open (and, maybe, not closed)."""
        node = stop.node
        assert node is not None  # only stops at a facility have opening hours or closures
        return next_open_h(
            at_h,
            stop.opening,
            (lambda t: self._reopen_h(node, t, now_h)) if disruptions else _as_is,
        )

    def _reopen_h(self, target: str, at_h: float, now_h: float) -> float:
        """The earliest time >= ``at_h`` outside every closure of ``target`` known at ``now_h``."""
        windows = self._closures.get(target)
        if windows is None:
            return at_h
        moved = True
        while moved:
            moved = False
            for known_h, start, end in windows:
                if known_h <= now_h and start <= at_h < end:
                    at_h, moved = end, True
        return at_h


def _latest_ends(windows: list[tuple[float, float, float]]) -> tuple[list[float], list[float]]:
    """When closures (known from, start, end) become known, in order, and the latest end so far.

    ``latest_end_h[k]`` is the latest end among the closures known by ``known_h[k]``.
    """
    known_h, latest_end_h, latest = [], [], -math.inf
    for known, _, end in sorted(windows):
        latest = max(latest, end)
        known_h.append(known)
        latest_end_h.append(latest)
    return known_h, latest_end_h


def _ride_steps(stops: list[Stop]) -> list[tuple[float, tuple[float, float] | None, bool]]:
    """A ride with no closure on its way, as steps, in :meth:`ServiceRides.ride`'s order.

    Each step is (hours, opening hours to wait for first, whether the queue there comes first).
    Adding the steps one by one gives the walk's result to the last digit (zeros are left out).
    """
    steps: list[tuple[float, tuple[float, float] | None, bool]] = []
    for stop in stops:
        steps += [(h, None, False) for h in (stop.gauge_change_h, stop.travel_h) if h != 0.0]
        if stop.node is not None:
            steps.append((stop.service_h, stop.opening, stop.queues))
    return steps
