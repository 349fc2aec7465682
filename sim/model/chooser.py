"""Route and mode choice while the model runs: one :class:`MarketRuntime` per market.

A market's consignments arrive as its flows' own arrival streams say (the same times and sizes as
under fixed chains, so the two compare on common random numbers). Each one prices every chain of
the market with what the run knows at that moment (:class:`CorridorState`: TEU already waiting for
a vehicle, vehicles queueing at the border posts, closures announced), picks one by the logit with
a draw from the market's own stream, and joins the queue of its chain's first service.

With the same draw it also notes the chain it would have picked with no closure known: when the
two differ, the consignment counts as diverted. Consignments still waiting for their first
departure look again every ``review_h`` and whenever a closure is announced, and choose anew if
a closure announced since they chose delays their chain, or their expected delivery has slipped by
more than ``rechoose_delay_h``.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from simpy.events import Event

from sim.choice import ChainCoster, full_loads_ahead, pick, probabilities
from sim.model.consignment import Consignment
from sim.model.feed import ArrivalFeed
from sim.model.services import FlowRuntime, ServiceRunner
from sim.scenario.schema import Service

if TYPE_CHECKING:
    from sim.model.corridor import Corridor

__all__ = ["CorridorState", "MarketRuntime"]


class CorridorState:
    """The :class:`~sim.choice.LiveState` of a running corridor."""

    def __init__(self, corridor: Corridor, coster: ChainCoster) -> None:
        self.corridor, self.coster = corridor, coster

    def first_wait_h(
        self, service: Service, t: float, teu: float, ready_h: float, ahead_teu: float | None
    ) -> float:
        """Expected hours until a consignment of ``teu`` leaves on ``service``.

        It joins the queue now (``ahead_teu=None``: everything queueing is ahead of it), or has
        been in it since ``ready_h`` with ``ahead_teu`` in front. Vehicles board first come,
        first served, up to capacity.
        """
        return self.wait_h(self.corridor.services[service.id], t, teu, ready_h, ahead_teu)

    def wait_h(
        self, runner: ServiceRunner, t: float, teu: float, ready_h: float, ahead_teu: float | None
    ) -> float:
        """:meth:`first_wait_h` on the service ``runner`` runs."""
        service = runner.service
        runner.sync()
        joining = ahead_teu is None
        ahead = runner.queued_teu if ahead_teu is None else ahead_teu
        cap = service.capacity_teu
        if service.dispatch == "timetable":
            loads = full_loads_ahead(ahead, teu, cap)
            if service.extra_when_full:
                # Extra vehicles take every full load at once: it leaves now if its load is full,
                # else at the next slot (the full loads ahead of it have left as extras).
                queued = runner.queued_teu + (teu if joining else 0.0)
                if queued >= (loads + 1) * cap - 1e-9:
                    return 0.0
                return self.coster.static_wait_h(service, t, teu, ready_h, waiting_teu=queued)
            head_h = runner.queue[0].ready_h if runner.queue else ready_h
            return self.coster.static_wait_h(service, t, teu, ready_h, loads, head_h)
        queued = runner.queued_teu + (teu if joining else 0.0)
        if queued >= cap - 1e-9:
            return 0.0
        rate = self.coster.rates[service.id]
        fill_h = (cap - queued) / rate if rate > 0 else math.inf
        short = service.min_load_teu - queued
        min_load_h = 0.0 if short <= 0 else (short / rate if rate > 0 else math.inf)
        head = runner.queue[0].ready_h if runner.queue else t
        clock_h = head + service.max_wait_h - t
        return max(0.0, min(fill_h, max(clock_h, min_load_h)))

    def queue_h(self, node: str, vehicle: str) -> float:
        """Hours of clearance ahead at ``node``: vehicles of this kind there, per server."""
        fac = self.corridor.facilities[node]
        occupancy = fac.occupancy(vehicle, self.corridor.env.now)
        if occupancy is None:
            return 0.0
        queued, busy, servers = occupancy
        spec = fac.spec
        mean_h = spec.clearance_h + spec.inspection_share * spec.inspection_h
        # Those being cleared are half-way through, on average.
        return (queued + 0.5 * busy) * mean_h / servers


class MarketRuntime:
    """The consignments of one market: arrivals, choices, reviews and re-choices."""

    def __init__(
        self, corridor: Corridor, coster: ChainCoster, name: str, alternatives: list[FlowRuntime]
    ) -> None:
        self.corridor, self.name, self.alternatives = corridor, name, alternatives
        self.env = corridor.env
        self.coster = coster
        self.state = CorridorState(corridor, self.coster)
        self.choice = corridor.scenario.choice
        self.stream = corridor.streams[f"choice:{name}"]
        self.feed = ArrivalFeed.for_flows(alternatives, corridor.scenario.horizon, corridor.streams)
        #: Each chain's flow id, the runner of its first service, and its cost terms (the value
        #: of time, CNY per TEU-hour, and the cost that does not depend on time).
        self._firsts = [
            (alt.spec.id, alt.chain[0], *coster.cost_terms(alt.spec.id)) for alt in alternatives
        ]

    # -- choosing ----------------------------------------------------------------------------
    def _price(
        self, c: Consignment, disruptions: bool = True, ahead_teu: float | None = None
    ) -> tuple[list[float], list[float], list[bool]]:
        """(costs, expected hours, delayed by a known closure) of every chain for ``c``.

        Chains that start with the service ``c`` is queueing for already (if any) are priced
        from its place in that queue, ``ahead_teu`` behind the front.
        """
        now, coster, state, teu = self.env.now, self.coster, self.state, c.teu
        closures, epoch = coster.known(now, disruptions)
        queueing_for = c.flow.chain[0] if c.flow is not None else None
        costs: list[float] = []
        hours: list[float] = []
        hits: list[bool] = []
        waits: dict[ServiceRunner, float] = {}  # chains that start alike wait alike
        for flow_id, runner, vot, fixed_cny in self._firsts:
            mine = runner is queueing_for
            if (wait_h := waits.get(runner)) is None:
                wait_h = waits[runner] = state.wait_h(
                    runner, now, teu, c.ready_h if mine else now, ahead_teu if mine else None
                )
            h, closed = math.inf, False
            if wait_h != math.inf:
                t, closed = coster.deliver(flow_id, now + wait_h, now, teu, state, closures, epoch)
                h = t - now
            costs.append(vot * h + fixed_cny)
            hours.append(h)
            hits.append(closed)
        return costs, hours, hits

    def _choose(self, c: Consignment, ahead_teu: float | None = None) -> int:
        """Pick a chain for ``c`` now and note what it expects.

        With the same draw it also picks as if no closure were known: ``c.planned`` (and
        ``c.planned_h``, the door-to-door hours expected on that chain) is that pick, so a
        consignment counts as diverted only when a closure changed its choice.
        """
        theta, now = self.choice.scale_per_cny, self.env.now
        costs, hours, hits = self._price(c, True, ahead_teu)
        u = self.stream.uniform()
        i = pick(probabilities(costs, theta), u)
        planned, planned_h = i, hours[i]
        if any(hits):
            costs0, hours0, _ = self._price(c, False, ahead_teu)
            planned = pick(probabilities(costs0, theta), u)
            planned_h = hours0[planned]
        c.planned, c.planned_h = planned, now - c.created_h + planned_h
        c.expected_at_h, c.chose_h = now + hours[i], now
        return i

    def next_time(self) -> float:
        """Time of the market's next arrival (``inf`` when there is none)."""
        return self.feed.next_time()

    def arrive(self) -> None:
        """The market's next arrival, now: it chooses a chain and joins its first queue.

        The corridor handles each arrival inline, at its own time (:mod:`sim.model.environment`).
        """
        corridor = self.corridor
        t, teu, _ = self.feed.pop()
        c = Consignment(corridor.next_id(), None, teu, t)
        corridor.consignments.append(c)  # its id is its place in the list
        c.flow = flow = self.alternatives[self._choose(c)]
        corridor.created_teu += teu
        flow.chain[0].enqueue([c])

    # -- looking again -----------------------------------------------------------------------
    def review_times_h(self) -> list[float]:
        """Every ``review_h``, and each time a closure on one of the chains is announced."""
        horizon_h = self.corridor.scenario.horizon.length_h
        step = self.choice.review_h
        times = {k * step for k in range(1, math.ceil(horizon_h / step))}
        targets: set[str] = set()
        services = self.corridor.scenario.services
        for alt in self.alternatives:
            for sid in alt.spec.chain:
                targets |= set(services[sid].path) | set(services[sid].links)
        for d in self.coster.closures:
            if d.target in targets:
                times.add(max(0.0, d.start_h - self.choice.notice_h))
        return sorted(t for t in times if t < horizon_h)

    def reviews(self) -> Generator[Event, Any, None]:
        """SimPy process: look at the waiting consignments at each review time."""
        for t in self.review_times_h():
            yield self.env.timeout(t - self.env.now)
            self.review()

    def review(self) -> None:
        """Consignments waiting for their first departure choose anew if their chain slipped.

        A chain slipped if it is delayed by a closure announced since the consignment chose it,
        or its expected delivery is now more than ``rechoose_delay_h`` later than when it chose.
        """
        now, limit = self.env.now, self.choice.rechoose_delay_h
        known = self.coster.known_h
        for alt in self.alternatives:
            runner = alt.chain[0]
            first = runner.service
            slots = self.coster.slots_h.get(first.id)
            seen: dict[tuple[float, int, int], tuple[float, bool]] = {}
            ahead = 0.0
            for c in list(runner.queue):
                if c.stage != 0 or c.flow is not alt:
                    ahead += c.teu
                    continue
                # Consignments of one size that can board the same departure expect the same.
                board = 0
                if slots is not None:
                    board = bisect.bisect_left(slots, max(now, c.ready_h + first.cutoff_h) - 1e-9)
                key = (c.teu, board, full_loads_ahead(ahead, c.teu, first.capacity_teu))
                if key not in seen:
                    seen[key] = self.coster.expected(
                        alt.spec.id, now, c.teu, self.state, True, c.ready_h, ahead
                    )
                h, closed = seen[key]
                news = closed and bisect.bisect_right(known, now) > bisect.bisect_right(
                    known, c.chose_h
                )
                if news or now + h - c.expected_at_h > limit:
                    new = self.alternatives[self._choose(c, ahead)]
                    if new is not alt and self._move(c, runner, new):
                        continue  # it left this queue
                ahead += c.teu

    def _move(self, c: Consignment, runner: ServiceRunner, new: FlowRuntime) -> bool:
        """``c`` takes chain ``new``; True if that made it leave ``runner``'s queue."""
        c.flow = new
        c.rechosen += 1
        if new.chain[0] is runner:  # the same first service: it keeps its place in the queue
            return False
        runner.withdraw(c)
        new.chain[0].enqueue([c])
        return True
