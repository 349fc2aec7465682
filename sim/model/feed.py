"""External arrivals of one service, made into consignments only when the model looks at them.

A service's queue matters only when it decides something: at a timetable slot, when a transfer
arrives, when a vehicle fills or waits too long. Between those moments, consignments that arrive
from outside need no event of their own: :class:`ArrivalFeed` keeps the flows' arrival times (drawn
a chunk at a time), merges them in time order, and hands over every arrival up to "now" on demand.
It also answers "when will the pending arrivals bring this much TEU?", so that a service that leaves
when full can schedule its departure without an event per consignment.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np

from sim.model.demand import arrival_times, booked_times

if TYPE_CHECKING:
    from sim.model.services import FlowRuntime
    from sim.model.streams import Streams
    from sim.scenario.schema import Flow, Horizon, Service

__all__ = ["ArrivalFeed"]

_EPS_H = 1e-9  # arrivals this close after "now" count as now (floating-point clock)

#: A flow's arrivals a chunk at a time: (arrival times in hours, consignment sizes in TEU).
Chunks = Iterator[tuple["np.ndarray", "np.ndarray"]]


class _Source:
    """One flow's arrivals: (times, sizes) chunks and a read position."""

    def __init__(self, flow: FlowRuntime, chunks: Chunks) -> None:
        self.flow, self.chunks = flow, chunks
        self.times, self.sizes, self.pos = np.empty(0), np.empty(0), 0
        self.done = False
        self.advance()

    def advance(self) -> None:
        """Load the next chunk once the current one is used up."""
        while not self.done and self.pos >= len(self.times):
            nxt = next(self.chunks, None)
            if nxt is None:
                self.done = True
            else:
                (self.times, self.sizes), self.pos = nxt, 0


class ArrivalFeed:
    """The merged, time-ordered external arrivals of the flows that start with one service."""

    def __init__(self, sources: list[tuple[FlowRuntime, Chunks]]) -> None:
        self._sources = [_Source(flow, chunks) for flow, chunks in sources]
        self.times: list[float] = []
        self.teu: list[float] = []
        self.flows: list[FlowRuntime] = []
        self._next = 0  # first pending index

    @classmethod
    def for_flows(cls, flows: list[FlowRuntime], horizon: Horizon, streams: Streams) -> ArrivalFeed:
        """Build the feed of ``flows`` (runtime flows: ``.spec``, ``.chain``) from their streams.

        Booked arrivals are handed in for the departures of each flow's own first service, in a
        route-choice market too (the same consignments arrive whichever chain they then take).
        """
        return cls([(f, _chunks(f.spec, horizon, streams, f.chain[0].service)) for f in flows])

    def _refill(self) -> bool:
        """Merge the next stretch of arrivals into the buffer; False when none are left."""
        live = [s for s in self._sources if not s.done]
        if not live:
            return False
        limit = min(float(s.times[-1]) for s in live)  # every arrival up to here is known
        times, sizes, owners = [], [], []
        for s in live:
            end = int(np.searchsorted(s.times, limit, side="right"))
            times.append(s.times[s.pos : end])
            sizes.append(s.sizes[s.pos : end])
            owners += [s.flow] * (end - s.pos)
            s.pos = end
            s.advance()
        t = np.concatenate(times)
        order = np.argsort(t, kind="stable")
        del self.times[: self._next], self.teu[: self._next], self.flows[: self._next]
        self._next = 0
        self.times += t[order].tolist()
        self.teu += np.concatenate(sizes)[order].tolist()
        self.flows += [owners[i] for i in order.tolist()]
        return True

    def next_time(self) -> float:
        """Time of the next pending arrival (``inf`` when there is none)."""
        while self._next >= len(self.times):
            if not self._refill():
                return math.inf
        return self.times[self._next]

    def pop(self) -> tuple[float, float, FlowRuntime]:
        """The next pending arrival, as (time, TEU, flow); call :meth:`next_time` first."""
        i = self._next
        self._next = i + 1
        return self.times[i], self.teu[i], self.flows[i]

    def take_until(self, now: float) -> list[tuple[float, float, FlowRuntime]]:
        """Every pending arrival up to ``now``, as (time, TEU, flow), in time order."""
        out: list[tuple[float, float, FlowRuntime]] = []
        while self.next_time() <= now + _EPS_H:
            start, end = self._next, len(self.times)
            cut = start
            while cut < end and self.times[cut] <= now + _EPS_H:
                cut += 1
            out += zip(
                self.times[start:cut], self.teu[start:cut], self.flows[start:cut], strict=True
            )
            self._next = cut
        return out

    def time_of_teu(self, teu: float) -> float:
        """When the pending arrivals will have brought ``teu`` in all (``inf`` if never)."""
        total, i = 0.0, self._next
        while True:
            if i >= len(self.times):
                consumed = i - self._next
                if not self._refill():
                    return math.inf
                i = self._next + consumed
                continue
            total += self.teu[i]
            if total >= teu - 1e-9:
                return self.times[i]
            i += 1


def _chunks(flow: Flow, horizon: Horizon, streams: Streams, first: Service) -> Chunks:
    """The flow's arrival times with their consignment sizes, a chunk at a time."""
    cutoffs = None
    if flow.arrivals == "booked":
        cutoffs = np.asarray(first.slots_h(horizon), dtype=float) - first.cutoff_h
    rng = streams[f"arrivals:{flow.id}"].rng
    size_rng = streams[f"sizes:{flow.id}"].rng
    values = np.asarray(flow.size_teu, dtype=float)
    cumulative = np.cumsum(flow.size_p)
    for times in arrival_times(flow, horizon, rng):
        if cutoffs is not None:
            times = booked_times(times, cutoffs, flow.booking_h)
        if len(values) == 1:
            sizes = np.full(len(times), values[0])
        else:
            picks = np.searchsorted(cumulative, size_rng.random(len(times)), side="right")
            sizes = values[np.minimum(picks, len(values) - 1)]
        yield times, sizes
