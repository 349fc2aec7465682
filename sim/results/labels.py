"""KPI names as a reader would say them, with place names from the network.

Examples
--------
>>> import sim
>>> sc = sim.load_scenario("scenarios/baseline_2019.toml")
>>> kpi_label("border_wait_h.youyiguan.mean", sc)
'wait at Youyiguan / Huu Nghi, mean (h)'
>>> kpi_label("door_to_door_h.cq_nanpeng.hanoi.road.mean", sc)
'door to door, Chongqing Nanpeng → Hanoi by road, mean (h)'
"""

from __future__ import annotations

from sim.results.routes import CHAIN_LABELS, FAMILY_LABELS, place_name, routes
from sim.scenario.schema import Scenario

__all__ = ["kpi_label"]

_POST_KPIS = {
    "border_wait_h": ("wait at {p}", "h"),
    "border_queue_vehicles": ("vehicles waiting at {p}", ""),
    "border_queue_teu": ("TEU waiting at {p}", ""),
    "border_crossings": ("vehicles cleared at {p}", ""),
    "background_vehicles": ("other traffic at {p}", ""),
    "closed_h": ("closed, {p}", "h"),
}
_STATS = {"mean": "mean", "p50": "median", "p90": "P90", "p95": "P95", "max": "most at once"}


def kpi_label(kpi: str, scenario: Scenario) -> str:
    """A readable name of ``kpi`` (the KPI id itself when no rule knows it)."""
    net = scenario.network
    parts = kpi.split(".")
    head = parts[0]
    if head in _POST_KPIS and len(parts) >= 2:
        text, unit = _POST_KPIS[head]
        stat = f", {_STATS.get(parts[2], parts[2])}" if len(parts) > 2 else ""
        return f"{text.format(p=place_name(net, parts[1]))}{stat}" + (f" ({unit})" if unit else "")
    if head in ("door_to_door_h", "breakdown_h") and len(parts) == 5:
        _, origin, destination, chain, last = parts
        what = "door to door" if head == "door_to_door_h" else f"{last.replace('_', ' ')} part"
        stat = f", {_STATS.get(last, last)}" if head == "door_to_door_h" else ""
        return (
            f"{what}, {place_name(net, origin)} → {place_name(net, destination)} by "
            f"{CHAIN_LABELS.get(chain, chain)}{stat} (h)"
        )
    if kpi.startswith("teu.route."):
        key = kpi.removeprefix("teu.route.")
        named = {r.key: r.name for r in routes(scenario).values()}
        return f"TEU, {named.get(key, key)}"
    if kpi.startswith("teu.post."):
        return f"TEU through {place_name(net, parts[2])}"
    if head in ("departures", "cancelled", "load_factor") and len(parts) == 2:
        return f"{head.replace('_', ' ')}, {FAMILY_LABELS.get(parts[1], parts[1])}"
    if kpi.startswith("teu.carried.") and len(parts) == 3:
        return f"TEU carried, {FAMILY_LABELS.get(parts[2], parts[2])}"
    if kpi.startswith("teu.carried.service.") and len(parts) == 4:
        return f"TEU carried, service {parts[3]}"
    if kpi.startswith(("departures.service.", "cancelled.service.")) and len(parts) == 3:
        return f"{head}, service {parts[2]}"
    if kpi.startswith("teu.chain.") and len(parts) == 3:
        return f"TEU by {CHAIN_LABELS.get(parts[2], parts[2])}"
    return kpi
