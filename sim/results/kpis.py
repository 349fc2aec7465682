"""KPIs as pure functions of a run's tables (see :mod:`sim.model.records`).

Names are dotted and stable, with the unit in the name where there is one (``docs/kpis.md``
lists them). An average with no observation (a border's mean wait when no vehicle crossed) is
NaN, not 0: see :func:`missing_value`. Counts and sums cover the measured period (after the
warm-up): ``teu.created`` = ``teu.delivered`` + ``teu.in_system`` (what was created after the
warm-up and is still in the system at the end); ``teu.in_system.from_warmup`` is the rest of the
stock at the end.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from sim.model.records import BACKGROUND, TRIP_PARTS, Tables
from sim.results.disruption_kpis import (
    Steps,
    backlog_kpis,
    closure_kpis,
    time_average,
    waiting_steps,
)
from sim.results.kpi_families import missing_value
from sim.results.routes import route_kpis
from sim.scenario.schema import Scenario
from sim.scenario.vocabulary import CHAIN_FAMILIES, SERVICE_FAMILIES

__all__ = ["BREAKDOWN_PARTS", "HEADLINE_DESTINATIONS", "compute_kpis", "missing_value"]

#: Where the headline chains go: door to door from Chongqing to Singapore and to Hanoi is what
#: ``corridor-sim run`` and ``sim.plot.d2d_parts`` break into its parts.
HEADLINE_DESTINATIONS = ("singapore", "hanoi", "hanoi_gialam")

#: The flows that made consignments, and each consignment's index into them.
FlowIndex = tuple[list[str], np.ndarray]
#: Door-to-door time split: consignment column -> KPI suffix.
BREAKDOWN_PARTS = {p.column: p.part for p in TRIP_PARTS}


def _departures(scenario: Scenario, tables: Tables, out: dict[str, float]) -> None:
    dep = tables["departures"]
    measured = dep["depart_h"] >= scenario.horizon.warmup_h
    ran = measured & (dep["cancelled"] == 0)
    cancelled = measured & (dep["cancelled"] == 1)
    for fam in SERVICE_FAMILIES:
        is_fam = dep["family"] == fam
        teu, cap = dep["teu"][ran & is_fam].sum(), dep["capacity_teu"][ran & is_fam].sum()
        out[f"departures.{fam}"] = float((ran & is_fam).sum())
        out[f"cancelled.{fam}"] = float((cancelled & is_fam).sum())
        out[f"teu.carried.{fam}"] = float(teu)
        out[f"load_factor.{fam}"] = float(teu / cap) if cap > 0 else math.nan
    changes = tables.get("capacity_changes")
    for sid, svc in scenario.services.items():
        if svc.responds and changes is not None:
            # the weekly departures added and still in force at the end
            out[f"capacity_added.{sid}"] = float(changes["change"][changes["service"] == sid].sum())
        is_svc = dep["service"] == sid
        out[f"departures.service.{sid}"] = float((ran & is_svc).sum())
        if svc.dispatch == "timetable" and "rolled_teu" in dep and (ran & is_svc).any():
            # where a timetable binds (folders written before rolled_teu was logged have none)
            rolled = dep["rolled_teu"][ran & is_svc].sum()
            boarded = dep["teu"][ran & is_svc].sum()
            share = rolled / (rolled + boarded) if rolled + boarded > 0 else 0.0
            out[f"rolled_share.service.{sid}"] = float(share)
        out[f"cancelled.service.{sid}"] = float((cancelled & is_svc).sum())
        out[f"teu.carried.service.{sid}"] = float(dep["teu"][ran & is_svc].sum())


def _flow_index(tables: Tables) -> FlowIndex:
    """The flows that made consignments, and each consignment's index into them."""
    names, inverse = np.unique(tables["consignments"]["flow"], return_inverse=True)
    return names.tolist(), inverse


def _door_to_door(
    scenario: Scenario, tables: Tables, flows: FlowIndex, out: dict[str, float]
) -> None:
    cons = tables["consignments"]
    done = (cons["created_h"] >= scenario.horizon.warmup_h) & ~np.isnan(cons["delivered_h"])
    if not done.any():
        return
    names, inverse = flows
    keys: dict[str, int] = {}  # origin.destination.chain -> its index
    key_of_flow = np.empty(len(names), dtype=np.int64)
    for i, name in enumerate(names):
        f = scenario.flows[name]
        key_of_flow[i] = keys.setdefault(f"{f.origin}.{f.destination}.{f.chain_family}", len(keys))
    key = key_of_flow[inverse[done]]
    d2d = (cons["delivered_h"] - cons["created_h"])[done]
    count = np.bincount(key, minlength=len(keys))
    total = np.bincount(key, weights=d2d, minlength=len(keys))
    parts = {  # tables written before a part existed lack its column
        part: np.bincount(key, weights=cons[column][done], minlength=len(keys))
        for column, part in BREAKDOWN_PARTS.items()
        if column in cons
    }
    for name, k in sorted(keys.items()):
        if not count[k]:  # its flows' consignments are all still on their way
            continue
        prefix = f"door_to_door_h.{name}"
        out[f"{prefix}.mean"] = float(total[k] / count[k])
        values = d2d[key == k]
        for q, v in zip((50, 90, 95), np.percentile(values, (50, 90, 95)), strict=True):
            out[f"{prefix}.p{q}"] = float(v)
        for part, sums in parts.items():
            out[f"breakdown_h.{name}.{part}"] = float(sums[k] / count[k])


def _lines(scenario: Scenario, tables: Tables, out: dict[str, float]) -> None:
    """Per rail link with train paths: the corridor's trains, their wait, the paths used."""
    w, end = scenario.horizon.warmup_h, scenario.horizon.length_h
    visits = tables.get("line_visits")
    for lid, link in scenario.network.links.items():
        if link.paths_per_day is None or visits is None:
            continue
        on = (visits["link"] == lid) & (visits["arrive_h"] >= w)  # as at the facilities
        own = on & (visits["service"] != BACKGROUND)
        waits = visits["start_h"][own] - visits["arrive_h"][own]
        out[f"line_trains.{lid}"] = float(own.sum())
        out[f"line_wait_h.{lid}.mean"] = float(waits.mean()) if len(waits) else math.nan
        paths = link.paths_per_day * 2 * (end - w) / 24.0  # both directions
        out[f"line_utilisation.{lid}"] = float(on.sum() / paths) if paths > 0 else math.nan


def _facilities(
    scenario: Scenario, tables: Tables, out: dict[str, float], queues: Mapping[str, Steps]
) -> None:
    w, end = scenario.horizon.warmup_h, scenario.horizon.length_h
    visits, trace = tables["facility_visits"], tables["queue_lengths"]
    own = visits["service"] != BACKGROUND  # the corridor's vehicles, not the other traffic
    for fid, fac in scenario.facilities.items():
        at = visits["node"] == fid
        if fac.background_per_day > 0:
            sel = at & ~own & (visits["arrive_h"] >= w)
            out[f"background_vehicles.{fid}"] = float(sel.sum() * fac.background_batch)
        if fac.kind in ("border_post", "lock"):
            sel = at & own & (visits["arrive_h"] >= w)
            waits = visits["start_h"][sel] - visits["arrive_h"][sel]
            out[f"border_crossings.{fid}"] = float(sel.sum())
            out[f"border_wait_h.{fid}.mean"] = float(waits.mean()) if len(waits) else math.nan
            out[f"border_wait_h.{fid}.p90"] = (
                float(np.percentile(waits, 90)) if len(waits) else math.nan
            )
            on = trace["node"] == fid
            out[f"border_queue_vehicles.{fid}.mean"] = time_average(
                trace["time_h"][on], trace["vehicles"][on], w, end
            )
            after = on & (trace["time_h"] >= w)
            out[f"border_queue_vehicles.{fid}.max"] = float(trace["vehicles"][after].max(initial=0))
            out[f"border_queue_teu.{fid}.max"] = float(trace["teu"][after].max(initial=0))
            t, queue, _ = queues[fid]
            out[f"queue_vehicles.{fid}.mean"] = time_average(t, queue, w, end)
            out[f"queue_vehicles.{fid}.max"] = float(queue[t >= w].max(initial=0))
        for server in ("lanes", "tracks", "berths"):
            n = getattr(fac, server)
            sel = at & (visits["server"] == server)
            if not n or not sel.any():
                continue
            busy = np.clip(visits["end_h"][sel], w, end) - np.clip(visits["start_h"][sel], w, end)
            out[f"utilisation.{fid}.{server}"] = float(busy.sum() / (n * (end - w)))


def _chain_co2(scenario: Scenario, tables: Tables, flows: FlowIndex, out: dict[str, float]) -> None:
    """CO2 per TEU by chain: the links each flow's chain runs over, weighted by TEU created."""
    cons = tables["consignments"]
    measured = cons["created_h"] >= scenario.horizon.warmup_h
    totals: dict[str, list[float]] = {}
    names, inverse = flows
    teu_by_flow = np.bincount(
        inverse[measured], weights=cons["teu"][measured], minlength=len(names)
    )
    created = dict(zip(names, teu_by_flow.tolist(), strict=True))
    for flow in scenario.flows.values():
        teu = created.get(flow.id, 0.0)
        acc = totals.setdefault(flow.chain_family, [0.0, 0.0])
        acc[0] += scenario.chain_co2_kg_per_teu(flow.id) * teu
        acc[1] += teu
    for chain, (co2, teu) in totals.items():
        if teu > 0:
            out[f"co2_kg_per_teu.{chain}"] = co2 / teu


def _chains_and_diversions(scenario: Scenario, tables: Tables, out: dict[str, float]) -> None:
    """TEU by chain, and what diverting cost: extra hours, tariff and CO2 against the plan."""
    cons = tables["consignments"]
    measured = cons["created_h"] >= scenario.horizon.warmup_h
    teu = cons["teu"]
    for chain in CHAIN_FAMILIES:
        out[f"teu.chain.{chain}"] = float(teu[measured & (cons["chain"] == chain)].sum())
    if "diverted" not in cons:  # tables written before route choice existed
        return
    div = measured & (cons["diverted"] == 1)
    out["teu.diverted"] = float(teu[div].sum())
    out["teu.rechosen"] = float(teu[measured & (cons["rechosen"] > 0)].sum())
    extra_tariff = extra_co2 = 0.0
    for flow, planned, size in zip(
        cons["flow"][div], cons["planned_flow"][div], teu[div], strict=True
    ):
        extra_tariff += size * (
            scenario.chain_tariff_cny(flow) - scenario.chain_tariff_cny(planned)
        )
        extra_co2 += size * (
            scenario.chain_co2_kg_per_teu(flow) - scenario.chain_co2_kg_per_teu(planned)
        )
    out["diversion.extra_tariff_cny"] = float(extra_tariff)
    out["diversion.extra_co2_kg"] = float(extra_co2)
    done = div & ~np.isnan(cons["delivered_h"])
    late = cons["delivered_h"][done] - cons["created_h"][done] - cons["planned_h"][done]
    out["diversion.extra_h.mean"] = float(late.mean()) if len(late) else math.nan


def compute_kpis(scenario: Scenario, tables: Tables) -> dict[str, float]:
    """Every KPI of one run, by name, sorted.

    Parameters
    ----------
    scenario : Scenario
        The scenario that was run (warm-up, services, facilities, flows).
    tables : mapping
        The run's tables, as :meth:`sim.model.records.Recorder.tables` returns them.
    """
    cons = tables["consignments"]
    w = scenario.horizon.warmup_h
    measured = cons["created_h"] >= w
    delivered = ~np.isnan(cons["delivered_h"])
    out = {
        "teu.created": float(cons["teu"][measured].sum()),
        "teu.delivered": float(cons["teu"][measured & delivered].sum()),
        "teu.in_system": float(cons["teu"][measured & ~delivered].sum()),
        "teu.in_system.from_warmup": float(cons["teu"][~measured & ~delivered].sum()),
        "missed_connections": float(cons["missed_connections"][measured].sum()),
        "rolled": float(cons["rolled"][measured].sum()) if "rolled" in cons else 0.0,
    }
    _departures(scenario, tables, out)
    flows = _flow_index(tables)
    _door_to_door(scenario, tables, flows, out)
    queues = {  # every vehicle waiting at each post, lock or disrupted facility, once
        fid: waiting_steps(tables, fid, fac.background_batch)
        for fid, fac in scenario.facilities.items()
        if fac.kind in ("border_post", "lock") or any(d.target == fid for d in scenario.disruptions)
    }
    _facilities(scenario, tables, out, queues)
    _lines(scenario, tables, out)
    _chain_co2(scenario, tables, flows, out)
    route_kpis(scenario, tables, flows, out)
    _chains_and_diversions(scenario, tables, out)
    closure_kpis(scenario, tables, out)
    backlog_kpis(scenario, tables, out, queues)
    return dict(sorted(out.items()))
