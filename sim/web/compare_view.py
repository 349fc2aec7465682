"""A finished comparison as the compare page shows it.

The answer is ``corridor-sim compare``'s (:func:`sim.answers.compare_answer.comparison_headline`),
its changes said as the library says them (:mod:`sim.web.changes`: names, not the file's keys);
the forest plot shows the KPIs that changed (the selection of :func:`sim.plot.comparison_forest`),
each as its change in % of the base with the 95% CI; the map shows the freight diverted within
the alternative (not the alternative's flows minus the base's): the TEU it moved onto each link
or off it, mean over the alternative's replications, with the alternative's closures ringed.
"""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path
from typing import Any

__all__ = ["comparison_view"]


@functools.lru_cache(maxsize=4)
def _load(folder: str, scenarios: tuple[str, str], n: int, seed: int) -> Any:
    """The comparison from the KPIs its run folders keep (nothing is run again)."""
    import sim
    from sim.experiments.comparisons import Comparison
    from sim.experiments.replications import Replications, replication_seeds
    from sim.fileio import nan_for_null, read_json
    from sim.scenario import scenario_diff

    base, alt = (sim.load_scenario(p) for p in scenarios)
    seeds = replication_seeds(seed, n)
    sides = []
    for scenario, side in ((base, "base"), (alt, "alt")):
        runs = Path(folder) / side / "runs"
        rows = [nan_for_null(read_json(runs / f"r{i:04d}.json")) for i in range(n)]
        sides.append(Replications(scenario, seed, seeds, rows))
    return Comparison(sides[0], sides[1], None, scenario_diff(base, alt))


def _forest(comparison: Any, top: int = 20) -> list[dict[str, Any]]:
    from sim.experiments.comparisons import headline_kpis
    from sim.web.places import kpi_text

    every = {k for r in comparison.base.rows + comparison.alt.rows for k in r}
    rows = [
        r
        for r in comparison.rows(headline_kpis(every))
        if not math.isnan(r["rel_change"]) and r["significant"]
    ]
    rows = sorted(rows, key=lambda r: -abs(r["rel_change"]))[:top]
    out = []
    for r in rows:
        base = abs(r["base_mean"])
        out.append(
            {
                "label": kpi_text(r["kpi"], comparison.alt.scenario),
                "kpi": r["kpi"],
                "pct": round(100 * r["rel_change"], 2),
                "low": round(100 * r["diff_ci_low"] / base, 2),
                "high": round(100 * r["diff_ci_high"] / base, 2),
                "base": r["base_mean"],
                "alt": r["alt_mean"],
            }
        )
    return out


def _diversions(root: Path, comparison: Any) -> dict[str, Any]:
    """The map of the alternative, its closures ringed, with the TEU diverted per link.

    The TEU are kept in ``diversion.json`` of the comparison's folder (its tables are read once).
    """
    from sim.web.animation import closure_data, map_data

    alt_sc = comparison.alt.scenario
    cached = root / "diversion.json"
    if cached.is_file():  # older folders keep the map there too: only the TEU are read
        change = json.loads(cached.read_text(encoding="utf-8"))["change"]
    else:
        from sim.fileio import write_text_atomic
        from sim.results.load import load_runs
        from sim.web.animation import diversion_teu

        change = diversion_teu(alt_sc, [r.tables for r in load_runs(root / "alt")])
        write_text_atomic(cached, json.dumps({"change": change}, separators=(",", ":")))
    return {**map_data(alt_sc), "closures": closure_data(alt_sc), "change": change}


def comparison_view(root: Path, job: Any) -> dict[str, Any]:
    """The compare page's context for the finished comparison job in ``root``."""
    from sim.answers.compare_answer import comparison_headline
    from sim.web.changes import change_lines

    comparison = _load(str(root), tuple(job.sources), job.n, job.seed)
    lines = [line for line in comparison_headline(comparison).splitlines() if line]
    # What the alternative changes, with the library's words (names, not the file's keys).
    said = change_lines(comparison.alt.scenario, comparison.changes)
    lines = [
        f"Changes: {'; '.join(said)}" if x.startswith("Changes: ") and said else x for x in lines
    ]
    return {
        "compare_lines": lines,
        "forest": json.dumps(_forest(comparison)),
        "diversion": json.dumps(_diversions(root, comparison), separators=(",", ":")),
    }
