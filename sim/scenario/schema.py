"""A scenario as frozen data: horizon, services, demand flows, facility operations, disruptions.

These records are what :func:`sim.load_scenario` returns after merging ``extends`` chains and
overrides and checking every rule; the model reads them and never changes them. Times are hours
from the start of the horizon (00:00 China time on ``horizon.start``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import field
from types import MappingProxyType
from typing import Any

from sim.network import Network
from sim.scenario.checker import file_key, one_of, record, within
from sim.scenario.input_bounds import (
    DAYS,
    FULL,
    HOURS,
    MONTHS,
    NAME,
    NONNEG,
    PART,
    PATH,
    POS,
    POS_HOURS,
    POS_TEU,
    REPLICATIONS,
    SHARE,
    SIZES,
    TEU,
)
from sim.scenario.operations import Disruption, Facility, RandomDisruption
from sim.scenario.vocabulary import (
    ARRIVAL_PROCESSES,
    CHAIN_FAMILIES,
    CHOICE_MODELS,
    DIRECTIONS,
    DISPATCH_RULES,
    SERVICE_FAMILIES,
    VEHICLE_MODES,
    WEEKDAYS,
    ArrivalProcess,
    ChainFamily,
    ChoiceModel,
    Direction,
    Dispatch,
    ServiceFamily,
    Vehicle,
)

__all__ = ["Choice", "Disruption", "Facility", "Flow", "Horizon", "RandomDisruption"]
__all__ += ["Scenario", "Service"]


@record
class Horizon:
    """Simulated period ``[start, end)`` with a warm-up excluded from the KPIs."""

    start: dt.date = file_key("date")
    end: dt.date = file_key("date")
    warmup_days: float = file_key("float", NONNEG, default=0.0)

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


@record
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

    ``late_share`` of its departures leave late, by an exponential delay of mean ``late_mean_h``
    (a liner's schedule unreliability); the boxes on board wait it out. ``dwell_at_end_h`` (unset:
    the facility's) is the mean dwell of its boxes where its path ends.

    With ``respond``, a timetabled service's operator adds a weekly departure (after
    ``respond_lead_days``) when over the last ``respond_weeks`` weeks its departures carried at
    least ``respond_load`` of the room scheduled or rolled ``respond_rolled`` of the boxes, and
    withdraws one it added when they carried less than ``respond_withdraw_load``; at most
    ``respond_max_per_week`` departures a week (:mod:`sim.model.supply`). A service that leaves
    when full already runs as many vehicles as its freight fills: ``respond`` changes nothing
    there (so a family's ``[service_defaults]`` may switch it on for all its services).
    """

    id: str
    family: ServiceFamily = file_key("str", one_of(*SERVICE_FAMILIES))
    vehicle: Vehicle = file_key("str", one_of(*VEHICLE_MODES))
    path: tuple[str, ...] = file_key("strs", PATH)
    links: tuple[str, ...]
    capacity_teu: float = file_key("float", POS_TEU)
    dispatch: Dispatch = file_key("str", one_of(*DISPATCH_RULES), default="timetable")
    days: tuple[int, ...] = file_key(
        "strs", DAYS, file_default=WEEKDAYS, default=(0, 1, 2, 3, 4, 5, 6)
    )
    times_h: tuple[float, ...] = (12.0,)
    min_load_teu: float = file_key("float", TEU, default=0.0)
    max_wait_h: float = file_key("float", POS_HOURS, default=168.0)
    cutoff_h: float = file_key("float", HOURS, default=0.0)
    extra_when_full: bool = file_key("bool", default=False)
    tariff_cny_per_teu: float | None = file_key("float", NONNEG, default=None)
    corridor_share: float = file_key("float", PART, default=1.0)
    late_share: float = file_key("float", SHARE, default=0.0)
    late_mean_h: float = file_key("float", HOURS, default=0.0)
    dwell_at_end_h: float | None = file_key("float", HOURS, default=None)
    respond: bool = file_key("bool", default=False)
    respond_weeks: int = file_key("int", within(1, 52), default=4)
    respond_load: float = file_key("float", within(0, 10), default=0.9)
    respond_rolled: float = file_key("float", SHARE, default=0.05)
    respond_withdraw_load: float = file_key("float", SHARE, default=0.4)
    respond_lead_days: float = file_key("float", within(0, 365), default=28.0)
    respond_max_per_week: int = file_key("int", within(1, 168), default=14)

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
    def responds(self) -> bool:
        """Whether its operator adds and withdraws departures (``respond`` on a timetable)."""
        return self.respond and self.dispatch == "timetable"

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


@record
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
    origin: str = file_key("str")
    destination: str = file_key("str")
    direction: Direction = file_key("str", one_of(*DIRECTIONS))
    teu_per_year: float = file_key("float", within(0, 1e8, unit=" TEU"))
    chain: tuple[str, ...] = file_key("strs", FULL)
    chain_family: ChainFamily = file_key("str", one_of(*CHAIN_FAMILIES))
    commodity: str = file_key("str", FULL, default="general")
    seasonality: tuple[float, ...] = file_key("floats", MONTHS, default=(1.0,) * 12)
    size_teu: tuple[float, ...] = file_key("floats", SIZES, default=(1.0,))
    size_p: tuple[float, ...] = file_key("floats", FULL, default=(1.0,))
    arrivals: ArrivalProcess = file_key("str", one_of(*ARRIVAL_PROCESSES), default="poisson")
    booking_h: float = file_key("float", POS_HOURS, default=24.0)

    @property
    def mean_size_teu(self) -> float:
        """Expected consignment size."""
        return sum(s * p for s, p in zip(self.size_teu, self.size_p, strict=True))


@record(eq=False)
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

    model: ChoiceModel = file_key("str", one_of(*CHOICE_MODELS), default="fixed")
    markets: dict[str, tuple[str, ...]] = file_key("table", default_factory=dict)
    scale_per_cny: float = file_key("float", POS, default=1e-3)
    value_of_time_cny_per_teu_h: dict[str, float] = file_key("table", default_factory=dict)
    reliability_ratio: float = file_key("float", NONNEG, default=1.0)
    asc_cny_per_teu: dict[str, float] = file_key("table", default_factory=dict)
    rechoose_delay_h: float = file_key("float", POS_HOURS, default=48.0)
    review_h: float = file_key("float", within(1, 8760, unit=" h"), default=24.0)
    notice_h: float = file_key("float", HOURS, default=0.0)
    calibrated_to: str = file_key("str", default="")

    def market_of(self) -> dict[str, str]:
        """Flow id -> the market it belongs to."""
        return {f: m for m, flows in self.markets.items() for f in flows}


@record(eq=False)
class Scenario:
    """A checked scenario: everything one run needs, plus where it came from.

    ``files`` lists the scenario files that made it (the ``extends`` chain, root first) and
    ``overrides`` the overrides applied last; ``data`` is the merged raw table, for diffs.
    """

    name: str = file_key("str", NAME)
    network: Network
    horizon: Horizon
    services: Mapping[str, Service]
    flows: Mapping[str, Flow]
    facilities: Mapping[str, Facility]
    disruptions: tuple[Disruption, ...] = ()
    random_disruptions: tuple[RandomDisruption, ...] = ()
    description: str = file_key("str", default="")
    seed: int = file_key("int", NONNEG, default=0)
    replications: int = file_key("int", REPLICATIONS, default=1)
    log_events: bool = True
    gauge_change_h: float = file_key("float", HOURS, default=0.0)
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
