"""Services at run time: a queue of consignments, a dispatch rule, and vehicle trips.

Consignments are plain objects in a FIFO list per service: boarding, waiting and handing over cost
no SimPy events. SimPy carries the low-rate flows: timetable slots, vehicles moving along links,
queueing at border posts and terminals.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from simpy.events import Event

from sim.model.consignment import Consignment, LegParts
from sim.model.facilities import FacilityRuntime, VisitTimes
from sim.model.feed import ArrivalFeed
from sim.network import Link
from sim.scenario.operating_rules import gauge_changes, stops
from sim.scenario.schema import Flow, Service

if TYPE_CHECKING:
    from sim.model.corridor import Corridor

__all__ = ["FlowRuntime", "ServiceRunner"]


@dataclass(eq=False)
class FlowRuntime:
    """A demand flow at run time: its spec and the runners of its chain's services, in order."""

    spec: Flow
    chain: list[ServiceRunner]
    market: str = ""  # the market whose consignments may choose this flow's chain


class ServiceRunner:
    """Runs one service: holds its queue, applies its dispatch rule, moves its vehicles."""

    def __init__(self, corridor: Corridor, service: Service, links: list[Link]) -> None:
        self.corridor, self.service, self.links = corridor, service, links
        self.env = corridor.env
        self.stream = corridor.streams[f"link_times:{service.id}"]
        self.late_stream = corridor.streams[f"late:{service.id}"] if service.late_share else None
        self.queue: deque[Consignment] = deque()
        self.queued_teu = 0.0
        self.feed: ArrivalFeed | None = None  # external arrivals, set by the corridor
        self._wake_gen, self._wake_at = 0, math.nan
        self._synced_h = math.nan
        path = service.path
        self.link_times_h = [lk.time_from(node) for lk, node in zip(links, path, strict=False)]
        self.gauge_change = gauge_changes(service, links)
        #: The facility its vehicles stop at the end of each link (a post, lock or port call on
        #: the way, the terminal at the end), or None.
        self.stops = [
            corridor.facilities[f.id] if f is not None else None
            for f in stops(service, corridor.scenario.facilities)
        ]
        #: Each timetable slot: (time, TEU boarded (0 if cancelled), TEU rolled to the next).
        self.slot_log: list[tuple[float, float, float]] = []
        self.origin_windows = corridor.windows(path[0])
        self.link_windows = [w if (w := corridor.windows(lk.id)).active else None for lk in links]
        #: The train paths of each link (a line with ``paths_per_day``), for trains; else None.
        self.lines = [
            corridor.lines.get(lk.id) if service.vehicle == "train" else None for lk in links
        ]

    # -- queue and dispatch ------------------------------------------------------------------
    def sync(self) -> None:
        """Bring the external arrivals up to now into the queue (no SimPy event of their own)."""
        now = self.env.now
        if self.feed is None or now == self._synced_h:
            return
        self._synced_h = now  # every arrival up to now is in: no need to look again until later
        arrivals = self.feed.take_until(now)
        if not arrivals:
            return
        corridor = self.corridor
        made = [
            Consignment(corridor.next_id(), flow, teu, min(t, now)) for t, teu, flow in arrivals
        ]
        for c, (t, _, _) in zip(made, arrivals, strict=True):
            c.created_h = t
        teu = sum(c.teu for c in made)
        corridor.consignments += made
        corridor.created_teu += teu
        self.queue.extend(made)
        self.queued_teu += teu

    def enqueue(self, arrived: list[Consignment]) -> None:
        """Consignments handed over by another service, ready to board here now."""
        self.sync()
        self.queue.extend(arrived)
        self.queued_teu += sum(c.teu for c in arrived)
        self.dispatch()

    def withdraw(self, c: Consignment) -> None:
        """Take a consignment that chose another chain out of the queue; its wait so far counts."""
        self.queue.remove(c)
        self.queued_teu -= c.teu
        c.waiting_h += self.env.now - c.ready_h
        c.ready_h = self.env.now

    def dispatch(self) -> None:
        """Send every full load (for services that leave when full), then plan the next look."""
        svc = self.service
        if svc.dispatch != "when_full" and not svc.extra_when_full:
            return
        extra = svc.dispatch != "when_full"
        while (
            self.queued_teu >= svc.capacity_teu - 1e-9
            and self._may_leave(self.env.now)
            and (load := self._board(self.env.now))
        ):
            self._launch(load, extra=extra)
        self._plan_wake()

    def _plan_wake(self) -> None:
        """Schedule one look at the queue: when it fills, or when its head has waited too long."""
        svc, now = self.service, self.env.now
        wake = math.inf
        if self.feed is not None:
            wake = self.feed.time_of_teu(svc.capacity_teu - self.queued_teu)
        if svc.dispatch == "when_full":
            head = (
                self.queue[0].ready_h
                if self.queue
                else (self.feed.next_time() if self.feed is not None else math.inf)
            )
            wake = min(wake, max(head + svc.max_wait_h, self._time_of_min_load()))
        if wake == self._wake_at or wake >= self.corridor.scenario.horizon.length_h:
            return
        self._wake_at = wake
        self._wake_gen += 1
        gen = self._wake_gen
        self.env.timeout(max(0.0, wake - now)).callbacks.append(lambda _: self._wake(gen))

    def _wake(self, gen: int) -> None:
        if gen != self._wake_gen:
            return  # planned before the queue changed; a newer look is scheduled
        self._wake_at = math.nan
        self.sync()
        svc = self.service
        if (
            svc.dispatch == "when_full"
            and self.queue
            and self.queued_teu < svc.capacity_teu
            and self.queue[0].ready_h + svc.max_wait_h <= self.env.now + 1e-9
            and self._may_leave(self.env.now)
        ):
            self._launch(self._board(self.env.now), extra=False)
        self.dispatch()

    def _time_of_min_load(self) -> float:
        """When the queue will hold ``min_load_teu`` (now if it does; inf if it never will)."""
        short = self.service.min_load_teu - self.queued_teu
        if short <= 1e-9:
            return self.env.now
        return self.feed.time_of_teu(short) if self.feed is not None else math.inf

    def _may_leave(self, latest_ready_h: float) -> bool:
        """Whether a vehicle may leave: what :meth:`_board` would take makes the minimum load.

        A vehicle filled as far as its boxes allow (the next one does not fit) may leave too,
        even below a minimum that the boxes' sizes make unreachable.
        """
        teu, cap = 0.0, self.service.capacity_teu
        for c in self.queue:
            if c.ready_h > latest_ready_h:
                break
            if teu + c.teu > cap + 1e-9:
                return True
            teu += c.teu
        return teu >= self.service.min_load_teu - 1e-9

    def _board(self, latest_ready_h: float) -> list[Consignment]:
        """Take consignments ready by ``latest_ready_h`` from the front, up to capacity."""
        load, teu, cap = [], 0.0, self.service.capacity_teu
        queue, now = self.queue, self.env.now
        while queue and queue[0].ready_h <= latest_ready_h and teu + queue[0].teu <= cap + 1e-9:
            c = queue.popleft()
            if c.stage:  # waiting at a transfer, or for the first departure
                c.transfer_wait_h += now - c.ready_h
            else:
                c.waiting_h += now - c.ready_h
            teu += c.teu
            load.append(c)
        self.queued_teu -= teu
        return load

    def timetable(self) -> Generator[Event, Any, None]:
        """SimPy process: the timetable's slots, each run or cancelled (:meth:`run_slot`)."""
        env = self.env
        for slot in self.service.slots_h(self.corridor.scenario.horizon):
            yield env.timeout(slot - env.now)
            self.run_slot(slot)

    def run_slot(self, slot: float) -> None:
        """A timetabled departure now: board what made the cut-off, run or cancel the slot."""
        svc = self.service
        self.sync()
        latest = slot - svc.cutoff_h
        self._count_missed(latest)
        if not self._may_leave(latest):
            ready = sum(c.teu for c in self.queue if c.ready_h <= latest)
            self.corridor.record_cancelled(svc, ready)
            self.slot_log.append((slot, 0.0, 0.0))
            return
        load = self._board(latest)
        rolled = 0.0
        for c in self.queue:  # ready for this departure, but it left full
            if c.ready_h > latest:
                break
            c.rolled += 1
            rolled += c.teu
        self._launch(load, extra=False, rolled_teu=rolled)
        self.slot_log.append((slot, sum(c.teu for c in load), rolled))
        if svc.extra_when_full:
            self._plan_wake()

    def _count_missed(self, latest_ready_h: float) -> None:
        """Consignments transferring from another service that arrived after the cut-off."""
        for c in reversed(self.queue):
            if c.ready_h <= latest_ready_h:
                break
            if c.stage > 0:
                c.missed += 1

    # -- vehicles ----------------------------------------------------------------------------
    def _launch(self, load: list[Consignment], extra: bool, rolled_teu: float = 0.0) -> None:
        teu = sum(c.teu for c in load)
        self.corridor.in_transit_teu += teu
        self.env.process(self.trip(load, teu, extra, rolled_teu))

    def trip(
        self, load: list[Consignment], teu: float, extra: bool, rolled_teu: float = 0.0
    ) -> Generator[Event, Any, None]:
        """SimPy process: one vehicle from origin to destination, then hand over its load.

        The vehicle's own clock ``t`` runs ahead of the model's over links, closures and gauge
        changes (all known in advance); the model catches up only where the vehicle meets others,
        at each facility on its way and at the end.
        """
        env, svc, corridor = self.env, self.service, self.corridor
        late = 0.0
        if self.late_stream is not None and self.late_stream.uniform() < svc.late_share:
            late = self.late_stream.positive(svc.late_mean_h, 1.0, "exponential")
        stall = self.origin_windows.reopen_h(env.now + late) - env.now
        if stall > 0:
            yield env.timeout(stall)
        vid, row = corridor.record_departure(svc, teu, extra, rolled_teu)
        depart_h = t = env.now
        moving = queue_h = inspection = handling = 0.0
        gauge_h = corridor.scenario.gauge_change_h
        for link, entry, time_h, windows, line, gauge_change, facility in zip(
            self.links,
            svc.path[:-1],
            self.link_times_h,
            self.link_windows,
            self.lines,
            self.gauge_change,
            self.stops,
            strict=True,
        ):
            if gauge_change:
                t += gauge_h
                handling += gauge_h
            travel = self.stream.positive(time_h, link.time_cv)
            if line is not None:  # the train meets the line's others: a free, open path
                t = yield from self._reach(t)
                start = line.take_path(entry, t, vid, svc.id)
                queue_h += start - t
                t = start
            if windows is not None:  # closed or slowed at times: wait for it, travel slower
                held = windows.reopen_h(t) - t
                if held > 0:
                    t += held
                    stall += held  # waiting, like a departure held at a closed origin
                travel *= windows.factor(t)
            t += travel
            moving += travel
            if facility is not None:  # the vehicle meets others: catch up with it
                t = yield from self._reach(t)
                q, c, h = _parts(facility, facility.visit(svc.vehicle, vid, svc.id, teu, t))
                t += q + c + h
                queue_h, inspection, handling = queue_h + q, inspection + c, handling + h
        yield from self._reach(t)
        corridor.record_arrival(row, teu)
        corridor.hand_over(
            load, self, vid, depart_h, LegParts(stall, moving, queue_h, inspection, handling)
        )

    def _reach(self, t: float) -> Generator[Event, Any, float]:
        """Let the model's clock catch up with a vehicle's clock ``t``; return the time then."""
        if t > self.env.now:
            yield self.env.timeout(t - self.env.now)
        return self.env.now


def _parts(facility: FacilityRuntime, times: VisitTimes) -> tuple[float, float, float]:
    """The (queue, clearance, handling) hours of a visit.

    At a post or lock its queue and clearance count as such; at a terminal or port everything
    there is handling.
    """
    q, s, i, t = times
    if facility.clears:
        return q, s + i, t
    return 0.0, 0.0, q + s + i + t
