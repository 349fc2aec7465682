"""Routes as people name them, and their KPIs.

A route is a chain family and where it crosses a border or changes mode.

Flows that differ only in their origin or destination share a route: every road flow through
Youyiguan is ``road:youyiguan``, "road via Youyiguan / Huu Nghi". A route's key is its chain
family and, after a colon, the border posts its services cross (or, with none, the nodes where
the load changes service), joined by ``+``. Names come from the network's ``nodes.csv``.

Examples
--------
>>> import sim
>>> sc = sim.load_scenario("scenarios/baseline_2019.toml")
>>> route_of(sc, "road_cq_hanoi_dongxing")
Route(key='road:dongxing_mongcai', name='road via Dongxing / Mong Cai', posts=('dongxing_mongcai',))
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from sim.model.records import TRIP_PARTS, Tables
from sim.network import Network
from sim.scenario.schema import Scenario

__all__ = [
    "CHAIN_LABELS",
    "FAMILY_LABELS",
    "Route",
    "place_name",
    "route_kpis",
    "route_of",
    "routes",
]

#: How the chain families read in a sentence.
CHAIN_LABELS = {
    "rail_sea": "rail-sea",
    "intl_rail": "international rail",
    "road": "road",
    "river_sea": "Yangtze and sea",
    "land_bridge": "China–Europe train and rail-sea",
    "all_water": "all-water",
}
#: How the service families read: the vehicles they run.
FAMILY_LABELS = {
    "rail_sea": "rail-sea trains",
    "intl_rail": "Chongqing–Hanoi trains",
    "road": "road trucks",
    "sea": "ships",
    "river": "barges",
    "china_europe": "China–Europe trains",
}


class Route(NamedTuple):
    """A flow's route: ``key`` (as in KPI names), a readable ``name``, the ``posts`` it crosses."""

    key: str
    name: str
    posts: tuple[str, ...]


def place_name(network: Network, node: str) -> str:
    """A node's name, short: ``Youyiguan / Huu Nghi`` for the Friendship Pass road border.

    The network's name up to its first word in lower case or its first bracket:
    ``Chongqing Nanpeng`` for "Chongqing Nanpeng highway bonded logistics centre (Banan)",
    ``Qinzhou`` for "Qinzhou port (...)".
    """
    found = network.nodes.get(node)
    if found is None:
        return node
    words = []
    for word in found.name.split(" (")[0].split():
        if word[0].islower():
            break
        words.append(word)
    return " ".join(words) or found.name


def route_of(scenario: Scenario, flow_id: str) -> Route:
    """The route of flow ``flow_id``: its chain family and what it goes through."""
    flow = scenario.flows[flow_id]
    services = [scenario.services[sid] for sid in flow.chain]
    posts: list[str] = []
    for svc in services:
        for node in svc.path:
            fac = scenario.facilities.get(node)
            if fac is not None and fac.kind == "border_post" and node not in posts:
                posts.append(node)
    via = posts or [svc.destination for svc in services[:-1]]
    family = flow.chain_family
    label = CHAIN_LABELS.get(family, family)
    names = [place_name(scenario.network, n) for n in via]
    name = f"{label} via {' and '.join(names)}" if names else label
    return Route(f"{family}:{'+'.join(via)}" if via else family, name, tuple(posts))


def routes(scenario: Scenario) -> dict[str, Route]:
    """Every flow's route, by flow id."""
    return {fid: route_of(scenario, fid) for fid in scenario.flows}


def route_kpis(
    scenario: Scenario,
    tables: Tables,
    flows: tuple[list[str], np.ndarray],
    out: dict[str, float],
) -> None:
    """Add to ``out`` the TEU and door to door by route, and the TEU by border post.

    ``flows`` are the flows that made consignments and each consignment's index into them.

    Every route and post of the scenario's flows has its TEU (0 when no freight took it), so a
    diversion shows where freight went: ``teu.route.road:dongxing_mongcai``.
    """
    cons = tables["consignments"]
    measured = cons["created_h"] >= scenario.horizon.warmup_h
    by_flow = {fid: route_of(scenario, fid) for fid in scenario.flows}
    keys = sorted({r.key for r in by_flow.values()})
    index = {k: i for i, k in enumerate(keys)}
    names, inverse = flows
    route = np.array([index[by_flow[n].key] for n in names], dtype=np.int64)[inverse]
    teu = np.bincount(route[measured], weights=cons["teu"][measured], minlength=len(keys))
    done = measured & ~np.isnan(cons["delivered_h"])
    count = np.bincount(route[done], minlength=len(keys))
    d2d = np.bincount(
        route[done], weights=(cons["delivered_h"] - cons["created_h"])[done], minlength=len(keys)
    )
    parts = {
        part: np.bincount(route[done], weights=cons[column][done], minlength=len(keys))
        for column, part in ((p.column, p.part) for p in TRIP_PARTS)
        if column in cons
    }
    for key, i in index.items():
        out[f"teu.route.{key}"] = float(teu[i])
        if count[i]:
            out[f"route_door_to_door_h.{key}.mean"] = float(d2d[i] / count[i])
            for part, sums in parts.items():
                out[f"route_breakdown_h.{key}.{part}"] = float(sums[i] / count[i])
    posts = sorted({p for r in by_flow.values() for p in r.posts})
    crossing = {p: [i for i, n in enumerate(names) if p in by_flow[n].posts] for p in posts}
    teu_by_flow = np.bincount(
        inverse[measured], weights=cons["teu"][measured], minlength=len(names)
    )
    for post, members in crossing.items():
        out[f"teu.post.{post}"] = float(teu_by_flow[members].sum())
