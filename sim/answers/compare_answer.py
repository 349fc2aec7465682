"""The answer of ``corridor-sim compare`` in a dozen lines: what changed, and by how much.

The scenario's question, what the alternative changes, the TEU diverted and where they went
(route by route), the border posts and locks whose waits moved most, and the door-to-door
times that moved most, each as base → alternative with the change and its 95% CI. Only changes
whose interval excludes 0 are shown; ``--all`` and ``--kpi`` give the full table.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from sim.answers.run_answer import disruption_lines
from sim.answers.text import printable, question_line
from sim.results.routes import CHAIN_LABELS, place_name, routes

__all__ = ["COMPARE_HINT", "comparison_headline"]

#: What ``corridor-sim compare`` prints after its answer: where the rest is.
COMPARE_HINT = "More: --all (every KPI), --kpi PATTERN (those matching), --json (the data)."


def _n(x: float, digits: int = 0) -> str:
    """A number for a sentence: thousands separated, n/a when it has no value."""
    if math.isnan(x):
        return "n/a"
    return f"{x:,.{digits}f}"


def _change(row: dict[str, Any], scale: float = 1.0, digits: int = 0) -> str:
    """``base → alt (+d [lo, hi])`` of a comparison row, values divided by ``scale``."""
    b, a = row["base_mean"] / scale, row["alt_mean"] / scale
    d, lo, hi = (row[k] / scale for k in ("diff_mean", "diff_ci_low", "diff_ci_high"))
    sign = "+" if d >= 0 else ""
    return (
        f"{_n(b, digits)} → {_n(a, digits)} "
        f"({sign}{_n(d, digits)} [{_n(lo, digits)}, {_n(hi, digits)}])"
    )


def _changes(comparison: Any) -> list[str]:
    """What the alternative changes, closures and slow-downs in words."""
    alt = comparison.alt.scenario
    net, start = alt.network, alt.horizon.start
    by_id = {d.id: d for d in alt.disruptions}
    told, out = set(), []
    for key, base, new in comparison.changes:
        parts = key.split(".")
        if parts[0] == "disruptions" and len(parts) > 2 and parts[1] in by_id:
            if parts[1] not in told:
                told.add(parts[1])
                d = by_id[parts[1]]
                when = [(start + dt.timedelta(hours=h)).isoformat() for h in (d.start_h, d.end_h)]
                what = "closed" if d.effect == "close" else f"slowed x{d.factor:g}"
                out.append(f"{place_name(net, d.target)} {what} from {when[0]} to {when[1]}")
        elif key not in ("name", "description"):
            unset = "(not set: the model's default)"
            was, now = (unset if v is None else v for v in (base, new))
            out.append(f"{key}: {was} → {now}")
    return out or ["nothing"]


def _d2d_name(comparison: Any, kpi: str) -> str:
    """``Chongqing Nanpeng → Hanoi by road`` for ``door_to_door_h.cq_nanpeng.hanoi.road.mean``."""
    net = comparison.alt.scenario.network
    _, origin, destination, chain, _ = kpi.split(".")
    label = CHAIN_LABELS.get(chain, chain)
    return f"{place_name(net, origin)} → {place_name(net, destination)} by {label}"


def comparison_headline(comparison: Any, limit: int = 4) -> str:
    """A planner's answer to a comparison (:class:`~sim.experiments.comparisons.Comparison`).

    At most ``limit`` routes, ``limit // 2`` border posts and ``limit - 1`` door-to-door chains.
    """
    base_sc, alt_sc = comparison.base.scenario, comparison.alt.scenario
    names = sorted({k for r in comparison.base.rows + comparison.alt.rows for k in r})
    rows = {k: comparison.row(k) for k in names}
    sure = {k: r for k, r in rows.items() if r["significant"]}
    lines = [
        f"{alt_sc.name} against {base_sc.name}: {comparison.base.n} paired replications "
        f"(seed {comparison.base.seed}); base → alternative (change [95% CI])",
    ]
    question = question_line(alt_sc)
    if question:
        lines.append(question)
    lines.append("Changes: " + "; ".join(_changes(comparison)))
    answered = len(lines)
    h = alt_sc.horizon
    days = (h.length_h - h.warmup_h) / 24.0
    period = "a year" if 364 <= days <= 366 else f"in the {days:,.0f} days measured"
    if "teu.diverted" in sure:
        late = comparison.alt.summary("diversion.extra_h.mean")["mean"]  # none in the base
        tail = "" if math.isnan(late) else f"; {_n(late)} h later than planned on average"
        lines.append(f"Diverted, TEU {period}: {_change(rows['teu.diverted'])}{tail}")
    moved = sorted(
        (r for k, r in sure.items() if k.startswith("teu.route.")),
        key=lambda r: -abs(r["diff_mean"]),
    )
    if moved:
        named = {r.key: r.name for r in routes(alt_sc).values()}
        lines.append(f"Where the freight went, TEU {period}:")
        for r in moved[:limit]:
            key = r["kpi"].removeprefix("teu.route.")
            lines.append(f"  {named.get(key, key)}: {_change(r)}")
    waits = sorted(
        (r for k, r in sure.items() if k.startswith("border_wait_h.") and k.endswith(".mean")),
        key=lambda r: -abs(r["diff_mean"]),
    )
    for r in waits[: max(1, limit // 2)]:
        node = r["kpi"].split(".")[1]
        text = f"{place_name(alt_sc.network, node)}: mean wait, hours {_change(r, digits=1)}"
        for kpi, whose in (
            (f"queue_vehicles.{node}.max", ""),
            (f"border_queue_vehicles.{node}.max", " (the corridor's)"),
        ):
            if kpi in rows:
                text += f"; longest queue{whose}, vehicles {_change(rows[kpi])}"
        lines.append(text)
    d2d = sorted(
        (
            r
            for k, r in sure.items()
            if k.startswith("door_to_door_h.")
            and k.endswith(".mean")
            and k.count(".") == 4
            and abs(r["diff_mean"]) >= 1.2  # hours: a change that shows as 0.0 days is left out
        ),
        key=lambda r: -abs(r["rel_change"]) if not math.isnan(r["rel_change"]) else 0.0,
    )
    backlog = {k: comparison.alt.summary(k) for k in names if k.startswith("backlog.")}
    lines += [f"Disruption (alternative): {line}" for line in disruption_lines(alt_sc, backlog)]
    for r in d2d[: limit - 1]:
        lines.append(f"Door to door, {_d2d_name(comparison, r['kpi'])}, days: {_change(r, 24, 1)}")
    if len(lines) == answered:
        lines.append("No headline figure moved beyond its noise.")
    return printable("\n".join(lines))
