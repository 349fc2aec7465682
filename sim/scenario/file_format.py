"""The scenario file format as data: every table's keys, their kinds, defaults and rules.

Each table maps a key to a :class:`~sim.scenario.checker.Key` (kind, default or REQUIRED, rule).
Keys that become a field of a record in :mod:`sim.scenario.schema` are read from that field
(:func:`~sim.scenario.checker.spec_of`): its default is written once, there. The keys below are
those a file writes otherwise than the record holds them (``times`` and ``per_day`` become
``times_h``; a disruption's ``start`` and ``end`` or ``days`` become hours), and the tables that
hold other tables. :mod:`sim.scenario.io` reads the files against these.
"""

from __future__ import annotations

from sim.scenario.checker import REQUIRED, Key, Spec, spec_of, within
from sim.scenario.input_bounds import FULL, HOURS, SCALE, SHARE, TIMES
from sim.scenario.schema import (
    Choice,
    Disruption,
    Facility,
    Flow,
    Horizon,
    RandomDisruption,
    Scenario,
    Service,
)
from sim.scenario.vocabulary import CHAIN_FAMILIES, VEHICLE_MODES

__all__ = ["CHAIN_SCALE", "CHOICE", "DEFAULTABLE", "DEMAND", "DISRUPTION", "DWELL_BY_VEHICLE"]
__all__ += ["HANDLING_BY_VEHICLE"]
__all__ += [
    "FACILITY",
    "FLOW",
    "HORIZON",
    "LOG",
    "RANDOM_DISRUPTION",
    "SERVICE",
]
__all__ += ["TOP"]


def _tables(*names: str) -> Spec:
    """Keys that hold a table of their own (read by their own spec)."""
    return {name: Key("table", {}) for name in names}


def _first(spec: Spec, *keys: str) -> Spec:
    """``spec`` with ``keys`` first (problems are reported in this order, as a file reads)."""
    return {**{key: spec[key] for key in keys}, **spec}


#: The top of a scenario file.
TOP: Spec = _first({**spec_of(Scenario), "network": Key("str", REQUIRED, FULL)}, "name", "network")
TOP |= _tables("horizon", "log", "demand", "services", "facilities", "disruptions")
TOP |= _tables("service_defaults", "random_disruptions", "choice")
HORIZON: Spec = spec_of(Horizon)
LOG: Spec = {"events": Key("bool", True)}
DEMAND: Spec = {"scale": Key("float", 1.0, SCALE), **_tables("flows", "chain_scale")}
#: ``[demand.chain_scale]``: a factor on the demand of every flow of a chain family.
CHAIN_SCALE: Spec = {family: Key("float", 1.0, SCALE) for family in CHAIN_FAMILIES}
#: ``[services.<id>]``: the record's keys, and the timetable as the file writes it.
SERVICE: Spec = spec_of(Service)
SERVICE |= {
    "times": Key("strs", None, TIMES),
    "per_day": Key("int", None, within(1, 1440)),
    "min_load_share": Key("float", 0.0, SHARE),
}
#: Service keys a ``[service_defaults.<family>]`` table may set (none by default).
DEFAULTABLE: Spec = {
    name: Key(k.kind, None, k.rule)
    for name, k in SERVICE.items()
    if name not in ("family", "vehicle", "path")
}
FLOW: Spec = spec_of(Flow)
#: ``[facilities.<node>]``: every key defaults to the network's value for the node.
FACILITY: Spec = spec_of(Facility, defaults=False)
#: ``[facilities.<node>.dwell_by_vehicle_h]``: the dwell of the boxes each kind of vehicle brings.
DWELL_BY_VEHICLE: Spec = {v: Key("float", None, HOURS) for v in VEHICLE_MODES}
#: ``[facilities.<node>.handling_by_vehicle_h]``: the handling of each kind of vehicle.
HANDLING_BY_VEHICLE: Spec = {v: Key("float", None, HOURS) for v in VEHICLE_MODES}
#: ``[disruptions.<id>]``: the window as dates or date-times, and its length or end.
DISRUPTION: Spec = {
    **spec_of(Disruption),
    "start": Key("when", REQUIRED),
    "end": Key("when", None),
    "days": Key("float", None, within(0, 366 * 50, True)),
}
DISRUPTION = _first(DISRUPTION, "target", "start", "end", "days")
RANDOM_DISRUPTION: Spec = spec_of(RandomDisruption)
#: The ``[choice]`` table: how consignments choose their chain (:class:`~sim.scenario.Choice`).
CHOICE: Spec = spec_of(Choice)
