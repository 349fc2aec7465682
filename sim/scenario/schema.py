"""A scenario as frozen data: horizon, services, demand flows, facility operations, disruptions.

These records are what :func:`sim.load_scenario` returns after merging ``extends`` chains and
overrides and checking every rule; the model reads them and never changes them. Times are hours
from the start of the horizon (00:00 China time on ``horizon.start``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from sim.network import Network

__all__ = [
    "ARRIVAL_PROCESSES",
    "CHAIN_FAMILIES",
    "CHOICE_MODELS",
    "CLEARING_KINDS",
    "DISPATCH_RULES",
    "LINER_VEHICLES",
    "PORT_KINDS",
    "SERVER_OF_VEHICLE",
    "SERVICE_FAMILIES",
    "VEHICLE_MODES",
    "Choice",
    "Disruption",
    "Facility",
    "Flow",
    "Horizon",
    "RandomDisruption",
    "Scenario",
    "Service",
]

#: Service families: departures are counted per family.
SERVICE_FAMILIES = ("rail_sea", "intl_rail", "road", "sea", "river")
#: Chains a flow can follow door to door (door-to-door KPIs are grouped by chain).
CHAIN_FAMILIES = ("rail_sea", "road", "intl_rail", "river_sea")
#: The network mode each kind of vehicle runs on.
VEHICLE_MODES = {"train": "rail", "truck": "road", "ship": "sea", "barge": "river"}
#: Which server a vehicle uses at a facility (a lock's lines are its ``lanes``, for every vehicle).
SERVER_OF_VEHICLE = {"train": "tracks", "truck": "lanes", "ship": "berths", "barge": "berths"}
#: Facilities that clear vehicles (clearance and inspection) rather than handle their load.
CLEARING_KINDS = ("border_post", "lock")
#: Facilities where a ship or barge on its way calls (a liner loop's ports).
PORT_KINDS = ("seaport", "river_port")
#: Vehicles that call at the ports on their path.
LINER_VEHICLES = ("ship", "barge")
#: How a service decides to depart.
DISPATCH_RULES = ("timetable", "when_full")
#: How consignments choose their chain: each flow keeps its own, or a logit over a market's flows.
CHOICE_MODELS = ("fixed", "logit")
#: How consignments of a flow arrive: a Poisson process, evenly spaced in expected arrivals, or
#: a Poisson process handed in for the departures of the chain's first (timetabled) service.
ARRIVAL_PROCESSES = ("poisson", "regular", "booked")


@dataclass(frozen=True)
class Horizon:
    """Simulated period ``[start, end)`` with a warm-up excluded from the KPIs."""

    start: dt.date
    end: dt.date
    warmup_days: float = 0.0

    @property
    def length_h(self) -> float:
        """Length of the horizon in hours."""
        return (self.end - self.start).days * 24.0

    @property
    def warmup_h(self) -> float:
        """Length of the warm-up in hours."""
        return self.warmup_days * 24.0

    def hours(self, when: dt.date | dt.datetime) -> float:
        """Hours from the start of the horizon to ``when`` (a date means its 00:00)."""
        if not isinstance(when, dt.datetime):
            when = dt.datetime.combine(when, dt.time())
        return (when - dt.datetime.combine(self.start, dt.time())).total_seconds() / 3600.0


@dataclass(frozen=True)
class Service:
    """A named service running vehicles along a path of nodes, with a dispatch rule.

    ``days`` are weekdays (0 = Monday) and ``times_h`` hours of the day of the timetable slots.
    A consignment must be ready ``cutoff_h`` before a departure to board it. Under ``timetable``, a
    slot with less than ``min_load_teu`` ready is cancelled (its freight waits for the next
    departure); with ``extra_when_full`` an extra vehicle leaves whenever a full load waits. Under
    ``when_full``, a vehicle leaves when full, or once the first consignment has waited
    ``max_wait_h`` and at least ``min_load_teu`` waits (whichever of the two comes later). The
    scenario key ``min_load_share`` raises ``min_load_teu`` to that share of ``capacity_teu``.
    ``tariff_cny_per_teu`` is what a shipper pays for the leg (route choice reads it).
    ``capacity_teu`` is the corridor's room on each vehicle: :attr:`vehicle_teu` (the scenario's
    ``capacity_teu``) times ``corridor_share``, the share of a liner's slots open to the
    corridor's freight (the rest carries the port's other cargo). A consignment ready for a
    departure that leaves full without it is rolled to the next.
    """

    id: str
    family: str
    vehicle: str
    path: tuple[str, ...]
    links: tuple[str, ...]
    capacity_teu: float
    dispatch: str = "timetable"
    days: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)
    times_h: tuple[float, ...] = (12.0,)
    min_load_teu: float = 0.0
    max_wait_h: float = 168.0
    cutoff_h: float = 0.0
    extra_when_full: bool = False
    tariff_cny_per_teu: float | None = None
    corridor_share: float = 1.0

    def slots_h(self, horizon: Horizon, beyond_days: int = 0) -> list[float]:
        """Timetable departure times (hours from the start), in order, within the horizon.

        ``beyond_days`` extends the list past the end of the horizon (for expected waits).
        """
        first_weekday, days = horizon.start.weekday(), set(self.days)
        end_h = horizon.length_h + 24.0 * beyond_days
        return [
            slot
            for day in range(math.ceil(end_h / 24.0))
            if (first_weekday + day) % 7 in days
            for t in self.times_h
            if (slot := day * 24.0 + t) < end_h
        ]

    @property
    def vehicle_teu(self) -> float:
        """The whole vehicle's capacity (TEU), the corridor's and the other cargo's."""
        return self.capacity_teu / self.corridor_share

    @property
    def origin(self) -> str:
        """First node of the path."""
        return self.path[0]

    @property
    def destination(self) -> str:
        """Last node of the path."""
        return self.path[-1]


@dataclass(frozen=True)
class Flow:
    """Demand from an origin to a destination along a chain of services.

    Consignments arrive as a non-homogeneous Poisson process (``arrivals = "poisson"``), or evenly
    spaced in expected arrivals (``"regular"``: the k-th arrives when k - 1/2 are expected), at a
    rate that follows ``seasonality``
    (12 monthly factors, rescaled so that the year's mean is 1) and whose sizes are drawn from
    ``size_teu`` with probabilities ``size_p``; the expected TEU per year is ``teu_per_year``.
    ``"booked"`` arrivals are shippers who know the timetable of the chain's first service: the
    Poisson arrivals between two cut-offs are handed in during the last ``booking_h`` hours
    before the second (:func:`sim.model.demand.booked_times`).
    """

    id: str
    origin: str
    destination: str
    direction: str
    teu_per_year: float
    chain: tuple[str, ...]
    chain_family: str
    commodity: str = "general"
    seasonality: tuple[float, ...] = (1.0,) * 12
    size_teu: tuple[float, ...] = (1.0,)
    size_p: tuple[float, ...] = (1.0,)
    arrivals: str = "poisson"
    booking_h: float = 24.0

    @property
    def mean_size_teu(self) -> float:
        """Expected consignment size."""
        return sum(s * p for s, p in zip(self.size_teu, self.size_p, strict=True))


@dataclass(frozen=True)
class Facility:
    """Operating parameters of a node for this run: the network's values with scenario overrides.

    ``lanes`` serve trucks (and ships passing a lock), ``tracks`` trains, ``berths`` ships and
    barges; ``None`` where the node has none. ``clearance_dist`` is ``lognormal``, ``exponential``
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
    lanes: int | None = None
    tracks: int | None = None
    berths: int | None = None
    handling_h: float = 0.0
    clearance_h: float = 0.0
    clearance_cv: float = 0.0
    clearance_dist: str = "lognormal"
    inspection_share: float = 0.0
    inspection_h: float = 0.0
    opening_hours: tuple[float, float] | None = None
    transfer_h: float = 0.0
    release_h: float = 0.0
    dwell_h: float = 0.0
    dwell_cv: float = 0.0
    dwell_by_vehicle_h: tuple[tuple[str, float], ...] = ()
    background_per_day: float = 0.0
    background_batch: int = 1
    background_seasonality: tuple[float, ...] = (1.0,) * 12

    def dwell_for(self, vehicle: str) -> float:
        """Mean dwell (hours) of the boxes a ``vehicle`` (train, truck, ship, barge) brings here."""
        return dict(self.dwell_by_vehicle_h).get(vehicle, self.dwell_h)


@dataclass(frozen=True)
class Disruption:
    """A window ``[start_h, end_h)`` in which a node or link is closed or slowed by ``factor``."""

    id: str
    target: str
    start_h: float
    end_h: float
    effect: str = "close"
    factor: float = 1.0


@dataclass(frozen=True)
class RandomDisruption:
    """Disruptions drawn anew in every replication (a typhoon season, say).

    On average ``events_per_year`` events, each starting at a uniformly random time within the
    ``months`` of the horizon and lasting a uniform ``days_min`` to ``days_max`` days.
    """

    id: str
    target: str
    months: tuple[int, ...]
    events_per_year: float
    days_min: float
    days_max: float
    effect: str = "close"
    factor: float = 1.0


@dataclass(frozen=True, eq=False)
class Choice:
    """How consignments choose their chain (see :mod:`sim.choice`).

    Under ``model = "fixed"`` every flow keeps its chain. Under ``"logit"`` the flows listed in
    one of ``markets`` pool their demand, and each consignment picks one of the market's flows (a
    chain) by a multinomial logit on generalised cost, in CNY per TEU::

        cost = value_of_time * (expected_h + reliability_ratio * spread_h) + tariff + asc[family]

    with choice probabilities proportional to ``exp(-scale_per_cny * cost)``. A consignment still
    waiting for its first departure looks again every ``review_h`` and when a closure is announced
    (``notice_h`` before it starts): it chooses anew if its chain is closed or its expected
    delivery has slipped by more than ``rechoose_delay_h``.
    """

    model: str = "fixed"
    markets: dict[str, tuple[str, ...]] = field(default_factory=dict)
    scale_per_cny: float = 1e-3
    value_of_time_cny_per_teu_h: dict[str, float] = field(default_factory=dict)
    reliability_ratio: float = 1.0
    asc_cny_per_teu: dict[str, float] = field(default_factory=dict)
    rechoose_delay_h: float = 48.0
    review_h: float = 24.0
    notice_h: float = 0.0
    calibrated_to: str = ""

    def market_of(self) -> dict[str, str]:
        """Flow id -> the market it belongs to."""
        return {f: m for m, flows in self.markets.items() for f in flows}


@dataclass(frozen=True, eq=False)
class Scenario:
    """A checked scenario: everything one run needs, plus where it came from.

    ``files`` lists the scenario files that made it (the ``extends`` chain, root first) and
    ``overrides`` the overrides applied last; ``data`` is the merged raw table, for diffs.
    """

    name: str
    network: Network
    horizon: Horizon
    services: Mapping[str, Service]
    flows: Mapping[str, Flow]
    facilities: Mapping[str, Facility]
    disruptions: tuple[Disruption, ...] = ()
    random_disruptions: tuple[RandomDisruption, ...] = ()
    description: str = ""
    seed: int = 0
    replications: int = 1
    log_events: bool = True
    gauge_change_h: float = 0.0
    choice: Choice = field(default_factory=Choice)
    files: tuple[str, ...] = ()
    overrides: Mapping[str, Any] = field(default_factory=dict)
    data: Mapping[str, Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for name in ("services", "flows", "facilities", "overrides", "data"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))

    def chain_tariff_cny(self, flow_id: str) -> float:
        """Tariff per TEU of a flow's chain: the sum over its services (unset counts as 0)."""
        return sum(self.services[s].tariff_cny_per_teu or 0.0 for s in self.flows[flow_id].chain)

    def chain_co2_kg_per_teu(self, flow_id: str) -> float:
        """CO2 per TEU of a flow's chain: the sum over the links its services run on."""
        links = self.network.links
        return sum(
            links[lid].co2_kg_per_teu
            for s in self.flows[flow_id].chain
            for lid in self.services[s].links
        )

    def __getstate__(self) -> dict[str, Any]:
        """Pickle the mappings as plain dicts (read-only views cannot be pickled)."""
        return {k: dict(v) if isinstance(v, MappingProxyType) else v for k, v in vars(self).items()}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for key, value in state.items():
            object.__setattr__(self, key, value)
        self.__post_init__()
