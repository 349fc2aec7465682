"""The run's SimPy environment: it counts its events and handles arrivals between them inline.

Consignments that arrive from outside and must decide something on arrival (a market's, which
choose their chain) need the state of the run at their own time, but nothing else happens at that
time: each is handled just before the first event due after it, with the clock moved to its own
time, and costs no event. That is what a process waiting for a timeout to each arrival would do,
without the event (:class:`CountingEnvironment`).
"""

from __future__ import annotations

import heapq
from typing import Protocol

import simpy

__all__ = ["CountingEnvironment", "InlineArrivals"]


class InlineArrivals(Protocol):
    """A source of arrivals handled inline: the time of its next one, and handling it."""

    def next_time(self) -> float:
        """Time of the next arrival (hours; ``inf`` when there is none)."""
        ...

    def arrive(self) -> None:
        """Handle the next arrival, the clock being at its time."""
        ...


class CountingEnvironment(simpy.Environment):
    """A SimPy environment that tells how many events were scheduled in it.

    Sources added with :meth:`add_arrivals` have each arrival handled inline, in time order,
    before the first event due after it (an event due at the same time goes first).
    """

    def __init__(self) -> None:
        super().__init__()
        self._arrivals: list[tuple[float, int, InlineArrivals]] = []  # a heap by next time
        self._arrivals_end_h = float("inf")

    def count_events(self) -> int:
        """The number of events scheduled so far.

        SimPy numbers its events in turn, and this takes the next number: ask once the run is
        over (counting each event as it is scheduled would cost the run 3%).
        """
        return next(self._eid)

    def add_arrivals(self, sources: list[InlineArrivals], until_h: float) -> None:
        """Handle the arrivals of ``sources`` inline (once per run), those before ``until_h``.

        At one time, the sources' arrivals are handled in the order of ``sources``.
        """
        self._arrivals_end_h = until_h
        self._arrivals = [
            (t, order, source)
            for order, source in enumerate(sources)
            if (t := source.next_time()) < until_h
        ]
        heapq.heapify(self._arrivals)
        if self._arrivals:  # only then does a step look for arrivals first
            self.step = self._step_after_arrivals  # type: ignore[method-assign]

    def _step_after_arrivals(self) -> None:
        """Handle the arrivals due before the next event, each at its own time; then the event."""
        heap, end_h = self._arrivals, self._arrivals_end_h
        while heap and heap[0][0] < self.peek():
            t, order, source = heap[0]
            self._now = t
            source.arrive()
            if (t := source.next_time()) < end_h:
                heapq.heapreplace(heap, (t, order, source))
            else:
                heapq.heappop(heap)
        super().step()
