"""The words a scenario may use for its options, as ``Literal`` types and as tuples to check with.

Each ``Literal`` type documents an option in the code (``dispatch: Dispatch``); the tuple of the
same words is what a scenario file is checked against and what messages list.
"""

from __future__ import annotations

from typing import Literal, get_args

__all__ = [
    "ARRIVAL_PROCESSES",
    "CHAIN_FAMILIES",
    "CHOICE_MODELS",
    "CLEARANCE_DISTS",
    "CLEARING_KINDS",
    "DIRECTIONS",
    "DISPATCH_RULES",
    "EFFECTS",
    "FACILITY_KINDS",
    "LINER_VEHICLES",
    "PORT_KINDS",
    "SERVER_OF_VEHICLE",
    "SERVICE_FAMILIES",
    "VEHICLE_MODES",
    "WEEKDAYS",
    "ArrivalProcess",
    "ChainFamily",
    "ChoiceModel",
    "ClearanceDist",
    "Direction",
    "Dispatch",
    "Effect",
    "FacilityKind",
    "ServiceFamily",
    "Vehicle",
]

#: Service families: departures are counted per family (``china_europe``: the China–Europe trains).
ServiceFamily = Literal["rail_sea", "intl_rail", "road", "sea", "river", "china_europe"]
SERVICE_FAMILIES: tuple[ServiceFamily, ...] = get_args(ServiceFamily)
#: Chains a flow can follow door to door (door-to-door KPIs are grouped by chain). Between Europe
#: and ASEAN: ``land_bridge``, a China–Europe train and rail-sea through Chongqing, and
#: ``all_water``, by sea via Suez.
ChainFamily = Literal["rail_sea", "road", "intl_rail", "river_sea", "land_bridge", "all_water"]
CHAIN_FAMILIES: tuple[ChainFamily, ...] = get_args(ChainFamily)
#: The kinds of vehicle, and the network mode each runs on.
Vehicle = Literal["train", "truck", "ship", "barge"]
VEHICLE_MODES: dict[str, str] = {"train": "rail", "truck": "road", "ship": "sea", "barge": "river"}
#: Which server a vehicle uses at a facility (a lock's lines are its ``lanes``, for every vehicle).
SERVER_OF_VEHICLE = {"train": "tracks", "truck": "lanes", "ship": "berths", "barge": "berths"}
#: Vehicles that call at the ports on their path.
LINER_VEHICLES: tuple[Vehicle, ...] = ("ship", "barge")
#: Node kinds that get a facility in every scenario.
FacilityKind = Literal[
    "border_post", "rail_terminal", "road_terminal", "seaport", "river_port", "lock"
]
FACILITY_KINDS: tuple[FacilityKind, ...] = get_args(FacilityKind)
#: Facilities that clear vehicles (clearance and inspection) rather than handle their load.
CLEARING_KINDS: tuple[FacilityKind, ...] = ("border_post", "lock")
#: Facilities where a ship or barge on its way calls (a liner loop's ports).
PORT_KINDS: tuple[FacilityKind, ...] = ("seaport", "river_port")
#: How a service decides to depart.
Dispatch = Literal["timetable", "when_full"]
DISPATCH_RULES: tuple[Dispatch, ...] = get_args(Dispatch)
#: How consignments choose their chain: each flow keeps its own, or a logit over a market's flows.
ChoiceModel = Literal["fixed", "logit"]
CHOICE_MODELS: tuple[ChoiceModel, ...] = get_args(ChoiceModel)
#: How consignments of a flow arrive: a Poisson process, evenly spaced in expected arrivals, or
#: a Poisson process handed in for the departures of the chain's first (timetabled) service.
ArrivalProcess = Literal["poisson", "regular", "booked"]
ARRIVAL_PROCESSES: tuple[ArrivalProcess, ...] = get_args(ArrivalProcess)
#: How a facility's clearance times are distributed.
ClearanceDist = Literal["lognormal", "exponential", "deterministic"]
CLEARANCE_DISTS: tuple[ClearanceDist, ...] = get_args(ClearanceDist)
#: What a disruption does to its node or link.
Effect = Literal["close", "slow"]
EFFECTS: tuple[Effect, ...] = get_args(Effect)
#: Which way a flow runs.
Direction = Literal["southbound", "northbound"]
DIRECTIONS: tuple[Direction, ...] = get_args(Direction)
#: Weekdays as a timetable names them, Monday first.
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
