"""Chains that compete for the same trade, named by where the box changes vehicle, side by side.

Between Europe and ASEAN a box can take the China–Europe train to Chongqing and the rail-sea
chain on ("Duisburg → Chongqing Tuanjiecun → Qinzhou → Singapore") or go all the way by water
("Duisburg → Rotterdam → Singapore"). The ``run`` answer gives each such chain a line: its door
to door in days and in its parts, and what a TEU pays and emits on it (the static figures of
:meth:`~sim.scenario.Scenario.chain_tariff_cny` and
:meth:`~sim.scenario.Scenario.chain_co2_kg_per_teu`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from sim.model.records import TRIP_PARTS
from sim.results.routes import CHAIN_LABELS, place_name

__all__ = ["COMPARED_CHAINS", "compared_chain_lines"]

#: The chain families the answer sets side by side.
COMPARED_CHAINS = ("land_bridge", "all_water")
#: How the answer names each part of the trip (``breakdown_h.<...>.<part>``).
_PART_WORDS = {
    "waiting": "waiting",
    "transfer_wait": "transfers",
    "dwell": "yards and customs",
    "moving": "moving",
    "handling": "handling",
    "border_queue": "border queues",
    "inspection": "border clearance",
}

Stats = Mapping[str, Mapping[str, float]]  # KPI -> {"mean", "ci_low", "ci_high"}


def _mean(stats: Stats, kpi: str) -> float:
    s = stats.get(kpi)
    return math.nan if s is None else s["mean"]


def compared_chain_lines(
    scenario: Any, stats: Stats, value: Callable[[Stats, str, float, int], str]
) -> list[str]:
    """A line per origin, destination and compared chain, and one of the TEU each chain took.

    ``value(stats, kpi, scale, digits)`` formats a KPI's mean (and its 95% CI, with
    replications). Nothing when the scenario has no flow of :data:`COMPARED_CHAINS`.
    """
    net, seen, out = scenario.network, set(), []
    for fid, flow in scenario.flows.items():
        key = f"{flow.origin}.{flow.destination}.{flow.chain_family}"
        if flow.chain_family not in COMPARED_CHAINS or key in seen:
            continue
        seen.add(key)
        stops = [flow.origin, *(scenario.services[sid].destination for sid in flow.chain)]
        parts = [
            f"{_PART_WORDS.get(p.part, p.part)} {_mean(stats, k) / 24:.1f}"
            for p in TRIP_PARTS
            if _mean(stats, k := f"breakdown_h.{key}.{p.part}") >= 0.05 * 24
        ]
        out.append(
            f"{' → '.join(place_name(net, n) for n in stops)} "
            f"({CHAIN_LABELS.get(flow.chain_family, flow.chain_family)}): "
            f"{value(stats, f'door_to_door_h.{key}.mean', 24, 1)} days door to door"
            + (f" ({', '.join(parts)})" if parts else "")
            + f"; {scenario.chain_tariff_cny(fid):,.0f} CNY and "
            f"{scenario.chain_co2_kg_per_teu(fid):,.0f} kg CO2 per TEU"
        )
    if out:
        taken = [
            f"{CHAIN_LABELS.get(c, c)} {value(stats, f'teu.chain.{c}', 1, 0)}"
            for c in COMPARED_CHAINS
        ]
        out.append("TEU by chain: " + "; ".join(taken))
    return out
