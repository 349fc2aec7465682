"""Generalised cost of a chain: expected door-to-door time, its spread, and the tariff.

The expected time walks the chain as a vehicle would: wait for the next departure of each service
(the next timetable slot after the cut-off, or the expected time to fill a vehicle that leaves when
full), travel each link at its mean time, queue and clear at each border post or lock on the way,
respect opening hours, and be handled at the terminal. Closures count only once they are known
(``notice_h`` before they start). The state of the run (vehicles queueing at a border, TEU already
waiting for a vehicle) enters through a :class:`~sim.choice.queues.LiveState`; without one the
corridor is empty.

Everything here is plain arithmetic on the scenario: the model calls it at run time and
:mod:`sim.choice.logit` calls it to compute shares and fit constants.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable

from sim.choice.queues import LiveState, nominal_rates_teu_h
from sim.choice.service_stops import Stop, chain_spread_h, service_stops
from sim.scenario.operating_rules import next_open_h
from sim.scenario.schema import Disruption, Flow, Scenario, Service

__all__ = ["ChainCoster", "Closures"]

_BEYOND_DAYS = 60  # timetables are looked up this far past the horizon (for late decisions)

#: Closures by node or link: (known from, start, end) hours of each, in the order drawn.
Closures = dict[str, list[tuple[float, float, float]]]


def _as_is(t: float) -> float:
    return t


class ChainCoster:
    """Expected time, spread and tariff of each flow's chain (see the module docstring).

    Parameters
    ----------
    scenario : Scenario
        Services, facilities, network and flows.
    disruptions : iterable of Disruption, optional
        The closures of this run (the scenario's, and those drawn at random); each becomes known
        ``scenario.choice.notice_h`` before it starts.
    """

    def __init__(self, scenario: Scenario, disruptions: Iterable[Disruption] = ()) -> None:
        self.scenario = scenario
        self.rates = nominal_rates_teu_h(scenario)
        notice = scenario.choice.notice_h
        self.closures = [d for d in disruptions if d.effect == "close"]
        self._closures: Closures = {}
        for d in self.closures:
            self._closures.setdefault(d.target, []).append((d.start_h - notice, d.start_h, d.end_h))
        self._stops = {sid: service_stops(scenario, svc) for sid, svc in scenario.services.items()}
        #: Timetable departures of each timetabled service (hours), past the horizon's end too.
        self.slots_h = {
            sid: svc.slots_h(scenario.horizon, _BEYOND_DAYS)
            for sid, svc in scenario.services.items()
            if svc.dispatch == "timetable"
        }
        self.spread_h = {
            fid: chain_spread_h(scenario, f, self._stops) for fid, f in scenario.flows.items()
        }
        self.tariff_cny = {fid: scenario.chain_tariff_cny(fid) for fid in scenario.flows}
        self._chains = {fid: f.chain for fid, f in scenario.flows.items()}
        self._first = {fid: scenario.services[f.chain[0]] for fid, f in scenario.flows.items()}
        self._cost_terms = {fid: self._terms(f) for fid, f in scenario.flows.items()}
        #: When each closure becomes known, in order (to tell what a consignment knew).
        self.known_h = sorted(w[0] for ws in self._closures.values() for w in ws)
        self._first_known_h = min(
            (w[0] for ws in self._closures.values() for w in ws), default=math.inf
        )
        #: The border posts and locks where a service's vehicles queue on their way, in order.
        self._queue_nodes = {
            sid: [s.node for s in stops if s.queues and s.node is not None]
            for sid, stops in self._stops.items()
        }
        #: Each timetabled service's departures, to tell a departure at a slot from one now.
        self._slot_sets = {sid: frozenset(slots) for sid, slots in self.slots_h.items()}
        #: What follows a timetabled departure: (delivery time, delayed by a closure) by (flow,
        #: leg, departure, TEU, closures known).
        self._after: dict[tuple[str, int, float, float, int], tuple[float, bool]] = {}
        #: The same for a first departure at a slot with queues on the way, by (flow, departure,
        #: TEU, closures known, hours queued at each post or lock).
        self._after_live: dict[
            tuple[str, float, float, int, tuple[float, ...]], tuple[float, bool]
        ] = {}
        #: Each service's ride as steps (:func:`_ride_steps`), and the closures of the places on
        #: its way (origin, links, stops): while none of those known is still on, the ride is
        #: its steps.
        self._steps = {sid: _ride_steps(stops) for sid, stops in self._stops.items()}
        self._closures_on_way = {
            sid: _latest_ends(
                [
                    w
                    for place in dict.fromkeys([svc.origin, *svc.links, *svc.path])
                    for w in self._closures.get(place, ())
                ]
            )
            for sid, svc in scenario.services.items()
        }

    # -- expected times ----------------------------------------------------------------------
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

    def static_wait_h(
        self,
        svc: Service,
        at_h: float,
        teu: float,
        ready_h: float | None = None,
        loads_ahead: int = 0,
        head_ready_h: float | None = None,
        waiting_teu: float | None = None,
    ) -> float:
        """Expected wait from ``at_h`` for a departure of ``svc`` in an empty corridor.

        A consignment ready since ``ready_h`` (default ``at_h``) boards the first timetable slot
        after ``at_h`` whose cut-off it made and that runs: a slot runs once ``min_load_teu`` is
        ready, ``waiting_teu`` (this consignment included; default: half a minimum load besides
        it, the average backlog of a slot that runs only with its minimum) plus what arrives at
        the service's planned rate by the slot's cut-off. With ``loads_ahead`` full loads in
        front of it (the queue's head ready since ``head_ready_h``), those leave first, one a
        slot from the first slot the head can board.
        """
        if svc.dispatch == "timetable":
            slots = self.slots_h[svc.id]
            # Joining now, it must make the cut-off; queueing since ready_h, it boards any slot
            # from now whose cut-off it made.
            ready_h = at_h if ready_h is None else ready_h
            i = bisect.bisect_left(slots, max(at_h, ready_h + svc.cutoff_h) - 1e-9)
            if loads_ahead:
                head_h = max(
                    at_h, (ready_h if head_ready_h is None else head_ready_h) + svc.cutoff_h
                )
                i = max(i, bisect.bisect_left(slots, head_h - 1e-9) + loads_ahead)
            elif svc.min_load_teu > 0:
                rate = self.rates[svc.id]
                have = teu + svc.min_load_teu / 2 if waiting_teu is None else waiting_teu
                while (
                    i < len(slots)
                    and have + rate * max(slots[i] - svc.cutoff_h - at_h, 0.0)
                    < svc.min_load_teu - 1e-9
                ):
                    i += 1
            return slots[i] - at_h if i < len(slots) else math.inf
        to_fill = max(svc.capacity_teu - teu, 0.0)
        if to_fill <= 1e-9:
            return 0.0
        rate = self.rates[svc.id]
        fill_h = to_fill / rate if rate > 0 else math.inf
        short = svc.min_load_teu - teu
        min_load_h = 0.0 if short <= 1e-9 else (short / rate if rate > 0 else math.inf)
        return min(fill_h, max(svc.max_wait_h, min_load_h)) / 2.0

    def expected(
        self,
        flow_id: str,
        now_h: float,
        teu: float,
        live: LiveState | None = None,
        disruptions: bool = True,
        ready_h: float | None = None,
        ahead_teu: float | None = None,
    ) -> tuple[float, bool]:
        """Expected hours to delivery on ``flow_id``'s chain, deciding at ``now_h``.

        Returns ``(hours, delayed_by_closure)``; hours are ``inf`` if no departure is left. With
        ``disruptions=False`` known closures are ignored (the choice the shipper would make on an
        undisturbed corridor). ``ready_h`` is when a consignment already queueing for the first
        service joined the queue (None: it joins now) and ``ahead_teu`` the TEU in front of it.

        What follows a timetabled departure depends only on that departure, the load's size and
        the closures known: it is worked out once and remembered (:meth:`_leaving`).
        """
        closures, epoch = self.known(now_h, disruptions)
        first = self._first[flow_id]
        if live is not None:
            ready = now_h if ready_h is None else ready_h
            depart_h = now_h + live.first_wait_h(first, now_h, teu, ready, ahead_teu)
        else:
            depart_h = now_h + self.static_wait_h(first, now_h, teu, ready_h)
        if math.isinf(depart_h):
            return math.inf, False
        t, hit = self.deliver(flow_id, depart_h, now_h, teu, live, closures, epoch)
        return t - now_h, hit

    def known(self, now_h: float, disruptions: bool = True) -> tuple[Closures, int]:
        """The closures that count deciding at ``now_h``, and how many of them are known then.

        The second value tells apart what follows a departure under different knowledge; it is
        -1 when no closure counts (``disruptions=False``, or none known yet).
        """
        if disruptions and now_h >= self._first_known_h:
            return self._closures, bisect.bisect_right(self.known_h, now_h)
        return {}, -1

    def deliver(
        self,
        flow_id: str,
        depart_h: float,
        now_h: float,
        teu: float,
        live: LiveState | None,
        closures: Closures,
        epoch: int,
    ) -> tuple[float, bool]:
        """(delivery time, delayed by a closure) of a load leaving on its first service.

        It leaves at ``depart_h``, deciding at ``now_h`` with the closures :meth:`known` gives.
        With a live state, the queues at the border posts and locks on the first service's
        way are those of now.
        """
        sid = self._chains[flow_id][0]
        nodes = self._queue_nodes[sid]
        if live is None or not nodes:
            # Only departures at a slot are remembered: one found is one.
            memo = self._after.get((flow_id, 0, depart_h, teu, epoch))
            if memo is not None:
                return memo
            return self._leaving(flow_id, 0, depart_h, now_h, teu, closures, epoch)
        vehicle = self.scenario.services[sid].vehicle
        queues_h = tuple([live.queue_h(node, vehicle) for node in nodes])
        key = (flow_id, depart_h, teu, epoch, queues_h)
        at_slot = depart_h in self._slot_sets.get(sid, ())
        if at_slot and (memo := self._after_live.get(key)) is not None:
            return memo
        t, hit = self._ride(sid, depart_h, now_h, queues_h, closures)
        t, later_hit = self._legs_from(flow_id, 1, t, now_h, teu, closures, epoch)
        if at_slot:
            self._after_live[key] = (t, hit or later_hit)
        return t, hit or later_hit

    def _legs_from(
        self,
        flow_id: str,
        k: int,
        t: float,
        now_h: float,
        teu: float,
        closures: Closures,
        epoch: int,
    ) -> tuple[float, bool]:
        """(delivery time, delayed by a closure) of a load ready at ``t`` for leg ``k``.

        Legs from ``k`` of ``flow_id``'s chain, on an empty corridor with the closures known
        at ``now_h``.
        """
        chain = self._chains[flow_id]
        if k == len(chain) or math.isinf(t):
            return t, False
        depart_h = t + self.static_wait_h(self.scenario.services[chain[k]], t, teu)
        if math.isinf(depart_h):
            return depart_h, False
        return self._leaving(flow_id, k, depart_h, now_h, teu, closures, epoch)

    def _leaving(
        self,
        flow_id: str,
        k: int,
        depart_h: float,
        now_h: float,
        teu: float,
        closures: Closures,
        epoch: int,
    ) -> tuple[float, bool]:
        """(delivery time, delayed by a closure) of a load leaving on leg ``k`` at ``depart_h``.

        After a departure at a timetable slot, the rest depends only on that slot, the load's
        size and the closures known (``epoch``): it is worked out once and remembered.
        """
        chain, services, after = self._chains[flow_id], self.scenario.services, self._after
        walked: list[tuple[tuple[str, int, float, float, int] | None, bool]] = []
        t = depart_h
        while True:
            sid = chain[k]
            key = (flow_id, k, t, teu, epoch) if t in self._slot_sets.get(sid, ()) else None
            if key is not None and (memo := after.get(key)) is not None:
                t, later_hit = memo
                break
            t, hit = self._ride(sid, t, now_h, None, closures)
            walked.append((key, hit))
            k += 1
            if k == len(chain) or math.isinf(t):
                later_hit = False
                break
            t += self.static_wait_h(services[chain[k]], t, teu)
            if math.isinf(t):
                later_hit = False
                break
        for key, hit in reversed(walked):  # each slot departure walked is remembered
            later_hit = later_hit or hit
            if key is not None:
                after[key] = (t, later_hit)
        return t, later_hit

    def _ride(
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
        for stop in self._stops[sid]:
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

    def cost_cny(self, flow_id: str, expected_h: float) -> float:
        """Generalised cost per TEU of ``flow_id`` given its expected door-to-door hours."""
        vot, fixed = self._cost_terms[flow_id]
        return vot * expected_h + fixed

    def cost_terms(self, flow_id: str) -> tuple[float, float]:
        """(value of time, CNY per TEU-hour; the rest, CNY per TEU) of a flow's cost.

        :meth:`cost_cny` is ``value * hours + rest``.
        """
        return self._cost_terms[flow_id]

    def _terms(self, flow: Flow) -> tuple[float, float]:
        """(value of time, the cost that does not depend on the expected time) of a flow."""
        choice = self.scenario.choice
        vot = choice.value_of_time_cny_per_teu_h.get(flow.commodity, 0.0)
        reliability = vot * choice.reliability_ratio * self.spread_h[flow.id]
        asc = choice.asc_cny_per_teu.get(flow.chain_family, 0.0)
        return vot, reliability + self.tariff_cny[flow.id] + asc


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
    """A ride with no closure on its way, as steps, in :meth:`ChainCoster._ride`'s order.

    Each step is (hours, opening hours to wait for first, whether the queue there comes first).
    Adding the steps one by one gives the walk's result to the last digit (zeros are left out).
    """
    steps: list[tuple[float, tuple[float, float] | None, bool]] = []
    for stop in stops:
        steps += [(h, None, False) for h in (stop.gauge_change_h, stop.travel_h) if h != 0.0]
        if stop.node is not None:
            steps.append((stop.service_h, stop.opening, stop.queues))
    return steps
