"""Facilities at run time: border posts, terminals, ports and locks as SimPy resources.

A facility has one resource per kind of server it offers (``lanes`` for trucks and for ships in a
lock, ``tracks`` for trains, ``berths`` for ships and barges). A vehicle queues for a server, waits
while the facility is shut (outside its opening hours or in a closure window) holding its place,
then is served: clearance (with a share sent to detailed inspection) at a border post or lock,
handling at a terminal or port.
"""

from __future__ import annotations

import bisect
import datetime
import itertools
from collections.abc import Generator
from typing import Any

import simpy

from sim.model.streams import Stream
from sim.results.records import BACKGROUND, Recorder
from sim.scenario.schema import (
    CLEARING_KINDS,
    SERVER_OF_VEHICLE,
    Disruption,
    Facility,
    Horizon,
)

__all__ = ["FacilityRuntime", "Windows"]

_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
#: The vehicles of a facility's background traffic, by kind of facility (using the servers of
#: :data:`~sim.scenario.schema.BACKGROUND_SERVER`).
BACKGROUND_VEHICLE = {
    "border_post": "truck",
    "lock": "ship",
    "seaport": "ship",
    "river_port": "barge",
    "rail_terminal": "train",
    "road_terminal": "truck",
}


class Windows:
    """Closed and slowed windows of one node or link, with lookups by time."""

    def __init__(self, disruptions: list[Disruption]) -> None:
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


def month_starts_h(horizon: Horizon) -> tuple[list[float], list[int]]:
    """The hours at which each calendar month of the horizon starts, and its index (0 = Jan)."""
    starts, months, day = [0.0], [horizon.start.month - 1], horizon.start
    while True:
        day = (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
        t = horizon.hours(day)
        if t >= horizon.length_h:
            return starts, months
        starts.append(t)
        months.append(day.month - 1)


def next_open_h(t: float, hours: tuple[float, float] | None, windows: Windows) -> float:
    """The earliest time >= ``t`` inside the daily opening hours and outside closure windows."""
    while True:
        start = t
        if hours is not None:
            day, hour = divmod(t, 24.0)
            open_h, close_h = hours
            if hour < open_h:
                t = day * 24.0 + open_h
            elif hour >= close_h:
                t = (day + 1) * 24.0 + open_h
        t = windows.reopen_h(t)
        if t == start:
            return t


class FacilityRuntime:
    """One facility during a run: its resources, schedule of openings, and service times."""

    def __init__(
        self,
        env: simpy.Environment,
        spec: Facility,
        windows: Windows,
        stream: Stream,
        recorder: Recorder,
    ) -> None:
        self.env, self.spec, self.windows, self.stream = env, spec, windows, stream
        self.recorder = recorder
        self.resources: dict[str, simpy.Resource] = {
            server: simpy.Resource(env, capacity=n)
            for server in ("lanes", "tracks", "berths")
            if (n := getattr(spec, server))
        }
        self.clears = spec.kind in CLEARING_KINDS
        self.waiting = 0  # vehicles arrived and not yet in service, all server kinds together
        self.waiting_teu = 0.0  # and the TEU they carry
        self._unserved: dict[int, tuple[float, str]] = {}  # all waiting, other traffic too
        self._tickets = itertools.count()

    def server_for(self, vehicle: str) -> str:
        """The kind of server a vehicle uses here (a lock's lines are its ``lanes``)."""
        return "lanes" if self.spec.kind == "lock" else SERVER_OF_VEHICLE[vehicle]

    def serves(self, vehicle: str) -> bool:
        """Whether this facility has servers for ``vehicle``."""
        return self.server_for(vehicle) in self.resources

    def unserved(self) -> list[tuple[float, str]]:
        """(arrival hour, service) of every vehicle waiting for a server now."""
        return list(self._unserved.values())

    def next_open_h(self, t: float) -> float:
        """The earliest time >= ``t`` at which the facility is open."""
        return next_open_h(t, self.spec.opening_hours, self.windows)

    def _service_h(self, stream: Stream | None = None) -> tuple[float, float, bool]:
        """Draw (clearance or handling hours, inspection hours, inspected) for one vehicle."""
        spec, factor = self.spec, self.windows.factor(self.env.now)
        stream = stream or self.stream
        if not self.clears:
            return spec.handling_h * factor, 0.0, False
        clear = stream.positive(spec.clearance_h, spec.clearance_cv, spec.clearance_dist)
        inspected = spec.inspection_share > 0 and stream.uniform() < spec.inspection_share
        inspect = 0.0
        if inspected:
            inspect = stream.positive(spec.inspection_h, spec.clearance_cv, spec.clearance_dist)
        return clear * factor, inspect * factor, inspected

    def background(self, horizon: Horizon, stream: Stream) -> Generator[Any, Any, None]:
        """SimPy process: the other traffic of this facility, competing for its servers.

        Arrivals are Poisson at ``background_per_day`` (times the month's seasonal factor, by
        thinning), each standing for ``background_batch`` vehicles; they draw their service
        times from ``stream``, so the corridor's own draws are the same with or without them.
        """
        spec, env = self.spec, self.env
        raw = spec.background_seasonality  # rescaled so the year's mean day has factor 1
        mean = sum(f * d for f, d in zip(raw, _MONTH_DAYS, strict=True)) / sum(_MONTH_DAYS)
        season = [f / mean for f in raw]
        peak = max(season)  # thinning: draw at the peak rate, keep a share factor / peak
        rate_h = spec.background_per_day / 24.0 / spec.background_batch * peak
        vehicle = BACKGROUND_VEHICLE[spec.kind]
        if rate_h <= 0 or not self.serves(vehicle):
            return
        starts, months = month_starts_h(horizon)
        t = env.now
        while True:
            t += stream.exponential() / rate_h
            if t >= horizon.length_h:
                return
            month = months[bisect.bisect_right(starts, t) - 1]
            if stream.uniform() * peak < season[month]:  # kept: one event, not one per draw
                yield env.timeout(t - env.now)
                env.process(self.visit(vehicle, -1, BACKGROUND, 0.0, stream))

    def visit(
        self,
        vehicle: str,
        vehicle_id: int,
        service: str,
        teu: float = 0.0,
        stream: Stream | None = None,
    ) -> Generator[Any, Any, tuple[float, float, float, float]]:
        """Queue, wait for opening, be served, be released, transfer the load if required.

        Returns (queue_h, service_h, inspection_h, transfer_h); ``service_h`` includes the
        release off the servers.
        """
        env = self.env
        server = self.server_for(vehicle)
        resource = self.resources.get(server)
        arrive = env.now
        if resource is None:  # nothing to queue for: pass straight through
            return 0.0, 0.0, 0.0, 0.0
        own = service != BACKGROUND  # the queue log follows the corridor's own vehicles
        ticket = next(self._tickets)
        self._unserved[ticket] = (arrive, service)
        if own:  # arrived, not yet served: queueing for a server or for the opening
            self.waiting += 1
            self.waiting_teu += teu
            self.recorder.add("queue_lengths", self.spec.id, arrive, self.waiting, self.waiting_teu)
        with resource.request() as req:
            yield req
            opened = self.next_open_h(env.now)
            if opened > env.now:
                yield env.timeout(opened - env.now)
            start = env.now
            del self._unserved[ticket]
            if own:
                self.waiting -= 1
                self.waiting_teu -= teu
                self.recorder.add(
                    "queue_lengths", self.spec.id, start, self.waiting, self.waiting_teu
                )
            service_h, inspection_h, inspected = self._service_h(stream)
            if service == BACKGROUND and self.spec.background_batch > 1:
                service_h *= self.spec.background_batch
                inspection_h *= self.spec.background_batch
            if service_h + inspection_h > 0:
                yield env.timeout(service_h + inspection_h)
            self.recorder.add(
                "facility_visits",
                self.spec.id,
                server,
                vehicle_id,
                service,
                arrive,
                start,
                env.now,
                int(inspected),
            )
        factor = self.windows.factor(env.now)
        release_h = self.spec.release_h * factor if own else 0.0
        transfer_h = self.spec.transfer_h * factor if vehicle == "truck" and own else 0.0
        if release_h + transfer_h > 0:  # off the servers: release, reloading to another truck
            yield env.timeout(release_h + transfer_h)
        return start - arrive, service_h + release_h, inspection_h, transfer_h
