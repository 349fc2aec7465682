"""What happens at the corridor's nodes and links: facility operations, and disruptions.

Records of a checked scenario (see :mod:`sim.scenario.schema`); each field that is also a key of
the scenario file carries its kind, rule and default (:func:`~sim.scenario.checker.file_key`).
"""

from __future__ import annotations

from sim.scenario.checker import file_key, one_of, record, within
from sim.scenario.input_bounds import COUNT, CV, HOURS, MONTH_LIST, MONTHS, OPEN, POS_HOURS, SHARE
from sim.scenario.vocabulary import CLEARANCE_DISTS, EFFECTS, ClearanceDist, Effect

__all__ = ["Disruption", "Facility", "RandomDisruption"]

_EFFECT = one_of(*EFFECTS)
_FACTOR = within(1, 1000)


@record
class Facility:
    """Operating parameters of a node for this run: the network's values with scenario overrides.

    ``lanes`` serve trucks (and ships passing a lock), ``tracks`` trains, ``berths`` ships and
    barges; ``None`` where the node has none. ``handling_h`` is the time a vehicle holds its
    server at a terminal or port; ``handling_by_vehicle_h`` overrides it per kind of vehicle, as
    ``(vehicle, hours)`` pairs (at a port, a train's unloading on the rail tracks against a
    ship's call at a berth). ``clearance_dist`` is ``lognormal``, ``exponential``
    or ``deterministic``. ``transfer_h`` is the time each truck's load spends changing to a
    truck of the other side after clearance, off the lanes (0: trucks drive through).
    ``release_h`` is the time every vehicle of the corridor spends after its time on a server,
    off the servers, before it moves on: a truck's customs release after its lane check, a
    ship's passage through a lock's remaining steps after it has left the first chamber.
    ``dwell_h`` (mean, lognormal with ``dwell_cv``) is the time the boxes a vehicle brings here
    spend in the yard and in customs before they can leave on the next service or reach the
    consignee: one draw per vehicle load. ``dwell_by_vehicle_h`` overrides it for the boxes a
    kind of vehicle brings (at a port: import clearance for a ship's boxes, export clearance for a
    train's), as ``(vehicle, hours)`` pairs. ``background_per_day`` other vehicles a day (Poisson,
    monthly ``background_seasonality``) compete for the facility's servers: trucks at a border
    post, ships at a lock or port, trains at a rail terminal; each modelled arrival stands for
    ``background_batch`` vehicles and holds a server for that many service times.
    """

    id: str
    kind: str
    lanes: int | None = file_key("int", COUNT, default=None)
    tracks: int | None = file_key("int", COUNT, default=None)
    berths: int | None = file_key("int", COUNT, default=None)
    handling_h: float = file_key("float", HOURS, default=0.0)
    handling_by_vehicle_h: tuple[tuple[str, float], ...] = file_key("table", default=())
    clearance_h: float = file_key("float", POS_HOURS, default=0.0)
    clearance_cv: float = file_key("float", CV, default=0.0)
    clearance_dist: ClearanceDist = file_key("str", one_of(*CLEARANCE_DISTS), default="lognormal")
    inspection_share: float = file_key("float", SHARE, default=0.0)
    inspection_h: float = file_key("float", HOURS, default=0.0)
    opening_hours: tuple[float, float] | None = file_key("str", OPEN, default=None)
    transfer_h: float = file_key("float", HOURS, default=0.0)
    release_h: float = file_key("float", HOURS, default=0.0)
    dwell_h: float = file_key("float", HOURS, default=0.0)
    dwell_cv: float = file_key("float", CV, default=0.0)
    dwell_by_vehicle_h: tuple[tuple[str, float], ...] = file_key("table", default=())
    background_per_day: float = file_key("float", within(0, 100_000), default=0.0)
    background_batch: int = file_key("int", COUNT, default=1)
    background_seasonality: tuple[float, ...] = file_key("floats", MONTHS, default=(1.0,) * 12)

    def handling_for(self, vehicle: str) -> float:
        """Hours a ``vehicle`` (train, truck, ship, barge) holds its server here when handled."""
        return dict(self.handling_by_vehicle_h).get(vehicle, self.handling_h)

    def dwell_for(self, vehicle: str) -> float:
        """Mean dwell (hours) of the boxes a ``vehicle`` (train, truck, ship, barge) brings here."""
        return dict(self.dwell_by_vehicle_h).get(vehicle, self.dwell_h)


@record
class Disruption:
    """A window ``[start_h, end_h)`` in which a node or link is closed or slowed by ``factor``.

    At a facility with other traffic, ``held_share`` of the other vehicles due during the window
    know of it and hold back; ``returned_share`` of those come after it, evenly over
    ``return_days`` from its end, and the rest go elsewhere or not at all (0, 1, 0: no one
    reacts, the traffic arrives as in a normal year).
    """

    id: str
    target: str = file_key("str")
    start_h: float
    end_h: float
    effect: Effect = file_key("str", _EFFECT, default="close")
    factor: float = file_key("float", _FACTOR, default=1.0)
    held_share: float = file_key("float", SHARE, default=0.0)
    returned_share: float = file_key("float", SHARE, default=1.0)
    return_days: float = file_key("float", within(0, 366), default=0.0)


@record
class RandomDisruption:
    """Disruptions drawn anew in every replication (a typhoon season, say).

    On average ``events_per_year`` events, each starting at a uniformly random time within the
    ``months`` of the horizon and lasting a uniform ``days_min`` to ``days_max`` days.
    """

    id: str
    target: str = file_key("str")
    months: tuple[int, ...] = file_key("ints", MONTH_LIST)
    events_per_year: float = file_key("float", within(0, 365))
    days_min: float = file_key("float", within(0, 366, True))
    days_max: float = file_key("float", within(0, 366, True))
    effect: Effect = file_key("str", _EFFECT, default="close")
    factor: float = file_key("float", _FACTOR, default=1.0)
