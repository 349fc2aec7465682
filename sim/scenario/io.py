"""Load a scenario file into a checked :class:`~sim.scenario.schema.Scenario`.

The ``extends`` chain and the overrides are merged first (:mod:`sim.scenario.merge`); then every
key is checked against the file format and every id against the network, and all problems found
are raised together as one :class:`~sim.errors.ScenarioError`, each naming the file that set the
value, the dotted key, the rule and the value.
"""

from __future__ import annotations

import copy
import dataclasses
import itertools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sim.errors import ScenarioError
from sim.network import load_network
from sim.scenario import merge as mg
from sim.scenario import schema as sc
from sim.scenario import spec as sp
from sim.scenario.checker import Checker
from sim.scenario.choice_io import read_choice
from sim.scenario.limits import check_size
from sim.scenario.rules import BACKGROUND_VEHICLE, server_for

__all__ = ["load_scenario", "scenario_diff"]


def _path_links(c: Checker, key: str, path: Any, vehicle: str | None) -> tuple[str, ...]:
    mode, net, links = sc.VEHICLE_MODES.get(vehicle or ""), c.network, []
    if net is None or mode is None or not path or len(path) < 2:
        return ()
    for a, b in itertools.pairwise([c.known(key, n, net.nodes, "node") for n in path]):
        joining = [lk for lk in net.links.values() if {lk.from_id, lk.to_id} == {a, b}]
        same_mode = [lk for lk in joining if lk.mode == mode]
        if same_mode:
            links.append(min(same_mode, key=lambda lk: lk.distance_km).id)
        elif a is not None and b is not None:
            others = ", ".join(sorted({lk.mode for lk in joining})) or "none"
            c.fail(key, f"no {mode} link joins {a!r} and {b!r} (links there: {others})", [a, b])
    return tuple(links)


def _service_defaults(c: Checker, table: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``[service_defaults.<family>]``: checked values every service of that family starts from."""
    spec = {fam: ("table", {}, None) for fam in sc.SERVICE_FAMILIES}
    out = {}
    for fam, values in c.read("service_defaults", table, spec).items():
        checked = c.read(f"service_defaults.{fam}", values or {}, sp.DEFAULTABLE)
        out[fam] = {k: (values or {})[k] for k, v in checked.items() if v is not None}
    return out


def _service(c: Checker, key: str, v: dict[str, Any]) -> sc.Service:
    given = {f"{key}.times", f"{key}.per_day"} & c.raw.origin.keys()
    times, per_day, times_h = v.pop("times"), v.pop("per_day"), sc.Service.times_h
    if times and per_day:  # set in different files, the later one wins; in one file, an error
        order = [*c.raw.labels, mg.OVERRIDE_SOURCE]
        rank = {k: order.index(c.raw.file_of(f"{key}.{k}")) for k in ("times", "per_day")}
        if rank["times"] != rank["per_day"]:
            times, per_day = (times, None) if rank["times"] > rank["per_day"] else (None, per_day)
    if times and per_day:
        c.fail(key, "give times or per_day, not both")
    elif times:
        times_h = tuple(sorted({mg.clock_hours(t) for t in times}))
    elif per_day:
        times_h = tuple((i + 0.5) * 24 / per_day for i in range(per_day))
    elif v["dispatch"] == "timetable" and not given:
        c.fail(key, "a timetable service needs times or per_day")
    ours = v["corridor_share"]
    if None not in (v["capacity_teu"], ours):  # the corridor's slots on each vehicle
        v["capacity_teu"] *= ours
    if None not in (v["min_load_teu"], v["capacity_teu"]) and v["min_load_teu"] > v["capacity_teu"]:
        rule = "must be <= capacity_teu" + (" x corridor_share" if ours != 1 else "")
        c.fail(f"{key}.min_load_teu", rule, v["min_load_teu"])
    share = v.pop("min_load_share")  # the smallest load worth a vehicle, as a share of it
    if None not in (share, v["min_load_teu"], v["capacity_teu"]):
        v["min_load_teu"] = max(v["min_load_teu"], share * v["capacity_teu"])
    links = _path_links(c, f"{key}.path", v["path"], v["vehicle"])
    days = tuple(sorted({sp.WEEKDAYS.index(d) for d in v.pop("days") or ()}))
    return sc.Service(key.rpartition(".")[2], links=links, days=days, times_h=times_h, **v)


def _check_chain(c: Checker, key: str, v: dict[str, Any], services: Mapping) -> None:
    """Check the chain runs origin to destination, each service starting where the last ends."""
    ids = v["chain"] or ()
    chain = [services[s] for s in ids if s in services]
    if not chain or len(chain) != len(ids) or not all(s.path for s in chain):
        return  # an unknown or broken service is reported where it is defined
    nodes = c.network.nodes if c.network else {}
    if v["origin"] in nodes and chain[0].origin in nodes and chain[0].origin != v["origin"]:
        c.fail(
            f"{key}.chain",
            f"{ids[0]!r} starts at {chain[0].origin!r}, not at the origin {v['origin']!r}",
            list(ids),
        )
    if (
        v["destination"] in nodes
        and chain[-1].destination in nodes
        and chain[-1].destination != v["destination"]
    ):
        c.fail(
            f"{key}.chain",
            f"{ids[-1]!r} ends at {chain[-1].destination!r}, not at the "
            f"destination {v['destination']!r}",
            list(ids),
        )
    if v["arrivals"] == "booked" and chain[0].dispatch != "timetable":
        c.fail(
            f"{key}.arrivals",
            f"booked arrivals need a timetabled first service; {ids[0]!r} leaves when full",
            v["arrivals"],
        )
    biggest = max((x for x in v["size_teu"] or () if isinstance(x, float)), default=1.0)
    for svc in chain:
        if svc.capacity_teu is not None and svc.capacity_teu < biggest:
            c.fail(
                f"{key}.size_teu",
                f"a consignment of {biggest:g} TEU does not fit the "
                f"{svc.capacity_teu:g} TEU of {svc.id!r}",
                list(v["size_teu"] or ()),
            )
    for a, b in itertools.pairwise(chain):
        if a.destination != b.origin:
            c.fail(
                f"{key}.chain",
                f"{a.id!r} ends at {a.destination!r} but {b.id!r} starts at {b.origin!r}",
                list(ids),
            )


def _flow(c: Checker, key: str, v: dict[str, Any], scale: float, services: Mapping) -> sc.Flow:
    for service_id in v["chain"] or ():
        c.known(f"{key}.chain", service_id, services, "service")
    _check_chain(c, key, v, services)
    for end in ("origin", "destination"):
        c.known(f"{key}.{end}", v[end], c.network and c.network.nodes, "node")
    size_teu, size_p = v["size_teu"], v["size_p"]
    if size_teu and size_p and len(size_p) != len(size_teu):
        rule = f"must give {len(size_teu)} probabilities, one per size_teu"
        c.fail(f"{key}.size_p", rule, list(size_p))
    elif size_p and (min(size_p) < 0 or abs(sum(size_p) - 1) > 1e-6):
        c.fail(f"{key}.size_p", "must be probabilities >= 0 that sum to 1", list(size_p))
    v["teu_per_year"] = v["teu_per_year"] and v["teu_per_year"] * scale
    return sc.Flow(key.rpartition(".")[2], **v)


def _facilities(c: Checker, table: dict[str, Any]) -> dict[str, sc.Facility]:
    net, out = c.network, {}
    for node in net.nodes.values() if net else ():
        if node.kind in sp.FACILITY_KINDS:
            given = {k: getattr(node, k) for k in sp.FACILITY if hasattr(node, k)}
            given |= {k: x or 0.0 for k, x in given.items() if k.endswith(("_h", "_cv", "_share"))}
            out[node.id] = sc.Facility(node.id, node.kind, **given)
    for node_id, key, v in c.entries("facilities", table, sp.FACILITY):
        if net is not None and node_id in net.nodes and node_id not in out:
            rule = f"is a {net.nodes[node_id].kind}, not one of {', '.join(sp.FACILITY_KINDS)}"
            c.fail(key, rule, node_id)
        elif net is not None and c.known(key, node_id, net.nodes, "node") is not None:
            if v["opening_hours"] is not None:
                v["opening_hours"] = mg.clock_hours(v["opening_hours"], span=True) or None
            if (by := v["dwell_by_vehicle_h"]) is not None:
                by = c.read(f"{key}.dwell_by_vehicle_h", by, sp.DWELL_BY_VEHICLE)
                v["dwell_by_vehicle_h"] = tuple((k, x) for k, x in by.items() if x is not None)
            given = {k: x for k, x in v.items() if k in table[node_id]}
            out[node_id] = dataclasses.replace(out[node_id], **given)
            fac = out[node_id]
            server = server_for(fac.kind, BACKGROUND_VEHICLE[fac.kind])
            if fac.background_per_day > 0 and not getattr(fac, server):
                rule = f"a {fac.kind}'s other traffic needs its {server}, and it has none"
                c.fail(f"{key}.background_per_day", rule, fac.background_per_day)
    return out


def _disruption(c: Checker, key: str, v: dict, horizon: sc.Horizon | None) -> sc.Disruption:
    net, start, end, days = c.network, v.pop("start"), v.pop("end"), v.pop("days")
    c.known(f"{key}.target", v["target"], net and {**net.nodes, **net.links}, "node or link")
    given, start_h, end_h = [k for k in ("end", "days") if f"{key}.{k}" in c.raw.origin], None, None
    if len(given) != 1:
        c.fail(key, "needs exactly one of end and days", given or None)
    elif None not in (start, horizon, end or days):
        start_h = horizon.hours(start)
        end_h = horizon.hours(end) if end is not None else start_h + days * 24.0
        if end_h <= start_h:
            c.fail(f"{key}.end", f"must be after start ({start})", end)
        elif end_h <= 0 or start_h >= horizon.length_h:
            c.fail(f"{key}.start", "the window must overlap the horizon", start)
    return sc.Disruption(key.rpartition(".")[2], start_h=start_h, end_h=end_h, **v)


def _random_disruption(c: Checker, key: str, v: dict) -> sc.RandomDisruption:
    net = c.network
    c.known(f"{key}.target", v["target"], net and {**net.nodes, **net.links}, "node or link")
    if None not in (v["days_min"], v["days_max"]) and v["days_max"] < v["days_min"]:
        c.fail(f"{key}.days_max", "must be >= days_min", v["days_max"])
    return sc.RandomDisruption(key.rpartition(".")[2], months=tuple(v.pop("months") or ()), **v)


def _horizon(c: Checker, table: dict[str, Any]) -> sc.Horizon | None:
    v = c.read("horizon", table, sp.HORIZON)
    days = (v["end"] - v["start"]).days if v["start"] and v["end"] else None
    if days is not None and days <= 0:
        c.fail("horizon.end", f"must be after start ({v['start']})", v["end"])
        days = None
    elif days is not None and days > sp.MAX_HORIZON_DAYS:
        rule = f"must be at most {sp.MAX_HORIZON_YEARS} years after start ({v['start']})"
        c.fail("horizon.end", rule, v["end"])
        days = None
    elif days is not None and v["warmup_days"] is not None and v["warmup_days"] >= days:
        c.fail("horizon.warmup_days", f"must be < the horizon ({days} days)", v["warmup_days"])
    return sc.Horizon(v["start"], v["end"], v["warmup_days"] or 0.0) if days else None


def load_scenario(path: str | Path, overrides: Mapping[str, Any] | None = None) -> sc.Scenario:
    r"""Load, merge and check the scenario file ``path``.

    Parameters
    ----------
    path : str or Path
        A scenario TOML file; its ``extends`` chain is read first.
    overrides : mapping, optional
        Dotted key -> value, applied after the chain (``{"demand.scale": 1.2}``).

    Returns
    -------
    Scenario
        The checked scenario, with its network and the files and overrides it came from.

    Raises
    ------
    ScenarioError
        With every problem found (file, dotted key, rule, value).
    NetworkError
        If the network the scenario names is broken.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> net = pathlib.Path("networks/chongqing_asean").resolve().as_posix()
    >>> text = f'name = "demo"\nnetwork = "{net}"\n[horizon]\nstart = 2019-01-01\n'
    >>> file = pathlib.Path(tempfile.mkdtemp()) / "demo.toml"
    >>> _ = file.write_text(text + "end = 2019-02-01\n")
    >>> sc = load_scenario(file, overrides={"seed": 7})
    >>> sc.seed, sc.horizon.length_h, sc.facilities["youyiguan"].kind
    (7, 744.0, 'border_post')

    """
    raw = mg.load_chain(path)
    overrides = dict(overrides or {})
    c = Checker(raw, mg.apply_overrides(raw, overrides))
    top = c.read("", raw.data, sp.TOP)
    setter, network = raw.file_of("network"), top.pop("network")
    here = raw.files[raw.labels.index(setter)].parent if setter in raw.labels else Path.cwd()
    if network and (here / network).is_dir():
        c.network = load_network(here / network)
    elif network:
        c.fail("network", f"network folder not found: {here / network}", network)
    horizon = _horizon(c, top.pop("horizon") or {})
    log = c.read("log", top.pop("log") or {}, {"events": ("bool", True, None)})
    demand = c.read("demand", top.pop("demand") or {}, sp.DEMAND)
    defaults = _service_defaults(c, top.pop("service_defaults") or {})
    raw_services = {
        sid: {**defaults.get(str(svc.get("family")), {}), **svc} if isinstance(svc, dict) else svc
        for sid, svc in (top.pop("services") or {}).items()
    }
    if "background" in raw_services:  # the name of the facilities' other traffic in the log
        c.fail("services.background", "is reserved for background traffic: rename the service")
    entries = c.entries("services", raw_services, sp.SERVICE)
    services = {k: _service(c, key, v) for k, key, v in entries}
    entries = c.entries("demand.flows", demand["flows"] or {}, sp.FLOW)
    by_chain = c.read("demand.chain_scale", demand["chain_scale"] or {}, sp.CHAIN_SCALE)
    scale = demand["scale"] or 1.0
    flows = {
        k: _flow(c, key, v, scale * (by_chain.get(v["chain_family"]) or 1.0), services)
        for k, key, v in entries
    }
    choice = read_choice(c, top.pop("choice") or {}, flows, services)
    facilities = _facilities(c, top.pop("facilities") or {})
    entries = c.entries("disruptions", top.pop("disruptions") or {}, sp.DISRUPTION)
    disruptions = [_disruption(c, key, v, horizon) for _, key, v in entries]
    entries = c.entries(
        "random_disruptions", top.pop("random_disruptions") or {}, sp.RANDOM_DISRUPTION
    )
    randoms = tuple(_random_disruption(c, key, v) for _, key, v in entries)
    if not c.problems and horizon is not None:
        check_size(c, horizon, flows, facilities, services)
    if c.problems:
        raise ScenarioError(c.problems)
    parts = {
        "horizon": horizon,
        "random_disruptions": randoms,
        "services": services,
        "flows": flows,
        "facilities": facilities,
        "choice": choice,
    }
    return sc.Scenario(
        network=c.network,
        disruptions=tuple(sorted(disruptions, key=lambda d: (d.start_h, d.id))),
        log_events=log["events"],
        files=tuple(str(f) for f in raw.files),
        overrides=overrides,
        data=copy.deepcopy(raw.data),
        **parts,
        **top,
    )


def scenario_diff(base: sc.Scenario, alt: sc.Scenario) -> list[tuple[str, Any, Any]]:
    """What changed between two scenarios, key by key.

    Sorted ``(dotted key, base value, alt value)`` where the merged raw tables (after overrides)
    differ; a key set on one side only shows as None on the other.

    Examples
    --------
    >>> from types import SimpleNamespace as Ns
    >>> scenario_diff(Ns(data={"seed": 1, "demand": {"scale": 1.0}}), Ns(data={"seed": 2}))
    [('demand.scale', 1.0, None), ('seed', 1, 2)]

    """
    return mg.diff_tables(base.data, alt.data)
