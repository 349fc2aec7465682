"""Route and mode choice while the model runs: one :class:`MarketRuntime` per market.

A market's consignments arrive as its flows' own arrival streams say (the same times and sizes as
under fixed chains, so the two compare on common random numbers). Each one prices every chain of
the market with what the run knows at that moment (:class:`CorridorState`: TEU already waiting for
a vehicle, vehicles queueing at the border posts, closures announced), picks one by the logit with
a draw from the market's own stream, and joins the queue of its chain's first service.

With the same draw it also notes the chain it would have picked with no closure known: when the
two differ, the consignment counts as diverted. Consignments still waiting for their first
departure look again every ``review_h`` and whenever a closure is announced, and choose anew if
their chain is closed or their expected delivery has slipped by more than ``rechoose_delay_h``.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from sim.choice import ChainCoster, pick, probabilities
from sim.model.feed import ArrivalFeed
from sim.model.services import Consignment
from sim.scenario.schema import Service

if TYPE_CHECKING:
    from sim.model.corridor import Corridor

__all__ = ["CorridorState", "MarketRuntime"]


class CorridorState:
    """The :class:`~sim.choice.LiveState` of a running corridor."""

    def __init__(self, corridor: Corridor, coster: ChainCoster) -> None:
        self.corridor, self.coster = corridor, coster

    def first_wait_h(self, service: Service, t: float, teu: float, ready_h: float) -> float:
        """Expected hours until a consignment of ``teu`` leaves on ``service``.

        It joins the queue now, or (``ready_h < t``) has been in it since ``ready_h``.
        """
        runner = self.corridor.services[service.id]
        runner.sync()
        queued = runner.queued_teu - (teu if ready_h < t else 0.0)  # the TEU ahead of it
        full = queued + teu >= service.capacity_teu - 1e-9
        if service.dispatch == "timetable":
            if full and service.extra_when_full:
                return 0.0
            return self.coster.static_wait_h(service, t, teu, ready_h)
        if full:
            return 0.0
        rate = self.coster.rates[service.id]
        fill_h = (service.capacity_teu - queued - teu) / rate if rate > 0 else math.inf
        head = runner.queue[0].ready_h if runner.queue else t
        clock_h = max(head, runner._clock_from_h) + service.max_wait_h - t
        return max(0.0, min(fill_h, clock_h))

    def queue_h(self, node: str, vehicle: str) -> float:
        """Vehicles queueing at ``node`` now, times the mean clearance, per server."""
        fac = self.corridor.facilities[node]
        resource = fac.resources.get(fac.server_for(vehicle) if fac.serves(vehicle) else "")
        if resource is None or not fac.waiting:
            return 0.0
        spec = fac.spec
        mean_h = spec.clearance_h + spec.inspection_share * spec.inspection_h
        return fac.waiting * mean_h / resource.capacity


class MarketRuntime:
    """The consignments of one market: arrivals, choices, reviews and re-choices."""

    def __init__(self, corridor: Corridor, name: str, alternatives: list[Any]) -> None:
        self.corridor, self.name, self.alternatives = corridor, name, alternatives
        self.env = corridor.env
        self.coster: ChainCoster = corridor.coster
        self.state = CorridorState(corridor, self.coster)
        self.choice = corridor.scenario.choice
        self.stream = corridor.streams[f"choice:{name}"]
        self.feed = ArrivalFeed.for_flows(alternatives, corridor.scenario.horizon, corridor.streams)
        for index, alt in enumerate(alternatives):
            alt.index = index
        self.rechosen = 0

    # -- choosing ----------------------------------------------------------------------------
    def _price(self, c: Consignment, disruptions: bool = True) -> tuple[list, list, bool]:
        """(costs, expected hours, any chain delayed by a known closure) for every chain.

        The chain ``c`` is queueing for already (if any) is priced from its place in the queue.
        """
        now, coster, costs, hours, hit = self.env.now, self.coster, [], [], False
        for alt in self.alternatives:
            ready_h = c.ready_h if alt is c.flow else None
            h, closed = coster.expected(alt.spec.id, now, c.teu, self.state, disruptions, ready_h)
            costs.append(coster.cost_cny(alt.spec.id, h))
            hours.append(h)
            hit = hit or closed
        return costs, hours, hit

    def _choose(self, c: Consignment) -> int:
        """Pick a chain for ``c`` now; note the undisturbed pick and the expected delivery."""
        theta = self.choice.scale_per_cny
        costs, hours, hit = self._price(c)
        u = self.stream.uniform()
        i = pick(probabilities(costs, theta), u)
        planned, planned_h = i, hours[i]
        if hit:
            costs0, hours0, _ = self._price(c, disruptions=False)
            planned = pick(probabilities(costs0, theta), u)
            planned_h = hours0[planned]
        if c.planned < 0:
            c.planned, c.planned_h = planned, planned_h
        c.expected_at_h = self.env.now + hours[i]
        return i

    def arrivals(self) -> Generator[Any, Any, None]:
        """SimPy process: each arrival of the market's flows chooses and joins its first queue."""
        env, corridor = self.env, self.corridor
        end_h = corridor.scenario.horizon.length_h
        while (t := self.feed.next_time()) < end_h:
            yield env.timeout(t - env.now)
            for at, teu, _ in self.feed.take_until(env.now):
                c = Consignment(corridor.next_id(), None, teu, env.now)
                c.created_h = at
                c.flow = self.alternatives[self._choose(c)]
                corridor.consignments.append(c)
                corridor.created_teu += teu
                c.flow.chain[0].enqueue([c])

    # -- looking again -----------------------------------------------------------------------
    def review_times_h(self) -> list[float]:
        """Every ``review_h``, and each time a closure on one of the chains is announced."""
        horizon_h = self.corridor.scenario.horizon.length_h
        step = self.choice.review_h
        times = {k * step for k in range(1, math.ceil(horizon_h / step))}
        targets = set()
        services = self.corridor.scenario.services
        for alt in self.alternatives:
            for sid in alt.spec.chain:
                targets |= set(services[sid].path) | set(services[sid].links)
        for d in self.coster.closures:
            if d.target in targets:
                times.add(max(0.0, d.start_h - self.choice.notice_h))
        return sorted(t for t in times if t < horizon_h)

    def reviews(self) -> Generator[Any, Any, None]:
        """SimPy process: look at the waiting consignments at each review time."""
        for t in self.review_times_h():
            yield self.env.timeout(t - self.env.now)
            self.review()

    def review(self) -> None:
        """Consignments waiting for their first departure choose anew if their chain slipped."""
        now, limit = self.env.now, self.choice.rechoose_delay_h
        for alt in self.alternatives:
            runner = alt.chain[0]
            first = runner.service
            slots = self.coster.slots_h.get(first.id)
            seen: dict[tuple[float, int], tuple[float, bool]] = {}
            for c in [c for c in runner.queue if c.stage == 0 and c.flow is alt]:
                # Consignments of one size that can board the same departure expect the same.
                board = 0
                if slots is not None:
                    board = bisect.bisect_left(slots, max(now, c.ready_h + first.cutoff_h) - 1e-9)
                key = (c.teu, board)
                if key not in seen:
                    seen[key] = self.coster.expected(
                        alt.spec.id, now, c.teu, self.state, True, c.ready_h
                    )
                h, closed = seen[key]
                if not closed and now + h - c.expected_at_h <= limit:
                    continue
                new = self.alternatives[self._choose(c)]
                if new is alt:
                    continue
                runner.withdraw(c)
                c.flow = new
                self.rechosen += 1
                new.chain[0].enqueue([c])
