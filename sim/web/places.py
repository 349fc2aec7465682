"""Places and things a planner built, named as the planner reads them: from the network's names.

A node is its ``name`` up to its first bracket ("Qinzhou port", "Youyiguan / Huu Nghi"); a link
is its two ends and its mode ("Nanning – Qinzhou port (rail)"); a flow is where it goes and by
which chain ("Chongqing Tuanjiecun → Hanoi Gia Lam, international rail"); a closure or slow-down
is its place and dates. The ids stay in the files and in the KPI names: these are their labels.

Examples
--------
>>> import sim
>>> sc = sim.load_scenario("scenarios/baseline_2019.toml")
>>> target_label(sc.network, "rail_nanning_qinzhou_port")
'Nanning – Qinzhou port (rail)'
>>> flow_label(sc, "ir_cq_hanoi")
'Chongqing Tuanjiecun → Hanoi Gia Lam, international rail'
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sim.results.routes import CHAIN_LABELS, place_name

__all__ = [
    "TARGET_GROUPS",
    "disruption_label",
    "flow_label",
    "kpi_text",
    "node_label",
    "service_label",
    "target_groups",
    "target_label",
]

#: What the builder can close or slow, in the order its list shows them: node kinds, then links
#: by mode (a link is closed both ways).
TARGET_GROUPS: tuple[tuple[str, str], ...] = (
    ("border_post", "Border posts"),
    ("seaport", "Seaports"),
    ("river_port", "River ports"),
    ("lock", "Locks"),
    ("rail_terminal", "Rail terminals"),
    ("road_terminal", "Road terminals"),
    ("rail", "Rail lines (closed both ways)"),
    ("road", "Roads (closed both ways)"),
    ("river", "River (closed both ways)"),
    ("sea", "Sea routes (closed both ways)"),
)
#: The vehicles of each service family's kind, as a planner names a service by them.
_VEHICLES = {"train": "trains", "truck": "trucks", "ship": "ships", "barge": "barges"}


def node_label(network: Any, node: str) -> str:
    """A node's name up to its first bracket (the id itself if the network has no such node)."""
    found = network.nodes.get(node)
    if found is None:
        return node
    name: str = found.name
    return name.split(" (")[0].strip() or name


def target_label(network: Any, target: str) -> str:
    """A node's name, or a link's ends and mode: ``Nanning – Qinzhou port (rail)``."""
    link = network.links.get(target)
    if link is None:
        return node_label(network, target)
    ends = f"{node_label(network, link.from_id)} – {node_label(network, link.to_id)}"
    return f"{ends} ({link.mode})"


def target_groups(network: Any) -> list[tuple[str, list[tuple[str, str]]]]:
    """The builder's targets: ``(group, [(id, label), ...])``, each group sorted by label.

    Facilities by kind (border posts, ports, locks, terminals), then links by mode.
    """
    out = []
    for kind, title in TARGET_GROUPS:
        items = [
            (n.id, node_label(network, n.id)) for n in network.nodes.values() if n.kind == kind
        ]
        items += [
            (link.id, target_label(network, link.id).removesuffix(f" ({link.mode})"))
            for link in network.links.values()
            if link.mode == kind
        ]
        if items:
            out.append((title, sorted(items, key=lambda item: item[1].casefold())))
    return out


def flow_label(scenario: Any, flow: str) -> str:
    """A demand flow: its origin and destination and its chain family, by name."""
    found = scenario.flows.get(flow)
    if found is None:
        return flow
    net = scenario.network
    ends = f"{place_name(net, found.origin)} → {place_name(net, found.destination)}"
    return f"{ends}, {CHAIN_LABELS.get(found.chain_family, found.chain_family)}"


def service_label(scenario: Any, service: str) -> str:
    """A service: where its vehicles go, and the border posts they cross.

    ``Chongqing Nanpeng → Hanoi trucks via Youyiguan / Huu Nghi``.
    """
    found = scenario.services.get(service)
    if found is None:
        return service
    net = scenario.network
    ends = f"{place_name(net, found.path[0])} → {place_name(net, found.path[-1])}"
    posts = [
        place_name(net, n)
        for n in found.path[1:-1]
        if n in net.nodes and net.nodes[n].kind == "border_post"
    ]
    via = f" via {', '.join(posts)}" if posts else ""
    return f"{ends} {_VEHICLES.get(found.vehicle, found.vehicle)}{via}"


def _when(start: dt.date, hours: float) -> str:
    moment = dt.datetime.combine(start, dt.time()) + dt.timedelta(hours=hours)
    return moment.date().isoformat() if moment.time() == dt.time() else moment.isoformat(" ")[:16]


def disruption_label(scenario: Any, disruption: Any) -> str:
    """A closure or slow-down: ``Youyiguan / Huu Nghi closed from 2019-02-01 to 2019-03-03``.

    The end is the first day it is over (as the scenario's ``end``).
    """
    start, end = (_when(scenario.horizon.start, h) for h in (disruption.start_h, disruption.end_h))
    what = "closed" if disruption.effect == "close" else f"slowed ×{disruption.factor:g}"
    return f"{target_label(scenario.network, disruption.target)} {what} from {start} to {end}"


#: What each ``backlog.<disruption>.*`` KPI measures (docs/kpis.md has them at length).
_BACKLOG = {
    "vehicles": "vehicles waiting as it ends",
    "corridor_vehicles": "the corridor's vehicles waiting as it ends",
    "cleared_h": "hours until its backlog is served (h)",
    "recovered_h": "hours until the queue is back to normal (h)",
    "peak_vehicles": "longest queue",
    "wait_h.mean": "mean wait of the vehicles that came during it (h)",
    "sent_d2d_h.mean": "door to door of the boxes sent during it, mean (h)",
}


def kpi_text(kpi: str, scenario: Any) -> str:
    """A KPI in words (:func:`sim.results.labels.kpi_label`), a closure's by its place and dates.

    ``backlog.planner_1.cleared_h`` reads ``Youyiguan / Huu Nghi closed from 2019-02-01 to
    2019-03-03: hours until its backlog is served (h)``.
    """
    from sim.results.labels import kpi_label

    head, _, rest = kpi.partition(".")
    ident, _, measure = rest.partition(".")
    if head == "backlog" and measure in _BACKLOG:
        for d in scenario.disruptions:
            if d.id == ident:
                return f"{disruption_label(scenario, d)}: {_BACKLOG[measure]}"
    return kpi_label(kpi, scenario)
