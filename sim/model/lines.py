"""Rail lines with a limited number of train paths: a queue for paths, in each direction.

A rail link with ``paths_per_day`` (see :class:`~sim.network.Link`) lets a train enter it only on
a free path: one every ``24 / paths_per_day`` hours in each direction, taken first come, first
served (a single-track section or a busy junction passes trains at a fixed headway). The line's
other trains (``other_trains_per_day``: passenger and other freight) arrive as a Poisson stream
in each direction, drawn for the whole run from the link's own ``line:<id>`` random stream, and
take their paths in turn with the corridor's trains. As at a facility, a train's start is known
when it arrives (the Lindley recursion on one server), so the queue costs no SimPy event. While
the link is closed no path starts: a train that meets a closure takes the first path after it.
Each direction has its own paths; a single-track section shares its paths between directions,
which the network gives as half its paths each way.
"""

from __future__ import annotations

import numpy as np

from sim.model.background import poisson_times
from sim.model.facilities import Windows
from sim.model.records import BACKGROUND
from sim.network import Link

__all__ = ["LineRuntime"]


class LineRuntime:
    """One rail link's train paths during a run, in both directions."""

    def __init__(
        self, link: Link, windows: Windows, length_h: float, rng: np.random.Generator | None
    ) -> None:
        assert link.paths_per_day is not None  # only lines with paths are made
        self.link, self.windows = link, windows
        self.headway_h = 24.0 / link.paths_per_day
        ends = (link.from_id, link.to_id)
        self._free_h = dict.fromkeys(ends, 0.0)  # when each direction's next path is free
        rate_h = link.other_trains_per_day / 24.0
        self._others: dict[str, list[float]] = {}
        for end in ends:
            times: list[float] = []
            if rng is not None and rate_h > 0:
                chunk = int(rate_h * length_h * 1.2) + 64
                times = poisson_times(rng, rate_h, length_h, chunk).tolist()
            self._others[end] = times
        self._next = dict.fromkeys(ends, 0)
        self._other_starts: dict[str, list[float]] = {end: [] for end in ends}
        #: The corridor's trains: (entry node, vehicle, service, arrive_h, start_h).
        self.visits: list[tuple[str, int, str, float, float]] = []

    def _catch_up(self, entry: str, t: float) -> None:
        """The other trains that reached the line at ``entry`` by ``t`` take their paths."""
        arrivals, i, free = self._others[entry], self._next[entry], self._free_h[entry]
        starts = self._other_starts[entry]
        while i < len(arrivals) and arrivals[i] <= t:
            start = self.windows.reopen_h(max(arrivals[i], free))
            starts.append(start)
            free = start + self.headway_h
            i += 1
        self._next[entry], self._free_h[entry] = i, free

    def take_path(self, entry: str, t: float, vehicle: int, service: str) -> float:
        """A train reaches the line at node ``entry`` at ``t``: when its path starts.

        Call it at the train's arrival, in time order with every other arrival at this line.
        """
        self._catch_up(entry, t)
        start = self.windows.reopen_h(max(t, self._free_h[entry]))
        self._free_h[entry] = start + self.headway_h
        self.visits.append((entry, vehicle, service, t, start))
        return start

    def log(self, until_h: float) -> dict[str, np.ndarray]:
        """The rows of ``line_visits``: every train that took a path before ``until_h``."""
        for entry in self._others:
            self._catch_up(entry, np.nextafter(until_h, -np.inf))
        rows = [v for v in self.visits if v[4] < until_h]
        for entry, arrivals in self._others.items():
            starts = self._other_starts[entry]
            rows += [
                (entry, -1, BACKGROUND, a, s)
                for a, s in zip(arrivals, starts, strict=False)
                if s < until_h
            ]
        rows.sort(key=lambda r: r[4])
        return {
            "link": np.full(len(rows), self.link.id, dtype=object),
            "node_from": np.array([r[0] for r in rows], dtype=object),
            "vehicle": np.array([r[1] for r in rows], dtype=np.int64),
            "service": np.array([r[2] for r in rows], dtype=object),
            "arrive_h": np.array([r[3] for r in rows], dtype=float),
            "start_h": np.array([r[4] for r in rows], dtype=float),
        }
