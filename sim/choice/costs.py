"""Generalised cost of a chain: expected door-to-door time, its spread, and the tariff.

The expected time walks the chain as a vehicle would: wait for the next departure of each service
(the next timetable slot after the cut-off, or the expected time to fill a vehicle that leaves when
full), travel each link at its mean time, queue and clear at each border post or lock on the way,
respect opening hours, and be handled at the terminal. Closures count only once they are known
(``notice_h`` before they start). The state of the run (vehicles queueing at a border, TEU already
waiting for a vehicle) enters through a :class:`LiveState`; without one the corridor is empty.

Everything here is plain arithmetic on the scenario: the model calls it at run time and
:mod:`sim.choice.logit` calls it to compute shares and fit constants.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from sim.scenario.schema import (
    CLEARING_KINDS,
    LINER_VEHICLES,
    PORT_KINDS,
    SERVER_OF_VEHICLE,
    Disruption,
    Flow,
    Scenario,
    Service,
)

__all__ = ["ChainCoster", "LiveState", "full_loads_ahead", "nominal_rates_teu_h"]

_BEYOND_DAYS = 60  # timetables are looked up this far past the horizon (for late decisions)


class LiveState(Protocol):
    """What a run knows now that the empty corridor does not."""

    def first_wait_h(
        self, service: Service, t: float, teu: float, ready_h: float, ahead_teu: float | None
    ) -> float:
        """Expected hours from ``t`` until a consignment of ``teu`` leaves on ``service``.

        ``ready_h < t`` means the consignment has been in the queue since ``ready_h`` with
        ``ahead_teu`` in front of it; ``ahead_teu=None`` means it joins the queue now.
        """

    def queue_h(self, node: str, vehicle: str) -> float:
        """Expected hours a vehicle arriving now at ``node`` queues before its clearance."""


@dataclass(frozen=True)
class _Stop:
    """One leg of a service: a link, then maybe a facility at its far end."""

    link: str
    travel_h: float
    gauge_change_h: float
    node: str | None  # a clearing facility (border post, lock) or the final terminal
    service_h: float  # expected clearance + inspection + transfer, or handling at the terminal
    opening: tuple[float, float] | None
    queues: bool  # a border post or lock: its queue counts when the state is live


def full_loads_ahead(ahead_teu: float, teu: float, capacity_teu: float) -> int:
    """Full vehicle loads that leave before a consignment with ``ahead_teu`` in front of it.

    Examples
    --------
    >>> full_loads_ahead(4.0, 1.0, 5.0), full_loads_ahead(5.0, 1.0, 5.0), full_loads_ahead(0, 2, 5)
    (0, 1, 0)

    """
    return int((ahead_teu + teu - 1e-9) // capacity_teu)


def nominal_rates_teu_h(scenario: Scenario) -> dict[str, float]:
    """Expected TEU per hour boarding each service, from the flows' own demand (fixed chains)."""
    rates = dict.fromkeys(scenario.services, 0.0)
    for flow in scenario.flows.values():
        for sid in flow.chain:
            rates[sid] += flow.teu_per_year / 8760.0
    return rates


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
        self._closures: dict[str, list[tuple[float, float, float]]] = {}
        for d in self.closures:
            self._closures.setdefault(d.target, []).append((d.start_h - notice, d.start_h, d.end_h))
        self._stops = {sid: self._service_stops(svc) for sid, svc in scenario.services.items()}
        #: Timetable departures of each timetabled service (hours), past the horizon's end too.
        self.slots_h = {
            sid: svc.slots_h(scenario.horizon, _BEYOND_DAYS)
            for sid, svc in scenario.services.items()
            if svc.dispatch == "timetable"
        }
        self.spread_h = {fid: self._spread_h(f) for fid, f in scenario.flows.items()}
        self.tariff_cny = {fid: scenario.chain_tariff_cny(fid) for fid in scenario.flows}
        self._cost_terms = {fid: self._terms(f) for fid, f in scenario.flows.items()}
        #: When each closure becomes known, in order (to tell what a consignment knew).
        self.known_h = sorted(w[0] for ws in self._closures.values() for w in ws)
        self._first_known_h = min(
            (w[0] for ws in self._closures.values() for w in ws), default=math.inf
        )

    # -- static structure --------------------------------------------------------------------
    def _service_stops(self, svc: Service) -> list[_Stop]:
        net, facilities = self.scenario.network, self.scenario.facilities
        server = SERVER_OF_VEHICLE[svc.vehicle]
        gauges = [set((net.links[lid].gauge_mm or "").split("/")) for lid in svc.links]
        liner = svc.vehicle in LINER_VEHICLES
        stops = []
        for i, lid in enumerate(svc.links):
            node = svc.path[i + 1]
            fac = facilities.get(node)
            last = i == len(svc.links) - 1
            clears = fac is not None and fac.kind in CLEARING_KINDS
            uses = fac is not None and getattr(fac, "lanes" if fac.kind == "lock" else server)
            change = i > 0 and svc.vehicle == "train" and not gauges[i - 1] & gauges[i]
            service_h, opening, queues, calls_at = 0.0, None, False, False
            off_server_h = 0.0  # release off the servers, a truck's change of truck
            if fac is not None:
                off_server_h = fac.release_h + (fac.transfer_h if svc.vehicle == "truck" else 0.0)
            if uses and clears:  # a border post or lock clears (also where a path ends)
                service_h = fac.clearance_h + fac.inspection_share * fac.inspection_h
                service_h += off_server_h
                opening, queues = fac.opening_hours, True
            elif calls_at := uses and (last or (liner and fac.kind in PORT_KINDS)):
                # a terminal, port or city handles the load at the end; a liner calls at ports
                service_h, opening = fac.handling_h + off_server_h, fac.opening_hours
            dwell_h = fac.dwell_for(svc.vehicle) if last and fac is not None else 0.0
            dwell = dwell_h > 0
            if dwell:  # then the boxes sit in its yard and customs
                service_h += dwell_h
            stops.append(
                _Stop(
                    lid,
                    net.links[lid].time_from(svc.path[i]),
                    self.scenario.gauge_change_h if change else 0.0,
                    node if (uses and clears) or calls_at or dwell else None,
                    service_h,
                    opening,
                    queues,
                )
            )
        return stops

    def _spread_h(self, flow: Flow) -> float:
        """Standard deviation of the moving and clearance time of a chain (hours)."""
        var = 0.0
        for sid in flow.chain:
            for stop in self._stops[sid]:
                link = self.scenario.network.links[stop.link]
                var += (stop.travel_h * link.time_cv) ** 2
                fac = self.scenario.facilities.get(stop.node) if stop.queues else None
                if fac is not None:
                    var += (fac.clearance_h * fac.clearance_cv) ** 2
                    p = fac.inspection_share
                    var += p * (1 - p) * fac.inspection_h**2
            svc = self.scenario.services[sid]
            end = self.scenario.facilities.get(svc.destination)
            if end is not None:
                var += (end.dwell_for(svc.vehicle) * end.dwell_cv) ** 2
        return math.sqrt(var)

    # -- expected times ----------------------------------------------------------------------
    def _reopen_h(self, target: str, at_h: float, now_h: float) -> float:
        """The earliest time >= ``at_h`` outside every closure of ``target`` known at ``now_h``."""
        windows = self._closures.get(target)
        moved = windows is not None
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
        """
        chain = self.scenario.flows[flow_id].chain
        known = disruptions and now_h >= self._first_known_h
        closures = self._closures if known else {}
        t, hit = self._walk(chain[0], now_h, now_h, teu, live, closures, ready_h, ahead_teu)
        if len(chain) == 1 or math.isinf(t):
            return t - now_h, hit
        for sid in chain[1:]:  # the later legs: an empty corridor, closures known at now_h
            t, closed = self._walk(sid, t, now_h, teu, None, closures)
            hit = hit or closed
            if math.isinf(t):
                break
        return t - now_h, hit

    def _walk(
        self,
        sid: str,
        t: float,
        now_h: float,
        teu: float,
        live: LiveState | None,
        closures: dict,
        ready_h: float | None = None,
        ahead_teu: float | None = None,
    ) -> tuple[float, bool]:
        """(time the load is handed over at the end of service ``sid``, delayed by a closure).

        The consignment is ready for ``sid`` at ``t``; ``live`` (first leg only) gives the state
        of the run, ``closures`` the closures known at ``now_h``.
        """
        svc, hit = self.scenario.services[sid], False
        if live is not None:
            ready = now_h if ready_h is None else ready_h
            t += live.first_wait_h(svc, t, teu, ready, ahead_teu)
        else:
            t += self.static_wait_h(svc, t, teu, ready_h)
        if math.isinf(t):
            return t, hit
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
            if live is not None and stop.queues:  # the queue clears once the post is open
                t += live.queue_h(node, svc.vehicle)
            t += stop.service_h
        return t, hit

    def _open_h(self, stop: _Stop, at_h: float, now_h: float, disruptions: bool) -> float:
        """The earliest time >= ``at_h`` the stop's facility is open (and, maybe, not closed)."""
        while True:
            start = at_h
            if stop.opening is not None:
                day, hour = divmod(at_h, 24.0)
                open_h, close_h = stop.opening
                if hour < open_h:
                    at_h = day * 24.0 + open_h
                elif hour >= close_h:
                    at_h = (day + 1) * 24.0 + open_h
            if disruptions:
                at_h = self._reopen_h(stop.node, at_h, now_h)
            if at_h == start:
                return at_h

    def cost_cny(self, flow_id: str, expected_h: float) -> float:
        """Generalised cost per TEU of ``flow_id`` given its expected door-to-door hours."""
        vot, fixed = self._cost_terms[flow_id]
        return vot * expected_h + fixed

    def _terms(self, flow: Flow) -> tuple[float, float]:
        """(value of time, the cost that does not depend on the expected time) of a flow."""
        choice = self.scenario.choice
        vot = choice.value_of_time_cny_per_teu_h.get(flow.commodity, 0.0)
        reliability = vot * choice.reliability_ratio * self.spread_h[flow.id]
        asc = choice.asc_cny_per_teu.get(flow.chain_family, 0.0)
        return vot, reliability + self.tariff_cny[flow.id] + asc
