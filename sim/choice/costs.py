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
from sim.choice.rides import Closures, ServiceRides
from sim.choice.service_stops import chain_spread_h
from sim.scenario.schema import Disruption, Flow, Scenario, Service

__all__ = ["ChainCoster", "Closures"]

_BEYOND_DAYS = 60  # timetables are looked up this far past the horizon (for late decisions)


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
        #: What a vehicle of each service does from its departure to its hand-over.
        self.rides = ServiceRides(scenario, self._closures)
        #: Timetable departures of each timetabled service (hours), past the horizon's end too.
        self.slots_h = {
            sid: svc.slots_h(scenario.horizon, _BEYOND_DAYS)
            for sid, svc in scenario.services.items()
            if svc.dispatch == "timetable"
        }
        self.spread_h = {
            fid: chain_spread_h(scenario, f, self.rides.stops) for fid, f in scenario.flows.items()
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

    # -- expected times ----------------------------------------------------------------------
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
        nodes = self.rides.queue_nodes[sid]
        if live is None or not nodes:
            return self._leaving(flow_id, 0, depart_h, now_h, teu, closures, epoch)
        vehicle = self.scenario.services[sid].vehicle
        queues_h = tuple([live.queue_h(node, vehicle) for node in nodes])
        key = (flow_id, depart_h, teu, epoch, queues_h)
        at_slot = depart_h in self._slot_sets.get(sid, ())
        if at_slot and (memo := self._after_live.get(key)) is not None:
            return memo
        t, hit = self.rides.ride(sid, depart_h, now_h, queues_h, closures)
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
            sid, key = chain[k], (flow_id, k, t, teu, epoch)
            if (memo := after.get(key)) is not None:  # only departures at a slot are kept
                t, later_hit = memo
                break
            at_slot = t in self._slot_sets.get(sid, ())
            t, hit = self.rides.ride(sid, t, now_h, None, closures)
            walked.append((key if at_slot else None, hit))
            k += 1
            if k == len(chain) or math.isinf(t):
                later_hit = False
                break
            t += self.static_wait_h(services[chain[k]], t, teu)
            if math.isinf(t):
                later_hit = False
                break
        for slot_key, hit in reversed(walked):  # each slot departure walked is remembered
            later_hit = later_hit or hit
            if slot_key is not None:
                after[slot_key] = (t, later_hit)
        return t, later_hit

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
