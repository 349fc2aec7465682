"""Readers of a scenario's tables: each turns checked values into a record of the schema.

Every reader takes the :class:`~sim.scenario.checker.Checker` of the file being loaded, reports
each broken rule to it (file, dotted key, rule, value) and returns what it could read, so that
:func:`sim.load_scenario` can gather every problem of a file before it raises.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Mapping
from typing import Any

from sim.scenario import file_format
from sim.scenario.checker import Checker, Key, Spec
from sim.scenario.input_bounds import MAX_HORIZON_DAYS, MAX_HORIZON_YEARS
from sim.scenario.merge import OVERRIDE_SOURCE
from sim.scenario.operating_rules import BACKGROUND_VEHICLE, server_for
from sim.scenario.schema import Disruption, Facility, Flow, Horizon, RandomDisruption, Service
from sim.scenario.vocabulary import FACILITY_KINDS, SERVICE_FAMILIES, VEHICLE_MODES, WEEKDAYS
from sim.textio import clock_hours

__all__ = ["read_disruption", "read_facilities", "read_flow", "read_horizon"]
__all__ += ["read_random_disruption", "read_service", "read_service_defaults"]


def _path_links(check: Checker, key: str, path: Any, vehicle: str | None) -> tuple[str, ...]:
    """The links a vehicle of kind ``vehicle`` runs on along ``path``: the shortest of its mode."""
    mode, net = VEHICLE_MODES.get(vehicle or ""), check.network
    if net is None or mode is None or not path or len(path) < 2:
        return ()
    links = []
    for a, b in itertools.pairwise([check.known(key, n, net.nodes, "node") for n in path]):
        joining = [lk for lk in net.links.values() if {lk.from_id, lk.to_id} == {a, b}]
        same_mode = [lk for lk in joining if lk.mode == mode]
        if same_mode:
            links.append(min(same_mode, key=lambda lk: lk.distance_km).id)
        elif a is not None and b is not None:
            others = ", ".join(sorted({lk.mode for lk in joining})) or "none"
            rule = f"no {mode} link joins {a!r} and {b!r} (links there: {others})"
            check.fail(key, rule, [a, b])
    return tuple(links)


def read_service_defaults(check: Checker, table: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``[service_defaults.<family>]``: checked values every service of that family starts from."""
    out = {}
    families: Spec = {family: Key("table", {}) for family in SERVICE_FAMILIES}
    for family, given in check.read("service_defaults", table, families).items():
        given = given or {}
        values = check.read(f"service_defaults.{family}", given, file_format.DEFAULTABLE)
        out[family] = {k: given[k] for k, value in values.items() if value is not None}
    return out


def _timetable_h(check: Checker, key: str, values: dict[str, Any]) -> tuple[float, ...]:
    """The hours of the day a timetabled service leaves: its ``times`` or ``per_day``."""
    given = {f"{key}.times", f"{key}.per_day"} & check.raw.origin.keys()
    times, per_day = values.pop("times"), values.pop("per_day")
    if times and per_day:  # set in different files, the later one wins; in one file, an error
        order = [*check.raw.labels, OVERRIDE_SOURCE]
        rank = {k: order.index(check.raw.file_of(f"{key}.{k}")) for k in ("times", "per_day")}
        if rank["times"] != rank["per_day"]:
            later_times = rank["times"] > rank["per_day"]
            times, per_day = (times, None) if later_times else (None, per_day)
    if times and per_day:
        check.fail(key, "give times or per_day, not both")
    elif times:
        return tuple(sorted({clock_hours(t) for t in times}))
    elif per_day:
        return tuple((i + 0.5) * 24 / per_day for i in range(per_day))
    elif values["dispatch"] == "timetable" and not given:
        check.fail(key, "a timetable service needs times or per_day")
    return Service.times_h


def read_service(check: Checker, key: str, values: dict[str, Any]) -> Service:
    """``[services.<id>]``: the service, its capacity the corridor's share of each vehicle."""
    times_h = _timetable_h(check, key, values)
    share = values["corridor_share"]
    capacity = values["capacity_teu"]
    if None not in (capacity, share):  # the corridor's slots on each vehicle
        capacity = values["capacity_teu"] = capacity * share
    min_load = values["min_load_teu"]
    if None not in (min_load, capacity) and min_load > capacity:
        rule = "must be <= capacity_teu" + (" x corridor_share" if share != 1 else "")
        check.fail(f"{key}.min_load_teu", rule, min_load)
    least_share = values.pop("min_load_share")  # the smallest load worth a vehicle, as a share
    if None not in (least_share, min_load, capacity):
        values["min_load_teu"] = max(min_load, least_share * capacity)
    links = _path_links(check, f"{key}.path", values["path"], values["vehicle"])
    days = tuple(sorted({WEEKDAYS.index(d) for d in values.pop("days") or ()}))
    low, high = values["respond_withdraw_load"], values["respond_load"]
    if None not in (low, high) and low >= high:
        rule = f"must be below respond_load ({high:g}), or added departures come and go"
        check.fail(f"{key}.respond_withdraw_load", rule, low)
    service_id = key.rpartition(".")[2]
    return Service(service_id, links=links, days=days, times_h=times_h, **values)


def _check_chain(
    check: Checker, key: str, values: dict[str, Any], services: Mapping[str, Service]
) -> None:
    """Check the chain runs origin to destination, each service starting where the last ends."""
    ids: tuple[str, ...] = values["chain"] or ()
    chain = [services[s] for s in ids if s in services]
    if not chain or len(chain) != len(ids) or not all(s.path for s in chain):
        return  # an unknown or broken service is reported where it is defined
    nodes: Mapping[str, Any] = check.network.nodes if check.network else {}
    origin, destination = values["origin"], values["destination"]
    first, last = chain[0], chain[-1]
    if origin in nodes and first.origin in nodes and first.origin != origin:
        rule = f"{ids[0]!r} starts at {first.origin!r}, not at the origin {origin!r}"
        check.fail(f"{key}.chain", rule, list(ids))
    if destination in nodes and last.destination in nodes and last.destination != destination:
        rule = f"{ids[-1]!r} ends at {last.destination!r}, not at the destination {destination!r}"
        check.fail(f"{key}.chain", rule, list(ids))
    if values["arrivals"] == "booked" and first.dispatch != "timetable":
        rule = f"booked arrivals need a timetabled first service; {ids[0]!r} leaves when full"
        check.fail(f"{key}.arrivals", rule, values["arrivals"])
    sizes = values["size_teu"] or ()
    biggest = max((x for x in sizes if isinstance(x, float)), default=1.0)
    for svc in chain:
        if svc.capacity_teu is not None and svc.capacity_teu < biggest:
            rule = (
                f"a consignment of {biggest:g} TEU does not fit the "
                f"{svc.capacity_teu:g} TEU of {svc.id!r}"
            )
            check.fail(f"{key}.size_teu", rule, list(sizes))
    for a, b in itertools.pairwise(chain):
        if a.destination != b.origin:
            rule = f"{a.id!r} ends at {a.destination!r} but {b.id!r} starts at {b.origin!r}"
            check.fail(f"{key}.chain", rule, list(ids))


def read_flow(
    check: Checker,
    key: str,
    values: dict[str, Any],
    scale: float,
    services: Mapping[str, Service],
) -> Flow:
    """``[demand.flows.<id>]``: the flow, its demand times ``scale``."""
    for service_id in values["chain"] or ():
        check.known(f"{key}.chain", service_id, services, "service")
    _check_chain(check, key, values, services)
    for end in ("origin", "destination"):
        nodes = None if check.network is None else check.network.nodes
        check.known(f"{key}.{end}", values[end], nodes, "node")
    size_teu, size_p = values["size_teu"], values["size_p"]
    if size_teu and size_p and len(size_p) != len(size_teu):
        rule = f"must give {len(size_teu)} probabilities, one per size_teu"
        check.fail(f"{key}.size_p", rule, list(size_p))
    elif size_p and (min(size_p) < 0 or abs(sum(size_p) - 1) > 1e-6):
        check.fail(f"{key}.size_p", "must be probabilities >= 0 that sum to 1", list(size_p))
    if values["teu_per_year"] is not None:
        values["teu_per_year"] *= scale
    return Flow(key.rpartition(".")[2], **values)


def read_facilities(check: Checker, table: dict[str, Any]) -> dict[str, Facility]:
    """Every facility of the network, with the ``[facilities.<node>]`` changes of the scenario."""
    net = check.network
    out: dict[str, Facility] = {}
    for node in net.nodes.values() if net else ():
        if node.kind in FACILITY_KINDS:
            given = {k: getattr(node, k) for k in file_format.FACILITY if hasattr(node, k)}
            given |= {k: x or 0.0 for k, x in given.items() if k.endswith(("_h", "_cv", "_share"))}
            out[node.id] = Facility(node.id, node.kind, **given)
    for node_id, key, values in check.entries("facilities", table, file_format.FACILITY):
        if net is not None and node_id in net.nodes and node_id not in out:
            rule = f"is a {net.nodes[node_id].kind}, not one of {', '.join(FACILITY_KINDS)}"
            check.fail(key, rule, node_id)
        elif net is not None and check.known(key, node_id, net.nodes, "node") is not None:
            if values["opening_hours"] is not None:
                values["opening_hours"] = clock_hours(values["opening_hours"], span=True) or None
            for name, by_spec in (
                ("dwell_by_vehicle_h", file_format.DWELL_BY_VEHICLE),
                ("handling_by_vehicle_h", file_format.HANDLING_BY_VEHICLE),
            ):
                if (by := values[name]) is not None:
                    by = check.read(f"{key}.{name}", by, by_spec)
                    values[name] = tuple((k, x) for k, x in by.items() if x is not None)
            # a broken value is None (its problem is reported): the node's value stands meanwhile
            given = {k: x for k, x in values.items() if k in table[node_id] and x is not None}
            fac = out[node_id] = dataclasses.replace(out[node_id], **given)
            server = server_for(fac.kind, BACKGROUND_VEHICLE[fac.kind])
            if fac.background_per_day > 0 and not getattr(fac, server):
                rule = f"a {fac.kind}'s other traffic needs its {server}, and it has none"
                check.fail(f"{key}.background_per_day", rule, fac.background_per_day)
    return out


def _targets(check: Checker) -> Mapping[str, Any] | None:
    """What a disruption may target: the network's nodes and links (None: no network)."""
    net = check.network
    return None if net is None else {**net.nodes, **net.links}


def read_disruption(
    check: Checker, key: str, values: dict[str, Any], horizon: Horizon | None
) -> Disruption:
    """``[disruptions.<id>]``: the window ``[start, end)`` in hours of the horizon."""
    start, end, days = values.pop("start"), values.pop("end"), values.pop("days")
    check.known(f"{key}.target", values["target"], _targets(check), "node or link")
    given = [k for k in ("end", "days") if f"{key}.{k}" in check.raw.origin]
    start_h = end_h = math.nan  # (a broken window: the scenario is refused)
    if len(given) != 1:
        check.fail(key, "needs exactly one of end and days", given or None)
    elif horizon is not None and start is not None and (end or days) is not None:
        start_h = horizon.hours(start)
        end_h = horizon.hours(end) if end is not None else start_h + days * 24.0
        if end_h <= start_h:
            check.fail(f"{key}.end", f"must be after start ({start})", end)
        elif end_h <= 0 or start_h >= horizon.length_h:
            check.fail(f"{key}.start", "the window must overlap the horizon", start)
    return Disruption(key.rpartition(".")[2], start_h=start_h, end_h=end_h, **values)


def read_random_disruption(check: Checker, key: str, values: dict[str, Any]) -> RandomDisruption:
    """``[random_disruptions.<id>]``: disruptions drawn anew in every replication."""
    check.known(f"{key}.target", values["target"], _targets(check), "node or link")
    low, high = values["days_min"], values["days_max"]
    if None not in (low, high) and high < low:
        check.fail(f"{key}.days_max", "must be >= days_min", high)
    months = tuple(values.pop("months") or ())
    return RandomDisruption(key.rpartition(".")[2], months=months, **values)


def read_horizon(check: Checker, table: dict[str, Any]) -> Horizon | None:
    """``[horizon]``: the simulated period (None if it is broken)."""
    values = check.read("horizon", table, file_format.HORIZON)
    start, end, warmup_days = values["start"], values["end"], values["warmup_days"]
    days = (end - start).days if start and end else None
    if days is not None and days <= 0:
        check.fail("horizon.end", f"must be after start ({start})", end)
        days = None
    elif days is not None and days > MAX_HORIZON_DAYS:
        rule = f"must be at most {MAX_HORIZON_YEARS} years after start ({start})"
        check.fail("horizon.end", rule, end)
        days = None
    elif days is not None and warmup_days is not None and warmup_days >= days:
        check.fail("horizon.warmup_days", f"must be < the horizon ({days} days)", warmup_days)
    return Horizon(start, end, warmup_days or 0.0) if days else None
