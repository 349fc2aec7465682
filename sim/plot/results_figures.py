"""Figures of run results: throughput over time, door-to-door times, border queues, comparisons.

Each takes results (one :class:`~sim.results.RunResult`, or several replications of one scenario
for bands) and an optional ``ax``, and returns the Axes it drew on.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from sim.plot.common import FAMILY_COLOURS, new_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from sim.comparisons import Comparison
    from sim.results import RunResult

__all__ = ["border_queue", "comparison_forest", "throughput", "transit_times"]

_WEEK_H = 168.0
_CHAIN_LABELS = {
    "rail_sea": "rail-sea",
    "road": "road",
    "intl_rail": "international rail",
    "river_sea": "Yangtze and sea",
}


def _as_list(results: RunResult | Sequence[RunResult]) -> list[RunResult]:
    return list(results) if isinstance(results, Sequence) else [results]


def throughput(
    results: RunResult | Sequence[RunResult], ax: Axes | None = None, what: str = "teu"
) -> Axes:
    """Weekly TEU carried (``what="teu"``) or departures (``"departures"``) per service family.

    With several replications, the line is their mean and the band spans the lowest to the
    highest replication in each week.
    """
    runs = _as_list(results)
    ax = new_axes(ax, (9, 4.5))
    length_h = runs[0].scenario.horizon.length_h
    edges = np.arange(0.0, length_h + 1e-9, _WEEK_H)  # whole weeks only: no stub at the end
    for family, colour in FAMILY_COLOURS.items():
        series = []
        for res in runs:
            dep = res.tables["departures"]
            sel = (dep["family"] == family) & (dep["cancelled"] == 0)
            weights = dep["teu"][sel] if what == "teu" else None
            series.append(np.histogram(dep["depart_h"][sel], bins=edges, weights=weights)[0])
        values = np.array(series, dtype=float)
        if not values.any():
            continue
        weeks = np.arange(1, len(edges))
        ax.plot(weeks, values.mean(axis=0), color=colour, lw=1.5, label=family.replace("_", " "))
        if len(runs) > 1:
            ax.fill_between(
                weeks, values.min(axis=0), values.max(axis=0), color=colour, alpha=0.2, lw=0
            )
    unit = "TEU carried" if what == "teu" else "departures"
    ax.set_xlabel(f"week of the horizon (from {runs[0].scenario.horizon.start})")
    ax.set_ylabel(f"{unit} per week")
    band = f", band: range of {len(runs)} replications" if len(runs) > 1 else ""
    ax.set_title(f"{runs[0].scenario.name}: {unit} per week by service family{band}", fontsize=10)
    ax.legend(fontsize=8, ncol=3, loc="upper left")
    ax.grid(True, lw=0.3, alpha=0.6)
    return ax


def transit_times(
    results: RunResult | Sequence[RunResult], ax: Axes | None = None, origin_prefix: str = "cq_"
) -> Axes:
    """Door-to-door time distributions (days) per chain, for consignments from Chongqing.

    One box per chain and direction: the box spans P25-P75, whiskers P5-P95; the median is
    marked. ``origin_prefix`` picks the origins (``"cq_"``: the Chongqing terminals).
    """
    runs = _as_list(results)
    ax = new_axes(ax, (9, 4.5))
    data, labels = [], []
    for chain, label in _CHAIN_LABELS.items():
        values = []
        for res in runs:
            c = res.tables["consignments"]
            sel = (c["chain"] == chain) & ~np.isnan(c["delivered_h"])
            sel &= np.char.startswith(c["origin"], origin_prefix)
            sel &= c["created_h"] >= res.scenario.horizon.warmup_h
            values.append((c["delivered_h"][sel] - c["created_h"][sel]) / 24.0)
        joined = np.concatenate(values) if values else np.empty(0)
        if len(joined):
            data.append(joined)
            labels.append(f"{label}\n(n={len(joined):,})")
    if data:
        ax.boxplot(
            data,
            tick_labels=labels,
            whis=(5, 95),
            showfliers=False,
            widths=0.5,
            medianprops={"color": "#CC0033"},
        )
    ax.set_ylabel("door to door (days)")
    ax.set_title(
        f"{runs[0].scenario.name}: door-to-door time from Chongqing by chain "
        "(box P25-P75, whiskers P5-P95)",
        fontsize=10,
    )
    ax.grid(True, axis="y", lw=0.3, alpha=0.6)
    return ax


def border_queue(res: RunResult, post: str, ax: Axes | None = None) -> Axes:
    """Vehicles waiting at a border post over time, with its closure windows shaded."""
    ax = new_axes(ax, (9, 4))
    trace = res.tables["queue_lengths"]
    on = trace["node"] == post
    t, n = trace["time_h"][on] / 24.0, trace["vehicles"][on]
    ax.step(t, n, where="post", color="#0072B2", lw=1.0, label="vehicles waiting")
    d = res.tables.get("disruptions", {})
    for start, end, target, effect in zip(
        d.get("start_h", []),
        d.get("end_h", []),
        d.get("target", []),
        d.get("effect", []),
        strict=True,
    ):
        if target == post and effect == "close":
            ax.axvspan(start / 24.0, end / 24.0, color="#CC0033", alpha=0.15, lw=0)
    if len(d.get("target", [])) and post in set(d["target"].tolist()):
        ax.plot([], [], color="#CC0033", alpha=0.3, lw=8, label="closed")
    ax.set_xlabel(f"days from {res.scenario.horizon.start}")
    ax.set_ylabel("vehicles waiting (queue + held while shut)")
    ax.set_title(f"{res.scenario.name}: queue at {post}", fontsize=10)
    ax.set_xlim(0, res.scenario.horizon.length_h / 24.0)
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8, loc="upper right")
    ax.grid(True, lw=0.3, alpha=0.6)
    return ax


def comparison_forest(
    comparison: Comparison, kpis: Sequence[str] | None = None, ax: Axes | None = None
) -> Axes:
    """The change of each KPI (alternative - base, % of base) with its 95% CI: a forest plot."""
    from sim.comparisons import headline_kpis

    every = {k for r in comparison.base.rows + comparison.alt.rows for k in r}
    rows = [
        r
        for r in comparison.rows(kpis or headline_kpis(every))
        if not math.isnan(r["rel_change"]) and (kpis or r["significant"])  # base clearly not 0
    ]
    ax = new_axes(ax, (9, 0.35 * len(rows) + 1.8))
    for y, r in enumerate(rows):
        base = abs(r["base_mean"])
        mid, low, high = (100 * r[k] / base for k in ("diff_mean", "diff_ci_low", "diff_ci_high"))
        colour = "#CC0033" if r["significant"] else "#777777"
        ax.errorbar(mid, y, xerr=[[mid - low], [high - mid]], fmt="o", color=colour, capsize=3)
    ax.set_yticks(range(len(rows)), [r["kpi"] for r in rows], fontsize=7)
    ax.invert_yaxis()
    ax.axvline(0, color="#444444", lw=0.8, ls="--")
    ax.set_xlabel("change, alternative - base (% of the base mean), with 95% CI")
    ax.set_title(
        f"{comparison.alt.scenario.name} against {comparison.base.scenario.name} "
        f"({comparison.base.n} paired replications)",
        fontsize=10,
    )
    ax.grid(True, axis="x", lw=0.3, alpha=0.6)
    return ax
