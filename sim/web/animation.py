"""What the browser draws: the network from its own coordinates, and one replication moving.

:func:`map_data` is the corridor (nodes with the short names the figures label them by, links as
lon/lat polylines, sea links along the sea lanes of :func:`sim.plot.basemap.sea_lane`, the land
from the package's own Natural Earth file, and the crowded Beibu Gulf box the whole corridor's
map enlarges beside it, as :func:`sim.plot.network_map` does), so the map needs nothing from the
web; ``static/map.js`` draws it and places every node's label clear of the others.
:func:`animation_data` adds one replication from its tables: each vehicle's departure, arrival
and the times it reached and left the facilities of its path (``departures`` and
``facility_visits``), the queue at every facility as a step function (every vehicle waiting, the
corridor's among them) and the closures (``disruptions``). The browser interpolates positions.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
from collections import defaultdict
from importlib import resources
from typing import Any

import numpy as np

from sim.results.disruption_kpis import waiting_steps

__all__ = ["animation_data", "closure_data", "diversion_teu", "map_data"]


#: One letter per kind of vehicle in the animation's data.
_KIND = {"train": "t", "truck": "r", "ship": "s", "barge": "b"}


def _r(x: float, digits: int = 2) -> float:
    return round(float(x), digits)


@functools.cache
def _land(box: tuple[float, float, float, float]) -> list[list[float]]:
    """Outer rings of the land polygons that reach into ``box``, as flat lon, lat lists."""
    text = (resources.files("sim.plot") / "data" / "countries_110m.geojson").read_text("utf-8")
    rings = []
    for feature in json.loads(text)["features"]:
        geom = feature["geometry"]
        polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        for poly in polys:
            ring = np.asarray(poly[0], dtype=float)
            lo, hi = ring.min(axis=0), ring.max(axis=0)
            if hi[0] < box[0] or lo[0] > box[2] or hi[1] < box[1] or lo[1] > box[3]:
                continue
            rings.append([_r(v) for v in ring.ravel()])
    return rings


def _link_line(net: Any, link: Any) -> list[float]:
    a, b = net.nodes[link.from_id], net.nodes[link.to_id]
    points: tuple[tuple[float, float], ...] = ((a.lon, a.lat), (b.lon, b.lat))
    if link.mode == "sea":
        from sim.plot.basemap import sea_lane

        points = sea_lane(points[0], points[1])
    return [_r(v) for p in points for v in p]


def map_data(scenario: Any) -> dict[str, Any]:
    """The network of ``scenario`` as the browser's map draws it.

    ``box`` (lon0, lat0, lon1, lat1) is the figures' (:func:`sim.plot.map_figure.map_extent`:
    the network's ``map_extent`` grown to the scenario's services), else every node's with a
    margin. Each node has its ``label`` (:func:`sim.plot.map_figure.short_name`: "Chengdu",
    "Three Gorges"); ``inset`` is the box the whole corridor's map enlarges.
    """
    from sim.plot.map_figure import INSET_BOX, map_extent, short_name

    net = scenario.network
    nodes = list(net.nodes.values())
    lons, lats = [n.lon for n in nodes], [n.lat for n in nodes]
    box = (min(lons) - 1.5, min(lats) - 1.5, max(lons) + 1.5, max(lats) + 1.5)
    extent = map_extent(scenario)
    if extent is not None:
        box = (extent[0], extent[2], extent[1], extent[3])
    lon0, lon1, lat0, lat1 = INSET_BOX
    return {
        "box": box,
        "inset": [lon0, lat0, lon1, lat1],
        "land": _land(box),
        "nodes": [
            {
                "id": n.id,
                "name": n.name,
                "label": short_name(n.name),
                "kind": n.kind,
                "lon": n.lon,
                "lat": n.lat,
            }
            for n in nodes
        ],
        "links": [
            {"id": link.id, "mode": link.mode, "line": _link_line(net, link)}
            for link in net.links.values()
        ],
    }


def closure_data(scenario: Any) -> list[dict[str, Any]]:
    """The scenario's closures and slow-downs as the map rings them (``effect``: close, slow)."""
    return [
        {"target": d.target, "start": d.start_h, "end": d.end_h, "effect": d.effect}
        for d in scenario.disruptions
    ]


def _service_lines(scenario: Any) -> dict[str, tuple[list[float], list[float], list[int]]]:
    """Per service: its polyline, and the share of its length at each point and at each node.

    The last is the index of each node of the service's path among the polyline's points.
    """
    net = scenario.network
    out = {}
    for sid, svc in scenario.services.items():
        points: list[tuple[float, float]] = [
            (net.nodes[svc.path[0]].lon, net.nodes[svc.path[0]].lat)
        ]
        at = [0]
        for a, lid in zip(svc.path, svc.links, strict=False):
            line = _link_line(net, net.links[lid])
            pts = list(zip(line[::2], line[1::2], strict=True))
            if net.links[lid].from_id != a:
                pts.reverse()
            points += pts[1:]
            at.append(len(points) - 1)
        steps = [math.dist(p, q) for p, q in itertools.pairwise(points)]
        total = sum(steps) or 1.0
        cum = np.concatenate([[0.0], np.cumsum(steps) / total])
        flat = [_r(v) for p in points for v in p]
        out[sid] = (flat, [_r(c, 4) for c in cum], at)
    return out


def animation_data(scenario: Any, tables: Any) -> dict[str, Any]:
    """One replication's vehicles, queues and closures, with the map, as compact JSON data."""
    lines = _service_lines(scenario)
    services = list(scenario.services)
    index = {s: i for i, s in enumerate(services)}
    dep = tables["departures"]
    visits = tables["facility_visits"]
    by_vehicle: dict[int, list[tuple[str, float, float]]] = defaultdict(list)
    for node, veh, arr, end in zip(
        visits["node"], visits["vehicle"], visits["arrive_h"], visits["end_h"], strict=True
    ):
        if veh > 0:
            by_vehicle[int(veh)].append((str(node), float(arr), float(end)))
    horizon = scenario.horizon.length_h
    vehicles = []
    for sid, veh, kind, d, a, cancelled in zip(
        dep["service"],
        dep["vehicle"],
        dep["vehicle_kind"],
        dep["depart_h"],
        dep["arrive_h"],
        dep["cancelled"],
        strict=True,
    ):
        if cancelled or sid not in index:
            continue
        a = horizon if math.isnan(a) else float(a)
        svc = scenario.services[sid]
        cum, at = lines[sid][1], lines[sid][2]
        keys = [(float(d), 0.0)]  # (time, share of the path's length)
        for node, arr, end in sorted(by_vehicle.get(int(veh), []), key=lambda v: v[1]):
            if node in svc.path[1:-1] and d <= arr <= a:
                share = cum[at[svc.path.index(node)]]
                if share >= keys[-1][1]:
                    keys += [(arr, share), (min(max(end, arr), a), share)]
        keys.append((a, 1.0))
        vehicles.append([index[sid], _KIND[str(kind)], [_r(v, 3) for k in keys for v in k]])
    queues: dict[str, list[float]] = {}  # node: time, all vehicles waiting, the corridor's, ...
    for fid, fac in scenario.facilities.items():
        t, every, own = waiting_steps(tables, fid, fac.background_batch)
        if len(t) and every.max() > 0:
            steps = np.column_stack([np.round(t, 2), every, own])
            queues[fid] = steps.ravel().tolist()
    dis = tables["disruptions"]
    closures = [
        {"target": str(t), "start": float(s), "end": float(e), "effect": str(f)}
        for t, s, e, f in zip(
            dis["target"], dis["start_h"], dis["end_h"], dis["effect"], strict=True
        )
    ]
    return {
        **map_data(scenario),
        "start": scenario.horizon.start.isoformat(),
        "horizon_h": horizon,
        "services": [{"id": s, "line": lines[s][0], "cum": lines[s][1]} for s in services],
        "vehicles": vehicles,
        "queues": queues,
        "closures": closures,
    }


def diversion_teu(scenario: Any, runs: list[Any]) -> dict[str, float]:
    """Per link, the TEU that diverted freight moved onto it (+) or off it (-).

    Mean over the replications ``runs`` (their tables): each consignment that took another chain
    than planned (``diverted``) adds its TEU to the links of its chosen chain and takes it from
    those of the planned one.
    """
    services, flows = scenario.services, scenario.flows

    def links(flow: str) -> list[str]:
        return [lid for sid in flows[flow].chain for lid in services[sid].links]

    total: dict[str, float] = defaultdict(float)
    for tables in runs:
        cons = tables["consignments"]
        if "diverted" not in cons:
            continue
        moved: dict[tuple[str, str], float] = defaultdict(float)
        for took, planned, teu, diverted in zip(
            cons["flow"], cons["planned_flow"], cons["teu"], cons["diverted"], strict=True
        ):
            if diverted:
                moved[str(took), str(planned)] += float(teu)
        for (took, planned), teu in moved.items():
            for lid in links(took):
                total[lid] += teu / len(runs)
            for lid in links(planned):
                total[lid] -= teu / len(runs)
    return {k: round(v, 1) for k, v in total.items() if abs(v) >= 0.05}
