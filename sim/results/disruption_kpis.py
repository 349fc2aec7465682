"""KPIs of disruptions: how long each node or link was closed, and what a closure left behind.

Pure functions of a run's tables, like the rest of :mod:`sim.results.kpis`, which calls them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from sim.model.records import BACKGROUND, Tables
from sim.scenario.schema import Disruption, Scenario

__all__ = ["Steps", "backlog_kpis", "closure_kpis", "time_average", "waiting_steps"]


def time_average(times: np.ndarray, values: np.ndarray, start: float, end: float) -> float:
    """Time-average of a step function (value ``values[i]`` from ``times[i]``) over [start, end]."""
    if end <= start:
        return 0.0
    edges = np.clip(np.append(times, end), start, end)
    return float((values * np.diff(edges)).sum() / (end - start))


#: A queue over time: (time_h, vehicles, corridor_vehicles), as :func:`waiting_steps` gives it.
Steps = tuple[np.ndarray, np.ndarray, np.ndarray]


def waiting_steps(tables: Tables, node: str, batch: int) -> Steps:
    """Every vehicle waiting at ``node`` (the corridor's and the other traffic's) over time.

    Returns ``(time_h, vehicles, corridor_vehicles)``: the queue after each arrival and each
    start of service, in time order. An event of the other traffic counts as its
    ``background_batch`` vehicles, joining at its arrival and leaving at its start. Vehicles
    still waiting at the run's end (``unserved``) never leave.
    """
    visits = tables["facility_visits"]
    unserved = tables.get("unserved")
    at = visits["node"] == node
    own = visits["service"][at] != BACKGROUND
    times = [visits["arrive_h"][at], visits["start_h"][at]]
    weight = np.where(own, 1, batch)
    steps = [weight, -weight]
    mine = [own.astype(np.int64), -own.astype(np.int64)]
    if unserved is not None:
        left = unserved["node"] == node
        left_own = unserved["service"][left] != BACKGROUND
        times.append(unserved["arrive_h"][left])
        steps.append(np.where(left_own, 1, batch))
        mine.append(left_own.astype(np.int64))
    t = np.concatenate(times)
    order = np.argsort(t, kind="stable")
    t, count = t[order], np.cumsum(np.concatenate(steps)[order])
    own_count = np.cumsum(np.concatenate(mine)[order])
    last = np.append(t[1:] != t[:-1], len(t) > 0)  # the queue once every event then is in
    last = last[: len(t)]
    return t[last], count[last], own_count[last]


def closure_kpis(scenario: Scenario, tables: Tables, out: dict[str, float]) -> None:
    """Hours each node or link was closed after the warm-up (overlapping windows counted once)."""
    d = tables.get("disruptions")
    if d is None:
        return
    w, end = scenario.horizon.warmup_h, scenario.horizon.length_h
    closed = d["effect"] == "close"
    for target in sorted(set(d["target"][closed].tolist())):
        sel = closed & (d["target"] == target)
        spans = sorted(
            zip(np.clip(d["start_h"][sel], w, end), np.clip(d["end_h"][sel], w, end), strict=True)
        )
        total, reach = 0.0, w
        for a, b in spans:
            a = max(a, reach)
            if b > a:
                total, reach = total + (b - a), b
        out[f"closed_h.{target}"] = float(total)


def backlog_kpis(
    scenario: Scenario,
    tables: Tables,
    out: dict[str, float],
    queues: Mapping[str, Steps] | None = None,
) -> None:
    """What each closure or slow-down of a facility in the scenario leaves behind when it ends.

    For each of the scenario's own disruptions (not the random ones, whose ids change from run to
    run): ``backlog.<id>.vehicles``, the vehicles waiting at the node as the window ends, the
    corridor's and the other traffic's, and ``backlog.<id>.corridor_vehicles``, the corridor's part;
    ``backlog.<id>.recovered_h``, the hours from the window's end until the whole queue first falls
    back to its average of the 30 days before the window (before the first of a run of windows
    there, each within 30 days of the next; left out if it never does: traffic that held back and
    returns can keep it long after the caught vehicles are served); ``backlog.<id>.peak_vehicles``,
    the longest queue (all traffic) from the window's start until then; ``backlog.<id>.cleared_h``,
    the hours from the end of the window until the last of them is served (0 with no backlog);
    ``backlog.<id>.wait_h.mean``, the mean wait for a server of the vehicles that arrived during the
    window; ``backlog.<id>.sent_d2d_h.mean``, door to door of the corridor's consignments handed in
    during the window on a chain through the node. ``cleared_h`` and ``wait_h.mean`` are left out
    when some of those vehicles were still waiting when the run ended, and the last two when nothing
    came or nothing sent was delivered.
    """
    visits, cons = tables["facility_visits"], tables["consignments"]
    empty = {"node": np.array([], dtype=str), "arrive_h": np.array([]), "service": np.array([])}
    unserved = tables.get("unserved", empty)
    for d in scenario.disruptions:
        fac = scenario.facilities.get(d.target)
        if fac is None:
            continue
        batch = fac.background_batch
        at = visits["node"] == d.target
        weight = np.where(visits["service"] == BACKGROUND, batch, 1)
        left = (unserved["node"] == d.target) & (unserved["arrive_h"] < d.end_h)
        left_weight = np.where(unserved["service"][left] == BACKGROUND, batch, 1)
        caught = at & (visits["arrive_h"] < d.end_h) & (visits["start_h"] >= d.end_h)
        out[f"backlog.{d.id}.vehicles"] = float(weight[caught].sum() + left_weight.sum())
        own_caught = (visits["service"][caught] != BACKGROUND).sum()
        own_left = (unserved["service"][left] != BACKGROUND).sum()
        out[f"backlog.{d.id}.corridor_vehicles"] = float(own_caught + own_left)
        if not left.any():
            start, end = visits["start_h"][caught], visits["end_h"][caught]
            last = start + (end - start) * (weight[caught] - 1) / weight[caught]  # in a batch
            out[f"backlog.{d.id}.cleared_h"] = float(last.max(initial=d.end_h) - d.end_h)
        known = (queues or {}).get(d.target)
        t, queue, _ = known if known is not None else waiting_steps(tables, d.target, batch)
        usual = time_average(
            t, queue, max(0.0, _calm_from(scenario, d) - 720.0), _calm_from(scenario, d)
        )
        recovered_at = _recovered_at(t, queue, usual, d.end_h)
        if math.isfinite(recovered_at):
            out[f"backlog.{d.id}.recovered_h"] = recovered_at - d.end_h
        during = (t >= d.start_h) & (t <= recovered_at)
        out[f"backlog.{d.id}.peak_vehicles"] = float(queue[during].max(initial=0))
        came = at & (visits["arrive_h"] >= d.start_h) & (visits["arrive_h"] < d.end_h)
        if came.any() and not (left & (unserved["arrive_h"] >= d.start_h)).any():
            waits = (visits["start_h"] - visits["arrive_h"])[came]
            out[f"backlog.{d.id}.wait_h.mean"] = float(np.average(waits, weights=weight[came]))
        through = [fid for fid in scenario.flows if _passes(scenario, fid, d.target)]
        sent = np.isin(cons["flow"], through)
        sent &= (cons["created_h"] >= d.start_h) & (cons["created_h"] < d.end_h)
        d2d = (cons["delivered_h"] - cons["created_h"])[sent]
        d2d = d2d[~np.isnan(d2d)]
        if len(d2d):
            out[f"backlog.{d.id}.sent_d2d_h.mean"] = float(d2d.mean())


def _calm_from(scenario: Scenario, d: Disruption) -> float:
    """When the run of disruptions at ``d``'s target that leads up to ``d`` began.

    Walking back from ``d``, a window that ends within 30 days of the next one's start belongs
    to the same run: the queue before the first of them is the post's usual one.
    """
    starts = sorted((x.start_h, x.end_h) for x in scenario.disruptions if x.target == d.target)
    begin = d.start_h
    for start, end in reversed(starts):
        if start < begin and end >= begin - 720.0:
            begin = start
    return begin


def _recovered_at(t: np.ndarray, queue: np.ndarray, usual: float, end_h: float) -> float:
    """When the whole queue first falls back to ``usual`` after a window's end (inf: never).

    Returning traffic that keeps the queue long counts as not recovered.
    """
    at_end = np.searchsorted(t, end_h, side="right") - 1  # the queue in force as it ends
    if at_end < 0 or queue[at_end] <= usual:
        return end_h
    after = np.flatnonzero((t > end_h) & (queue <= usual))
    return float(t[after[0]]) if len(after) else math.inf


def _passes(scenario: Scenario, flow_id: str, node: str) -> bool:
    """Whether a flow's chain runs through ``node``."""
    return any(node in scenario.services[sid].path for sid in scenario.flows[flow_id].chain)
