"""Figures of route and mode choice: which chains the freight took, week by week."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.plot.common import month_ticks, new_axes
from sim.results.routes import CHAIN_LABELS, route_of

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from sim.results import RunResult

__all__ = ["chain_teu"]

_CHAIN_COLOURS = {
    "rail_sea": "#D55E00",
    "road": "#009E73",
    "intl_rail": "#CC79A7",
    "river_sea": "#56B4E9",
    "land_bridge": "#E69F00",
    "all_water": "#0072B2",
}
_OTHER_COLOURS = ("#009E73", "#E69F00", "#F0E442", "#CC79A7", "#D55E00", "#0072B2", "#56B4E9")


def chain_teu(res: RunResult, ax: Axes | None = None, market: str | None = None) -> Axes:
    """Weekly TEU by the chain consignments took, stacked, with the diverted TEU as a line.

    Without ``market``, every consignment by chain family; with it, that market's consignments
    by flow (one chain each: the border posts of a road market show apart). Closure windows of
    the run are shaded; the short random ones (fog, storms) are ticks along the bottom.
    """
    from sim.results.chain_teu import weekly_chain_teu

    table = weekly_chain_teu(res.scenario, res.tables)
    if market is not None:
        if market not in res.scenario.choice.markets:
            from sim.errors import ArgumentError

            known = ", ".join(res.scenario.choice.markets) or "none"
            raise ArgumentError(f"market: unknown market {market!r} (markets: {known})")
        sel = table["market"] == market
        groups = list(res.scenario.choice.markets[market])
        key = table["flow"]
        colours = dict(zip(groups, _OTHER_COLOURS * 2, strict=False))
    else:
        sel = np.ones(len(table["week"]), dtype=bool)
        groups, key, colours = list(_CHAIN_COLOURS), table["chain"], _CHAIN_COLOURS
    weeks = int(res.scenario.horizon.length_h // 168.0)
    x = (np.arange(weeks) + 0.5) * 7.0  # each week's middle, in days from the start
    named = {fid: route_of(res.scenario, fid).name for fid in res.scenario.flows}
    stacks, labels, used = [], [], []
    for group in groups:
        on = sel & (key == group)
        values = np.bincount(table["week"][on] - 1, weights=table["teu"][on], minlength=weeks)
        if values.any():
            stacks.append(values)
            labels.append(named[group] if market is not None else CHAIN_LABELS.get(group, group))
            used.append(colours[group])
    ax = new_axes(ax, (9, 4.5))
    if stacks:
        ax.stackplot(x, stacks, labels=labels, colors=used, alpha=0.85, step="mid")
    diverted = np.bincount(
        table["week"][sel] - 1, weights=table["diverted_teu"][sel], minlength=weeks
    )
    if diverted.any():
        ax.step(x, diverted, where="mid", color="black", lw=1.2, label="diverted (of the above)")
    d = res.tables.get("disruptions", {})
    shaded, drawn = False, False
    for start, end, effect, random in zip(
        d.get("start_h", []),
        d.get("end_h", []),
        d.get("effect", []),
        d.get("random", [0] * len(d.get("effect", []))),
        strict=True,
    ):
        if effect == "close" and random:  # short, drawn at random (fog, storms): a rug below
            ax.plot(
                [start / 24.0] * 2,
                [0.0, 0.025],
                color="#CC0033",
                lw=0.8,
                transform=ax.get_xaxis_transform(),
                zorder=3,
            )
            drawn = True
        elif effect == "close":  # over the stacks, hatched, so that it shows through them
            ax.axvspan(
                start / 24.0,
                end / 24.0,
                fc="none",
                ec="#CC0033",
                hatch="//",
                lw=0.8,
                zorder=3,
            )
            shaded = True
    if shaded:
        ax.fill([], [], fc="none", ec="#CC0033", hatch="//", label="closure")
    if drawn:
        ax.plot([], [], color="#CC0033", lw=0.8, label="random closure (ticks at the bottom)")
    what = f"market {market}" if market else "all flows"
    ax.set_title(f"{res.scenario.name}: TEU by chain taken ({what})", fontsize=10)
    month_ticks(ax, res.scenario.horizon)
    ax.set_ylabel("TEU created per week")
    ax.set_xlim(0.0, weeks * 7.0)
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.grid(True, lw=0.3, alpha=0.6)
    return ax
