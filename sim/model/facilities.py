"""Facilities at run time: border posts, terminals, ports and locks as first-come servers.

A facility has one set of identical servers per kind it offers (``lanes`` for trucks and for
ships in a lock, ``tracks`` for trains, ``berths`` for ships and barges). A vehicle queues for a
server, waits while the facility is shut (outside its opening hours or in a closure window)
holding its place, then is served: clearance (with a share sent to detailed inspection) at a
border post or lock, handling at a terminal or port; then it is released off the servers.

Servers are taken first come, first served, and a vehicle's service time is drawn when it is
served, from what is known then (the opening hours, closures and slow-downs are fixed for the
run). So when a vehicle arrives, the time it will start and end is already determined by those
who arrived before it: :class:`Servers` keeps when each server is next free (the multi-server
Lindley recursion), and a visit costs the vehicle one SimPy event, not a request, a release and
a timeout each. The other traffic (:mod:`sim.model.background`) is drawn for the whole run and
served in the same order as it is reached, with no event at all.
"""

from __future__ import annotations

import bisect
import heapq
import math
from typing import NamedTuple

import numpy as np

from sim.model.background import BackgroundTraffic
from sim.model.records import BACKGROUND
from sim.model.streams import Stream
from sim.scenario.operating_rules import BACKGROUND_VEHICLE, next_open_h, server_for, transfer_h
from sim.scenario.schema import Disruption, Facility, Horizon
from sim.scenario.vocabulary import CLEARING_KINDS

__all__ = ["FacilityRuntime", "Servers", "VisitTimes", "Windows"]

_SERVERS = ("lanes", "tracks", "berths")


class Windows:
    """Closed and slowed windows of one node or link, with lookups by time."""

    def __init__(self, disruptions: list[Disruption]) -> None:
        self.disruptions = disruptions
        closed = sorted((d.start_h, d.end_h) for d in disruptions if d.effect == "close")
        merged: list[list[float]] = []
        for start, end in closed:
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self.starts = [w[0] for w in merged]
        self.ends = [w[1] for w in merged]
        self.slow = [(d.start_h, d.end_h, d.factor) for d in disruptions if d.effect == "slow"]
        self.active = bool(self.starts or self.slow)

    def reopen_h(self, t: float) -> float:
        """The earliest time >= ``t`` outside every closure window."""
        i = bisect.bisect_right(self.starts, t) - 1
        return self.ends[i] if i >= 0 and t < self.ends[i] else t

    def factor(self, t: float) -> float:
        """Time multiplier in force at ``t`` (product of the slow windows covering it)."""
        f = 1.0
        for start, end, factor in self.slow:
            if start <= t < end:
                f *= factor
        return f


class VisitTimes(NamedTuple):
    """The hours a vehicle spends at a facility, by part; they sum to :attr:`total_h`."""

    queue_h: float  # for a server and for the opening
    service_h: float  # clearance or handling, and the release off the servers
    inspection_h: float
    transfer_h: float  # a truck's load moving to a truck of the other side

    @property
    def total_h(self) -> float:
        """From arrival to leaving the facility."""
        return self.queue_h + self.service_h + self.inspection_h + self.transfer_h


_PASS = VisitTimes(0.0, 0.0, 0.0, 0.0)


class Servers:
    """``capacity`` identical servers taken first come, first served.

    :meth:`start_h` and :meth:`hold` must be called in the order vehicles arrive: then a
    vehicle's start is the later of its arrival and the earliest time a server is free.
    """

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._free_h = [0.0] * capacity  # a heap: when each server is next free
        self._starts: list[float] = []  # of the visits not known to be over, in arrival order
        self._ends: list[float] = []
        self._head = 0
        #: The last :meth:`occupancy` and the times it holds for: [from, until).
        self._seen: tuple[float, float, tuple[int, int]] = (math.inf, -math.inf, (0, 0))

    def start_h(self, arrive_h: float) -> float:
        """When a vehicle arriving now would get a server."""
        free = self._free_h[0]
        return free if free > arrive_h else arrive_h

    def hold(self, start_h: float, end_h: float, now_h: float) -> None:
        """Take the server free first from ``start_h`` (shut or not) until ``end_h``.

        ``now_h`` is the arrival: visits over by then are forgotten, a batch at a time.
        """
        heapq.heapreplace(self._free_h, end_h)
        self._seen = (math.inf, -math.inf, (0, 0))
        self._starts.append(start_h)
        self._ends.append(end_h)
        if len(self._ends) - self._head > 8192:
            self._forget(now_h)

    def _forget(self, t: float) -> None:
        """Drop the leading visits over by ``t`` (no later look can see them)."""
        starts, ends, head = self._starts, self._ends, self._head
        while head < len(ends) and ends[head] <= t:
            head += 1
        if head > 4096:
            del starts[:head], ends[:head]
            head = 0
        self._head = head

    def occupancy(self, t: float) -> tuple[int, int]:
        """(vehicles queueing, vehicles holding a server) at ``t``, of those arrived by ``t``.

        It stays the same until the next vehicle starts or ends its service, or another comes.
        """
        seen_from, seen_until, seen = self._seen
        if seen_from <= t < seen_until:
            return seen
        self._forget(t)
        starts, ends, head = self._starts, self._ends, self._head
        split = bisect.bisect_right(starts, t, lo=head)
        serving = [end for end in ends[head:split] if end > t]
        until = min(serving, default=math.inf)
        if split < len(starts):
            until = min(until, starts[split])
        occupancy = (len(starts) - split, len(serving))
        self._seen = (t, until, occupancy)
        return occupancy


class FacilityRuntime:
    """One facility during a run: its servers, opening schedule, service draws and visit log."""

    def __init__(
        self,
        spec: Facility,
        windows: Windows,
        stream: Stream,
        horizon: Horizon,
        background_rng: np.random.Generator | None,
    ) -> None:
        self.spec, self.windows, self.stream = spec, windows, stream
        self.servers = {s: Servers(n) for s in _SERVERS if (n := getattr(spec, s))}
        self.clears = spec.kind in CLEARING_KINDS
        self._visits: list[tuple[str, int, str, float, float, float, int, float]] = []
        vehicle = BACKGROUND_VEHICLE[spec.kind]
        self._bg_servers = self.servers.get(self.server_for(vehicle))
        self.background = (
            BackgroundTraffic.draw(spec, horizon, background_rng, self.clears).held_back(
                windows.disruptions, background_rng
            )
            if background_rng is not None and self._bg_servers is not None
            else BackgroundTraffic.none()
        )
        n = len(self.background.arrive_h)
        self._bg_arrive = self.background.arrive_h.tolist()
        self._bg_work = self.background.work_h.tolist()
        self._bg_start = np.full(n, np.inf)
        self._bg_end = np.full(n, np.inf)
        self._bg_next = 0

    def server_for(self, vehicle: str) -> str:
        """The kind of server a vehicle uses here (a lock's lines are its ``lanes``)."""
        return server_for(self.spec.kind, vehicle)

    def serves(self, vehicle: str) -> bool:
        """Whether this facility has servers for ``vehicle``."""
        return self.server_for(vehicle) in self.servers

    def next_open_h(self, t: float) -> float:
        """The earliest time >= ``t`` at which the facility is open."""
        return next_open_h(t, self.spec.opening_hours, self.windows.reopen_h)

    def occupancy(self, vehicle: str, t: float) -> tuple[int, int, int] | None:
        """(queueing, holding a server, servers) for ``vehicle``'s kind at ``t``; None if none."""
        servers = self.servers.get(self.server_for(vehicle))
        if servers is None:
            return None
        self._catch_up(t)
        return (*servers.occupancy(t), servers.capacity)

    def _catch_up(self, t: float) -> None:
        """Serve the other traffic that has arrived by ``t`` (it was drawn for the whole run)."""
        i, arrive = self._bg_next, self._bg_arrive
        if i >= len(arrive) or arrive[i] > t:
            return
        servers, work, factor = self._bg_servers, self._bg_work, self.windows.factor
        assert servers is not None  # there is other traffic only where it has servers
        starts, ends, n = self._bg_start, self._bg_end, len(arrive)
        while i < n and arrive[i] <= t:
            taken = servers.start_h(arrive[i])
            opened = self.next_open_h(taken)  # holding the server while shut
            end = opened + work[i] * factor(opened)
            servers.hold(taken, end, arrive[i])
            starts[i], ends[i] = opened, end
            i += 1
        self._bg_next = i

    def _draw_service(self, vehicle: str, at_h: float) -> tuple[float, float, bool]:
        """Draw (clearance or handling hours, inspection hours, inspected) for one vehicle."""
        spec, factor, stream = self.spec, self.windows.factor(at_h), self.stream
        if not self.clears:
            return spec.handling_for(vehicle) * factor, 0.0, False
        clear = stream.positive(spec.clearance_h, spec.clearance_cv, spec.clearance_dist)
        inspected = spec.inspection_share > 0 and stream.uniform() < spec.inspection_share
        inspect = 0.0
        if inspected:
            inspect = stream.positive(spec.inspection_h, spec.clearance_cv, spec.clearance_dist)
        return clear * factor, inspect * factor, inspected

    def visit(
        self, vehicle: str, vehicle_id: int, service: str, teu: float, now: float
    ) -> VisitTimes:
        """A corridor vehicle arrives ``now``: queue, wait for opening, be served, released.

        Call it at the vehicle's arrival (in time order with every other arrival here).
        """
        server = self.server_for(vehicle)
        servers = self.servers.get(server)
        if servers is None:  # nothing to queue for: pass straight through
            return _PASS
        self._catch_up(now)
        taken = servers.start_h(now)
        start = self.next_open_h(taken)  # holding the server while shut
        service_h, inspection_h, inspected = self._draw_service(vehicle, start)
        end = start + service_h + inspection_h
        servers.hold(taken, end, now)
        self._visits.append((server, vehicle_id, service, now, start, end, int(inspected), teu))
        factor = self.windows.factor(end)
        release_h = self.spec.release_h * factor
        change_h = transfer_h(self.spec, vehicle) * factor
        return VisitTimes(start - now, service_h + release_h, inspection_h, change_h)

    def log(self, until_h: float) -> dict[str, dict[str, np.ndarray]]:
        """The rows of ``facility_visits``, ``queue_lengths`` and ``unserved`` up to ``until_h``.

        A visit has its row once its service has ended; a vehicle not yet served is in
        ``unserved``; the queue log follows the corridor's own vehicles, waiting from their
        arrival to their start (the wait for an opening included).
        """
        self._catch_up(np.nextafter(until_h, -np.inf))
        own = self._visits
        server = [v[0] for v in own]
        vid = [v[1] for v in own]
        service = [v[2] for v in own]
        cols = np.array([v[3:] for v in own], dtype=float).reshape(len(own), 5)
        arrive, start, end, inspected, teu = cols.T
        bg_server = self.server_for(BACKGROUND_VEHICLE[self.spec.kind])
        k = self._bg_next
        bg = self.background
        all_arrive = np.concatenate([arrive, bg.arrive_h[:k]])
        all_start = np.concatenate([start, self._bg_start[:k]])
        all_end = np.concatenate([end, self._bg_end[:k]])
        all_service = np.array(service + [BACKGROUND] * k, dtype=object)
        done = np.flatnonzero(all_end < until_h)
        done = done[np.argsort(all_end[done], kind="stable")]
        visits = {
            "node": np.full(len(done), self.spec.id, dtype=object),
            "server": np.array(server + [bg_server] * k, dtype=object)[done],
            "vehicle": np.concatenate([np.asarray(vid, dtype=np.int64), np.full(k, -1)])[done],
            "service": all_service[done],
            "arrive_h": all_arrive[done],
            "start_h": all_start[done],
            "end_h": all_end[done],
            "inspected": np.concatenate([inspected, bg.inspected[:k]]).astype(np.int64)[done],
        }
        waiting = np.flatnonzero(all_start >= until_h)
        unserved = {
            "node": np.full(len(waiting), self.spec.id, dtype=object),
            "service": all_service[waiting],
            "arrive_h": all_arrive[waiting],
        }
        return {
            "facility_visits": visits,
            "queue_lengths": _queue_log(self.spec.id, arrive, start, teu, until_h),
            "unserved": unserved,
        }


def _queue_log(
    node: str, arrive: np.ndarray, start: np.ndarray, teu: np.ndarray, until_h: float
) -> dict[str, np.ndarray]:
    """The corridor's vehicles waiting at a facility after every arrival and every start.

    One row per moment: a vehicle that arrives and starts at once never shows as waiting.
    """
    n = len(arrive)
    times = np.empty(2 * n)
    times[0::2], times[1::2] = arrive, start  # each vehicle's arrival, then its start
    steps = np.tile([1, -1], n)
    loads = np.repeat(teu, 2) * steps
    seen = times < until_h
    times, steps, loads = times[seen], steps[seen], loads[seen]
    order = np.argsort(times, kind="stable")
    times = times[order]
    teu_waiting = np.cumsum(loads[order])
    vehicles = np.cumsum(steps[order]).astype(np.int64)
    last = np.append(times[1:] != times[:-1], len(times) > 0)[: len(times)]  # all in at each time
    return {
        "node": np.full(int(last.sum()), node, dtype=object),
        "time_h": times[last],
        "vehicles": vehicles[last],
        "teu": np.where(np.abs(teu_waiting[last]) < 1e-9, 0.0, teu_waiting[last]),
    }
