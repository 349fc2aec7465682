"""Figures of run results: throughput over time, door-to-door times, comparisons.

Each takes results (one :class:`~sim.results.RunResult`, or several replications of one scenario
for bands) and an optional ``ax``, and returns the Axes it drew on.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from sim.plot.common import FAMILY_COLOURS, FAMILY_LABELS, month_ticks, new_axes
from sim.results.routes import place_name

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from sim.experiments.comparisons import Comparison
    from sim.results import RunResult
    from sim.results.published import PublishedTime

__all__ = ["comparison_forest", "throughput", "transit_times"]

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
    """TEU carried (``what="teu"``) or departures (``"departures"``) per month and service family.

    On a log scale, so that a family of a few trucks a month shows beside one of thousands of
    TEU; with several replications, the line is their mean and the band spans the lowest to the
    highest replication in each month. Months cut by the horizon are left out.
    """
    from sim.model.background import month_starts_h

    runs = _as_list(results)
    horizon = runs[0].scenario.horizon
    ax = new_axes(ax, (9, 4.5))
    starts, _ = month_starts_h(horizon)
    edges = np.array([*starts, horizon.length_h])
    end_day = horizon.start + dt.timedelta(hours=horizon.length_h)
    whole = np.ones(len(edges) - 1, dtype=bool)  # months the horizon does not cut
    whole[0] &= horizon.start.day == 1
    whole[-1] &= end_day.day == 1
    middle = (edges[:-1] + edges[1:]) / 2 / 24.0
    for family, colour in FAMILY_COLOURS.items():
        series = []
        for res in runs:
            dep = res.tables["departures"]
            sel = (dep["family"] == family) & (dep["cancelled"] == 0)
            weights = dep["teu"][sel] if what == "teu" else None
            series.append(np.histogram(dep["depart_h"][sel], bins=edges, weights=weights)[0])
        values = np.array(series, dtype=float)[:, whole]
        if not values.any():
            continue
        x = middle[whole]
        mean = values.mean(axis=0)
        label = FAMILY_LABELS[family]
        ax.plot(x, np.where(mean > 0, mean, np.nan), "o-", color=colour, lw=1.5, ms=3, label=label)
        if len(runs) > 1:
            low, high = values.min(axis=0), values.max(axis=0)
            ax.fill_between(x, np.where(low > 0, low, np.nan), high, color=colour, alpha=0.2, lw=0)
    ax.set_yscale("log")
    month_ticks(ax, horizon)
    unit = "TEU carried" if what == "teu" else "departures"
    ax.set_ylabel(f"{unit} per month (log scale)")
    band = f", mean of {len(runs)} replications, band: their range" if len(runs) > 1 else ""
    ax.set_title(f"{runs[0].scenario.name}: {unit} per month by service family{band}", fontsize=10)
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)
    if what == "teu":  # the families are legs, not boxes: the lines do not add up
        ax.annotate(
            "TEU counted once per leg:\na box counts on each vehicle\nit rides (a rail-sea box on\n"
            "its train and again on its\nship), so the lines do not\nadd up to boxes",
            (1.0, 0.02),
            xycoords="axes fraction",
            xytext=(8, 0),
            textcoords="offset points",
            fontsize=7.5,
            va="bottom",
            color="#444444",
            gid="per-leg-note",
        )
    ax.grid(True, which="major", lw=0.3, alpha=0.6)
    return ax


def transit_times(
    results: RunResult | Sequence[RunResult],
    ax: Axes | None = None,
    origin_prefix: str = "cq_",
    destinations: Sequence[str] | None = None,
    published: Sequence[PublishedTime] = (),
) -> Axes:
    """Door-to-door time distributions (days) per chain and destination, from Chongqing.

    One box per chain and destination (default: Singapore and Hanoi, else every destination):
    the box spans P25-P75, whiskers P5-P95; the median is marked, and ``n`` counts the
    consignments pooled over the replications. ``origin_prefix`` picks the origins (``"cq_"``:
    the Chongqing terminals). ``published`` times (:mod:`sim.results.published`) of a chain are
    marked beside its box: they count the trip only, without waits, queues or dwell.
    """
    from sim.results.kpis import HEADLINE_DESTINATIONS

    runs = _as_list(results)
    sc = runs[0].scenario
    ax = new_axes(ax, (9, 4.5))
    pooled: dict[tuple[str, str], list[np.ndarray]] = {}
    for res in runs:
        c = res.tables["consignments"]
        sel = ~np.isnan(c["delivered_h"]) & np.char.startswith(c["origin"], origin_prefix)
        sel &= c["created_h"] >= res.scenario.horizon.warmup_h
        days = (c["delivered_h"] - c["created_h"]) / 24.0
        pairs = zip(c["chain"][sel].tolist(), c["destination"][sel].tolist(), strict=True)
        for chain, dest in set(pairs):
            mine = sel & (c["chain"] == chain) & (c["destination"] == dest)
            pooled.setdefault((chain, dest), []).append(days[mine])
    wanted = destinations or [d for d in HEADLINE_DESTINATIONS if any(k[1] == d for k in pooled)]
    keys = [
        (chain, dest)
        for chain in _CHAIN_LABELS
        for dest in (wanted or sorted({k[1] for k in pooled}))
        if (chain, dest) in pooled
    ]
    data = [np.concatenate(pooled[k]) for k in keys]
    labels = [
        f"{_CHAIN_LABELS[chain]}\n→ {place_name(sc.network, dest)}\n(n={len(d):,})"
        for (chain, dest), d in zip(keys, data, strict=True)
    ]
    if data:
        ax.boxplot(
            data,
            tick_labels=labels,
            whis=(5, 95),
            showfliers=False,
            widths=0.5,
            medianprops={"color": "#CC0033"},
        )
        ax.tick_params(axis="x", labelsize=7)
        marked = False
        for x, (chain, dest) in enumerate(keys, start=1):
            for p in published:
                ours = (p.chain, p.destination) == (chain, dest)
                if ours and p.days is not None and p.origin.startswith(origin_prefix):
                    low, high = p.days
                    ax.plot([x + 0.3] * 2, [low, max(high, low + 0.15)], color="#009E73", lw=5)
                    marked = True
        if marked:
            ax.plot([], [], color="#009E73", lw=5, label="published, the trip only")
            ax.legend(fontsize=8, loc="upper left")
    ax.set_ylabel("door to door (days)")
    pooled_over = f", pooled over {len(runs)} replications" if len(runs) > 1 else ""
    n_over = " in all of them" if len(runs) > 1 else ""
    ax.set_title(
        f"{sc.name}: door to door from Chongqing by chain and destination{pooled_over}\n"
        f"(box P25-P75, whiskers P5-P95, median in red; n: consignments delivered{n_over})",
        fontsize=10,
    )
    ax.grid(True, axis="y", lw=0.3, alpha=0.6)
    return ax


def comparison_forest(
    comparison: Comparison,
    kpis: Sequence[str] | None = None,
    ax: Axes | None = None,
    top: int = 20,
    clip_pct: float = 100.0,
) -> Axes:
    """The change of each KPI (alternative - base, % of base) with its 95% CI: a forest plot.

    The ``top`` KPIs that changed most (relative), named in words; only KPIs whose base is
    clearly not 0 have a relative change. The axis stops at ``clip_pct`` either side: a change
    beyond it is drawn at the edge with its value written beside it.
    """
    from sim.experiments.comparisons import headline_kpis
    from sim.results.labels import kpi_label

    every = {k for r in comparison.base.rows + comparison.alt.rows for k in r}
    rows = [
        r
        for r in comparison.rows(kpis or headline_kpis(every))
        if not math.isnan(r["rel_change"]) and (kpis or r["significant"])  # base clearly not 0
    ]
    rows = sorted(rows, key=lambda r: -abs(r["rel_change"]))[:top]
    ax = new_axes(ax, (9, 0.32 * len(rows) + 1.8))
    for y, r in enumerate(rows):
        base = abs(r["base_mean"])
        mid, low, high = (100 * r[k] / base for k in ("diff_mean", "diff_ci_low", "diff_ci_high"))
        colour = "#CC0033" if r["significant"] else "#777777"
        shown = float(np.clip(mid, -clip_pct, clip_pct))
        ax.errorbar(
            shown,
            y,
            xerr=[[max(0.0, shown - max(low, -clip_pct))], [max(0.0, min(high, clip_pct) - shown)]],
            fmt="o",
            color=colour,
            capsize=3,
        )
        if shown != mid:  # beyond the axis: the value beside the edge
            ax.annotate(
                f"{mid:+,.0f}%",
                (shown, y),
                xytext=(-6 if mid > 0 else 6, 6),
                textcoords="offset points",
                ha="right" if mid > 0 else "left",
                fontsize=7,
                color=colour,
            )
    scenario = comparison.alt.scenario
    ax.set_yticks(range(len(rows)), [kpi_label(r["kpi"], scenario) for r in rows], fontsize=7)
    ax.invert_yaxis()
    ax.axvline(0, color="#444444", lw=0.8, ls="--")
    ax.set_xlim(-clip_pct * 1.05, clip_pct * 1.05)
    ax.set_xlabel("change, alternative - base (% of the base mean), with 95% CI")
    ax.set_title(
        f"{scenario.name} against {comparison.base.scenario.name}\n"
        f"{comparison.base.n} paired replications; the {len(rows)} largest changes",
        fontsize=10,
    )
    ax.grid(True, axis="x", lw=0.3, alpha=0.6)
    return ax
