"""Door to door on the 2019 corridor, beside the published times, and two closures replayed.

Run from any folder (its files are found beside this script; about 2 minutes on 2 cores)::

    python examples/door_to_door_2019.py            # 30 replications each
    python examples/door_to_door_2019.py --replications 5

It prints the door-to-door table of docs/validation.md (Markdown) and the backlog of the
Youyiguan reopening (scenarios/youyiguan_reopening_2020.toml) and the Three Gorges maintenance
(scenarios/three_gorges_maintenance.toml). The nominal time is a consignment's moving,
handling and clearance hours (no waiting for a departure, no queue, no yard or customs dwell),
which is what a published "2 days by rail and 6 by sea" describes; it passes when it lies within
15% of the published range.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import sim
from sim.results.published import published_transit

DAY_H = 24.0
#: The repository's root: this script's folder's parent, whatever the working folder.
ROOT = Path(__file__).resolve().parents[1]
#: The chains of the table, with their published times (seeds/published_transit.toml).
CHAINS = published_transit(ROOT / "seeds" / "published_transit.toml")
PARTS = ("waiting", "transfer_wait", "dwell", "moving", "handling", "border_queue", "inspection")
NOMINAL = ("moving", "handling", "inspection")


def _ci(runs: sim.Replications, kpi: str) -> str:
    s = runs.summary(kpi)
    return f"{s['mean'] / DAY_H:.1f} ± {(s['ci_high'] - s['mean']) / DAY_H:.1f} d"


def door_to_door_table(runs: sim.Replications) -> str:
    """The Markdown table of docs/validation.md: mean, P90, parts and nominal against published."""
    head = "| chain | mean | P90 | " + " | ".join(p.replace("_", " ") for p in PARTS)
    head += " | nominal | published | nominal vs published |"
    lines = [head, "|" + "---|" * (5 + len(PARTS) + 1)]
    for origin, dest, chain, label, published, text in CHAINS:  # published: (low, high) days
        key = f"{origin}.{dest}.{chain}"
        parts = {p: runs.summary(f"breakdown_h.{key}.{p}")["mean"] / DAY_H for p in PARTS}
        nominal = sum(parts[p] for p in NOMINAL)
        verdict = "no nominal figure"
        if published is not None:
            low, high = published
            gap = 0.0 if low <= nominal <= high else (nominal - (low if nominal < low else high))
            share = gap / (low if nominal < low else high)
            verdict = f"{share:+.0%}: {'pass' if abs(share) <= 0.15 else 'FAIL'}"
        d2d = f"door_to_door_h.{key}"
        cells = [label, _ci(runs, f"{d2d}.mean"), _ci(runs, f"{d2d}.p90")]
        cells += [f"{parts[p]:.1f}" for p in PARTS] + [f"{nominal:.1f}", text, verdict]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def backlog_lines(runs: sim.Replications, disruption: str, chain_kpi: str) -> str:
    """Backlog KPIs of one disruption window, mean [95% CI] over the replications."""
    out = []
    for part, unit, scale in (
        ("vehicles", "vehicles waiting when it ends", 1.0),
        ("cleared_h", "days to serve them after it ends", DAY_H),
        ("wait_h.mean", "mean wait (days) of vehicles arriving during it", DAY_H),
        (
            "sent_d2d_h.mean",
            "door to door (days) of the corridor's boxes handed in during it",
            DAY_H,
        ),
    ):
        s = runs.summary(f"backlog.{disruption}.{part}")
        out.append(
            f"- {unit}: {s['mean'] / scale:,.1f} [{s['ci_low'] / scale:,.1f}, "
            f"{s['ci_high'] / scale:,.1f}]"
        )
    s = runs.summary(chain_kpi)
    out.append(f"- {chain_kpi} over the year: {s['mean'] / DAY_H:.1f} d")
    return "\n".join(out)


def main() -> None:
    """Run the three scenarios and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--replications", type=int, default=30)
    n = parser.parse_args().replications
    base = sim.replicate(sim.load_scenario(ROOT / "scenarios" / "baseline_2019.toml"), n=n)
    print(f"Door to door, 2019 baseline ({n} replications, seed 2019; days)\n")
    print(door_to_door_table(base))
    for path, window, kpi in (
        (
            "scenarios/youyiguan_reopening_2020.toml",
            "spring_festival_closure",
            "door_to_door_h.cq_nanpeng.hanoi.road.mean",
        ),
        (
            "scenarios/three_gorges_maintenance.toml",
            "lock_maintenance",
            "door_to_door_h.cq_guoyuan.singapore.river_sea.mean",
        ),
    ):
        runs = sim.replicate(sim.load_scenario(ROOT / path), n=n)
        print(f"\n{path} ({n} replications), window {window!r}:")
        print(backlog_lines(runs, window, kpi))


if __name__ == "__main__":
    main()
