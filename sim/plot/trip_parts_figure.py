"""Door to door in its parts: a stacked bar per chain, from Chongqing to Singapore and Hanoi."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from sim.errors import SimError
from sim.model.records import BREAKDOWN_COLUMNS, TRIP_PARTS
from sim.plot.common import new_axes
from sim.results.kpis import HEADLINE_DESTINATIONS
from sim.results.run_result import RunResult

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from sim.network import Node

__all__ = ["PART_LABELS", "d2d_parts"]

#: What each part of the trip is called in the figure, in the order of the bars.
PART_LABELS = {p.column: p.label for p in TRIP_PARTS}
#: One colour per part, in the order of :data:`PART_LABELS`: the Okabe-Ito colour-blind-safe
#: palette (as the modes'), its orange swapped for grey so that no two parts are both orange:
#: waiting grey, a transfer yellow, yard pink, moving blue, handling sky blue, queueing red.
_COLOURS = ("#BBBBBB", "#F0E442", "#CC79A7", "#0072B2", "#56B4E9", "#D55E00", "#009E73")
_CHAINS = {
    "rail_sea": "rail-sea",
    "intl_rail": "rail",
    "road": "road",
    "river_sea": "Yangtze + sea",
    "land_bridge": "rail + rail-sea",
    "all_water": "all-water",
}


def _short(nodes: Mapping[str, Node], node: str) -> str:
    """A place name short enough for a bar label: "Chongqing Tuanjiecun (...)" -> "Tuanjiecun"."""
    if node not in nodes:
        return node
    name: str = nodes[node].name.split(" (")[0].split(" / ")[0]
    return name.removeprefix("Chongqing ").split(" ")[0] if name.startswith("Chongqing ") else name


def d2d_parts(
    results: RunResult | Sequence[RunResult],
    ax: Axes | None = None,
    destinations: Sequence[str] = HEADLINE_DESTINATIONS,
    origin_prefix: str = "cq_",
) -> Axes:
    """Mean door-to-door days per chain, stacked by part of the trip (delivered consignments).

    One bar per origin, destination and chain, for origins starting with ``origin_prefix`` and
    the ``destinations`` given (all chains when none match); place names from the network.
    """
    runs = list(results) if isinstance(results, Sequence) else [results]
    if not runs:
        raise ValueError("d2d_parts: no runs given")
    nodes = runs[0].scenario.network.nodes
    per_run = []
    for res in runs:
        c = res.tables["consignments"]
        done = ~np.isnan(c["delivered_h"]) & (c["created_h"] >= res.scenario.horizon.warmup_h)
        chains = set(zip(c["origin"][done], c["destination"][done], c["chain"][done], strict=True))
        per_run.append((c, done, chains))
    every = set().union(*(chains for _, _, chains in per_run))
    if not every:
        raise SimError("d2d_parts: no consignment was delivered in these runs")
    wanted = {k for k in every if k[0].startswith(origin_prefix) and k[1] in destinations}
    keys: dict[tuple[str, str, str], list[np.ndarray]] = {}
    for c, done, chains in per_run:
        for o, d, ch in sorted(chains & (wanted or every)):  # every chain if none is wanted
            sel = done & (c["origin"] == o) & (c["destination"] == d) & (c["chain"] == ch)
            keys.setdefault((o, d, ch), []).append(
                np.array([c[p][sel].mean() / 24.0 if p in c else 0.0 for p in BREAKDOWN_COLUMNS])
            )
    ax = new_axes(ax, (9, 0.5 * max(len(keys), 3) + 2.6))
    order = sorted(keys, key=lambda k: (k[1], k[2], k[0]))
    labels = [
        f"{_short(nodes, o)} → {_short(nodes, d)}, {_CHAINS.get(ch, ch)}" for o, d, ch in order
    ]
    means = np.array([np.mean(keys[k], axis=0) for k in order]).reshape(len(order), -1)
    left = np.zeros(len(order))
    for j, part in enumerate(BREAKDOWN_COLUMNS):
        ax.barh(labels, means[:, j], left=left, color=_COLOURS[j], label=PART_LABELS[part])
        left += means[:, j]
    for y, total in enumerate(left):
        ax.text(total, y, f" {total:.1f} d", va="center", fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, max(left.max() * 1.12, 1.0) if len(left) else 1.0)
    ax.set_xlabel("mean door to door (days)")
    n = f"the mean of {len(runs)} replications" if len(runs) > 1 else "one run"
    ax.set_title(f"{runs[0].scenario.name}: door to door in its parts ({n})", fontsize=10)
    ax.figure.legend(
        *ax.get_legend_handles_labels(),
        loc="outside lower center",
        ncol=3,
        fontsize=8,
        frameon=False,
    )
    ax.grid(axis="x", alpha=0.3)
    return ax
