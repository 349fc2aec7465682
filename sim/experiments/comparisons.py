"""Paired comparison of two scenarios on common random numbers.

Replication ``i`` of the base and of the alternative run on the same seed, so every random source
(arrivals, link times, clearances) draws the same numbers in both wherever the scenarios share it:
the difference per replication carries the effect of the change and little noise. The comparison
also runs the alternative on independent seeds, to report how much the pairing narrowed the
confidence interval of each difference (its variance reduction).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.experiments.replications import Replications, replicate, summarise
from sim.experiments.workers import Workers
from sim.results.tables import Table
from sim.scenario import Scenario, scenario_diff

__all__ = ["Comparison", "compare", "headline_kpis"]

_HEADLINE_PREFIXES = (
    "departures.",
    "load_factor.",
    "teu.",
    "door_to_door_h.",
    "border_wait_h.",
    "border_queue_vehicles.",
    "border_queue_teu.",
    "breakdown_h.",
    "diversion.",
    "missed_connections",
    "rolled",
    "cancelled.",
    "closed_h.",
)


def headline_kpis(names: Iterable[str]) -> list[str]:
    """The KPIs a planner reads first (door to door: mean, P90 and the wait for a departure)."""
    keep = []
    for k in sorted(names):
        if not k.startswith(_HEADLINE_PREFIXES) or k.startswith(
            ("departures.service.", "cancelled.service.")
        ):
            continue
        if k.startswith("door_to_door_h.") and not k.endswith((".mean", ".p90")):
            continue
        if k.startswith("breakdown_h.") and not k.endswith(".waiting"):
            continue
        keep.append(k)
    return keep


@dataclass
class Comparison:
    """Paired replications of a base and an alternative, and what changed between them."""

    base: Replications
    alt: Replications
    independent: Replications | None = None
    changes: list[tuple[str, Any, Any]] = field(default_factory=list)

    def row(self, kpi: str) -> dict[str, Any]:
        """One KPI: both means, the paired difference with its 95% CI, the variance reduction.

        Replications where the KPI has no value on either side (an average with no
        observation) are left out, of both means and of the difference; ``n`` counts the pairs
        used. Without a pair, each mean is over the replications where that side has a value
        (the backlog of a closure only the alternative has) and the difference is NaN (n/a).
        The relative change is given only where the base is clearly not zero (its own 95% CI
        excludes 0), and a change is ``significant`` (sure) when the 95% CI of the paired
        difference excludes 0. The variance reduction is var(independent differences) /
        var(paired differences): how many times more replications independent streams would
        need for the same interval (NaN when independent streams were not run).
        """
        b, a = self.base.values(kpi), self.alt.values(kpi)
        pairs = ~np.isnan(a) & ~np.isnan(b)  # both means and the difference over these
        diff, base = summarise((a - b)[pairs]), summarise(b[pairs])
        reduction = math.nan
        indep = self.independent.values(kpi) - b if self.independent is not None else b[:0]
        indep = indep[~np.isnan(indep)]
        if pairs.sum() > 1 and len(indep) > 1:
            paired_var = np.var((a - b)[pairs], ddof=1)
            reduction = float(np.var(indep, ddof=1) / paired_var) if paired_var > 0 else math.inf
        clearly_not_zero = base["n"] > 1 and (base["ci_low"] > 0 or base["ci_high"] < 0)
        if not pairs.any():  # one side has no value: show the other's (a closure's backlog)
            base, alt = summarise(b[~np.isnan(b)]), summarise(a[~np.isnan(a)])
        else:
            alt = summarise(a[pairs])
        return {
            "kpi": kpi,
            "base_mean": base["mean"],
            "alt_mean": alt["mean"],
            "diff_mean": diff["mean"],
            "diff_ci_low": diff["ci_low"],
            "diff_ci_high": diff["ci_high"],
            "n": diff["n"],
            "rel_change": diff["mean"] / base["mean"] if clearly_not_zero else math.nan,
            "significant": bool(diff["n"] > 1 and (diff["ci_low"] > 0 or diff["ci_high"] < 0)),
            "variance_reduction": reduction,
        }

    def rows(self, kpis: Iterable[str] | None = None) -> list[dict[str, Any]]:
        """One row per KPI (default: every KPI either side has)."""
        names = (
            sorted({k for r in self.base.rows + self.alt.rows for k in r}) if kpis is None else kpis
        )
        return [self.row(k) for k in names]

    def table(self, kpis: Iterable[str] | None = None) -> Table:
        """One row per KPI (see :meth:`row`); ``.to_frame()`` makes it a DataFrame."""
        rows = self.rows(kpis)
        return Table.of({c: [r[c] for r in rows] for c in rows[0]} if rows else {})

    def to_dict(self, kpis: Iterable[str] | None = None) -> dict[str, Any]:
        """The documented JSON form (``corridor-sim compare --json``)."""
        return {
            "base": self.base.scenario.name,
            "alt": self.alt.scenario.name,
            "replications": self.base.n,
            "seed": self.base.seed,
            "changes": [{"key": k, "base": b, "alt": a} for k, b, a in self.changes],
            "kpis": self.rows(kpis),
        }


def compare(
    base: Scenario,
    alt: Scenario,
    n: int = 30,
    seed: int | None = None,
    *,
    workers: Workers | None = None,
    independent: bool = True,
    out: str | Path | None = None,
) -> Comparison:
    """Replicate ``base`` and ``alt`` on common random numbers and compare them KPI by KPI.

    Parameters
    ----------
    base, alt : Scenario
        The two scenarios (typically ``alt`` extends ``base``).
    n : int
        Paired replications.
    seed : int, optional
        The experiment's seed (default: the base scenario's).
    workers : Workers, optional
        Where the runs go (see :func:`sim.replicate`); one pool runs all three sets.
    independent : bool
        Also run ``alt`` on independent seeds to measure the variance reduction (n more runs).
    out : str or Path, optional
        A folder that keeps every finished replication (``base/``, ``alt/``, ``independent/``);
        running again into it resumes.

    Returns
    -------
    Comparison
        With the scenario changes (:func:`sim.scenario.scenario_diff`) and per-KPI differences.
    """
    seed = base.seed if seed is None else seed
    workers = Workers.given(workers)
    with workers.pool() as pool:  # one pool (or cluster) for all three
        on_pool = Workers(pool or "serial", workers.jobs, progress=workers.progress)
        run_on: dict[str, Any] = {"workers": on_pool, "keep": "kpis"}
        folder = None if out is None else Path(out)
        base_reps = replicate(base, n=n, seed=seed, out=folder and folder / "base", **run_on)
        alt_reps = replicate(alt, n=n, seed=seed, out=folder and folder / "alt", **run_on)
        indep = (
            replicate(
                alt, n=n, seed=seed + 1_000_003, out=folder and folder / "independent", **run_on
            )
            if independent
            else None
        )
    return Comparison(base_reps, alt_reps, indep, scenario_diff(base, alt))
