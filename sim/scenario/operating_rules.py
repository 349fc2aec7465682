"""The corridor's operating rules, written once for the engine and for the chain cost model.

Which server a vehicle takes at a facility, where a service's vehicles stop on their way, where a
train changes gauge, what a vehicle spends off the servers, how long its boxes dwell at the end,
and when a facility is next open:
:mod:`sim.model` runs these rules and :mod:`sim.choice.costs` prices a chain by them, so the two
cannot drift apart. (A timetable's slots are :meth:`~sim.scenario.schema.Service.slots_h`.)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from sim.network import Link
from sim.scenario.schema import Facility, Service
from sim.scenario.vocabulary import CLEARING_KINDS, LINER_VEHICLES, PORT_KINDS, SERVER_OF_VEHICLE

__all__ = [
    "BACKGROUND_VEHICLE",
    "dwell_at_end",
    "gauge_changes",
    "next_open_h",
    "off_server_h",
    "server_for",
    "serves",
    "stops",
    "transfer_h",
]

#: The vehicles of a facility's other traffic (``background_per_day``), by kind of facility.
BACKGROUND_VEHICLE = {
    "border_post": "truck",
    "lock": "ship",
    "seaport": "ship",
    "river_port": "barge",
    "rail_terminal": "train",
    "road_terminal": "truck",
}


def dwell_at_end(service: Service, facilities: Mapping[str, Facility]) -> tuple[float, float]:
    """Mean (hours) and cv of the dwell of the boxes a vehicle of ``service`` brings to its end.

    The boxes sit in the yard and customs of the facility at the end of the service's path: the
    engine draws one lognormal dwell per vehicle load, route choice prices its mean and spread.
    The service's own ``dwell_at_end_h``, when set, takes the place of the facility's mean (its
    cv holds). ``(0.0, 0.0)`` where the path ends at no facility.
    """
    end = facilities.get(service.destination)
    if end is None:
        return 0.0, 0.0
    own = service.dwell_at_end_h
    return (end.dwell_for(service.vehicle) if own is None else own), end.dwell_cv


def server_for(kind: str, vehicle: str) -> str:
    """The kind of server a ``vehicle`` takes at a facility of ``kind``.

    A lock's lines are its ``lanes``, for every vehicle.
    """
    return "lanes" if kind == "lock" else SERVER_OF_VEHICLE[vehicle]


def serves(facility: Facility | None, vehicle: str) -> bool:
    """Whether ``facility`` has servers for ``vehicle`` (so the vehicle stops there)."""
    return facility is not None and bool(getattr(facility, server_for(facility.kind, vehicle)))


def stops(service: Service, facilities: Mapping[str, Facility]) -> list[Facility | None]:
    """The facility a vehicle of ``service`` stops at the far end of each of its links, or None.

    On its way it stops at border posts and locks that have servers for it, and a liner (ship,
    barge) calls at the ports on its path; at the end of its path it stops wherever there are
    servers for it (a terminal, port, post or lock).
    """
    vehicle, path = service.vehicle, service.path
    liner = vehicle in LINER_VEHICLES
    out: list[Facility | None] = []
    for i, node in enumerate(path[1:], start=1):
        fac = facilities.get(node)
        last = i == len(path) - 1
        on_way = fac is not None and (
            fac.kind in CLEARING_KINDS or (liner and fac.kind in PORT_KINDS)
        )
        out.append(fac if serves(fac, vehicle) and (last or on_way) else None)
    return out


def gauge_changes(service: Service, links: Sequence[Link]) -> list[bool]:
    """For each link of ``service``, whether its train changes gauge before it (never the first).

    A train changes where two consecutive links share no gauge (``1435/1000`` is dual gauge).
    """
    gauges = [set((lk.gauge_mm or "").split("/")) for lk in links]
    return [False] + [
        service.vehicle == "train" and not (gauges[i - 1] & gauges[i]) for i in range(1, len(links))
    ]


def transfer_h(facility: Facility, vehicle: str) -> float:
    """Hours a ``vehicle``'s load takes to change to a vehicle of the other side (trucks only)."""
    return facility.transfer_h if vehicle == "truck" else 0.0


def off_server_h(facility: Facility, vehicle: str) -> float:
    """Hours a vehicle spends at ``facility`` after its server, before it moves on (unslowed).

    The release off the servers, then the change of its load (:func:`transfer_h`).
    """
    return facility.release_h + transfer_h(facility, vehicle)


def next_open_h(
    t: float, opening_hours: tuple[float, float] | None, reopen_h: Callable[[float], float]
) -> float:
    """The earliest time >= ``t`` inside the daily ``opening_hours`` and outside every closure.

    ``reopen_h(t)`` gives the earliest time >= ``t`` outside the closures that count (all of
    them in the engine; those already announced in the chain cost model).
    """
    while True:
        start = t
        if opening_hours is not None:
            day, hour = divmod(t, 24.0)
            open_h, close_h = opening_hours
            if hour < open_h:
                t = day * 24.0 + open_h
            elif hour >= close_h:
                t = (day + 1) * 24.0 + open_h
        t = reopen_h(t)
        if t == start:
            return t
