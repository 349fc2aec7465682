"""Figures of operations: utilisation, TEU by link, cumulative counts (trains: ``marey_figure``)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from sim.plot.common import FAMILY_COLOURS, FAMILY_LABELS, month_ticks, new_axes
from sim.results.routes import place_name

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from sim.results import RunResult

__all__ = ["cumulative_departures", "teu_map", "utilisation"]

#: The seed document's 2019 counts, by the family whose departures they count.
TARGETS_2019 = {"rail_sea": 2300.0, "intl_rail": 71.0, "road": 1252.0}


def utilisation(res: RunResult, ax: Axes | None = None, top: int = 12) -> Axes:
    """Weekly utilisation (busy share of the servers) of the busiest lanes, tracks and berths."""
    import matplotlib.pyplot as plt

    from sim.results.utilisation import weekly_utilisation

    u = weekly_utilisation(res.scenario, res.tables)
    keys = list(dict.fromkeys(zip(u["node"].tolist(), u["server"].tolist(), strict=True)))
    rows, labels = [], []
    for node, server in keys:
        sel = (u["node"] == node) & (u["server"] == server)
        rows.append(u["busy_share"][sel])
        labels.append(f"{place_name(res.scenario.network, node)} ({u['servers'][sel][0]} {server})")
    order = np.argsort([-r.mean() for r in rows])[:top]
    weeks = int(u["week"].max()) if len(u["week"]) else 1
    grid = np.array([rows[i] for i in order]) if rows else np.zeros((1, weeks))
    top_share = math.ceil(10 * float(grid.max(initial=0.0))) / 10 or 1.0  # the scale's top
    ax = new_axes(ax, (10, 0.35 * len(order) + 2.2))
    image = ax.imshow(
        grid,
        aspect="auto",
        cmap="YlOrRd",
        vmin=0.0,
        vmax=min(1.0, top_share),
        interpolation="nearest",
        extent=(0.0, 7.0 * weeks, len(order) - 0.5, -0.5),  # days from the start
    )
    ax.set_yticks(range(len(order)), [labels[i] for i in order], fontsize=7)
    month_ticks(ax, res.scenario.horizon)
    ax.set_xlim(0, 7.0 * weeks)
    ax.set_title(
        f"{res.scenario.name}: busy share of the servers week by week, the busiest facilities",
        fontsize=10,
    )
    plt.colorbar(image, ax=ax, label="busy share of the servers (other traffic included)")
    return ax


def teu_map(res: RunResult, ax: Axes | None = None, max_width: float = 8.0) -> Axes:
    """The network map with each link's width proportional to the TEU carried over it.

    The nodes and links the scenario closed (its disruptions, not the short random closures
    such as fog at the locks) are ringed (dashed) in red, their labels saying so.
    """
    from sim.plot.map_figure import map_extent, network_map

    dep = res.tables["departures"]
    carried: dict[str, float] = {}
    for sid, svc in res.scenario.services.items():
        teu = float(dep["teu"][(dep["service"] == sid) & (dep["cancelled"] == 0)].sum())
        for lid in svc.links:
            carried[lid] = carried.get(lid, 0.0) + teu
    top = max(carried.values(), default=0.0) or 1.0
    widths = {
        lid: 0.4 + max_width * carried.get(lid, 0.0) / top for lid in res.scenario.network.links
    }
    d = res.tables.get("disruptions", {})
    effects = zip(d.get("target", []), d.get("effect", []), d.get("random", []), strict=True)
    closed = {t for t, e, random in effects if e == "close" and not random}  # the scenario's
    net = res.scenario.network
    ax = network_map(net, ax, link_width=widths, closed=closed, extent=map_extent(res.scenario))
    from matplotlib.lines import Line2D

    legend = ax.get_legend()  # the modes and kinds stay; the widths get a legend too
    if legend is not None:
        ax.add_artist(legend)
    sizes = [Line2D([], [], color="#777777", lw=0.4 + max_width * f) for f in (0.1, 0.5, 1.0)]
    ax.legend(
        sizes,
        [f"{f * top:,.0f}" for f in (0.1, 0.5, 1.0)],
        title="TEU carried",
        loc="upper right",
        fontsize=7,
        title_fontsize=8,
        framealpha=0.9,
    )
    ax.set_title(f"{res.scenario.name}: TEU carried by link", fontsize=10)
    return ax


def cumulative_departures(
    results: RunResult | Sequence[RunResult],
    ax: Axes | None = None,
    targets: Mapping[str, float] | None = None,
) -> Axes:
    """Departures so far through the year per family, against the published year-end counts."""
    runs = list(results) if isinstance(results, Sequence) else [results]
    targets = TARGETS_2019 if targets is None else targets
    ax = new_axes(ax, (9, 4.5))
    days = np.arange(0, runs[0].scenario.horizon.length_h / 24.0 + 1)
    for family, target in targets.items():
        colour = FAMILY_COLOURS[family]
        curves = []
        for res in runs:
            dep = res.tables["departures"]
            t = np.sort(dep["depart_h"][(dep["family"] == family) & (dep["cancelled"] == 0)]) / 24
            curves.append(np.searchsorted(t, days, side="right") / target)
        ax.plot(
            days,
            np.mean(curves, axis=0),
            color=colour,
            label=f"{FAMILY_LABELS[family]} (published {target:,.0f})",
        )
        if len(runs) > 1:
            low, high = np.min(curves, axis=0), np.max(curves, axis=0)
            ax.fill_between(days, low, high, color=colour, alpha=0.2, lw=0)
    ax.axhline(1.0, color="#444444", ls="--", lw=0.8)
    month_ticks(ax, runs[0].scenario.horizon)
    ax.set_ylabel("departures so far / published year count")
    band = f"; mean of {len(runs)} replications, band: their range" if len(runs) > 1 else ""
    ax.set_title(
        f"{runs[0].scenario.name}: departures so far against the published counts{band}",
        fontsize=10,
    )
    ax.legend(fontsize=8, loc="upper left")
    ax.grid(True, lw=0.3, alpha=0.6)
    return ax
