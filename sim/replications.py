"""Independent replications of a scenario, serially or on any ``concurrent.futures`` executor.

Replication ``i`` of an experiment seeded ``seed`` runs with the ``i``-th child of
``numpy.random.SeedSequence(seed)``; two scenarios replicated with the same seed therefore share
their random numbers replication by replication (common random numbers). The scenario object is
sent to the workers as it is, and results come back in replication order whichever executor ran
them.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed

import numpy as np
from tqdm import tqdm

from sim.errors import SimError
from sim.scenario import Scenario

__all__ = ["Replications", "replicate", "replication_seeds", "summarise", "t_quantile_975"]

# Two-sided 95% Student t quantiles t(0.975, df) for df = 1..30.
_T975 = (
    12.706,
    4.303,
    3.182,
    2.776,
    2.571,
    2.447,
    2.365,
    2.306,
    2.262,
    2.228,
    2.201,
    2.179,
    2.160,
    2.145,
    2.131,
    2.120,
    2.110,
    2.101,
    2.093,
    2.086,
    2.080,
    2.074,
    2.069,
    2.064,
    2.060,
    2.056,
    2.052,
    2.048,
    2.045,
    2.042,
)


def t_quantile_975(df: int) -> float:
    """The 97.5% quantile of Student's t with ``df`` degrees of freedom (table, then expansion).

    >>> t_quantile_975(29)
    2.045
    """
    if df < 1:
        return math.inf
    if df <= len(_T975):
        return _T975[df - 1]
    z = 1.959964  # Cornish-Fisher expansion around the normal quantile, exact to 1e-3 from df 30
    return z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)


def replication_seeds(seed: int, n: int) -> list[int]:
    """The run seed of each of ``n`` replications of an experiment seeded ``seed``."""
    return [int(child.generate_state(1)[0]) for child in np.random.SeedSequence(seed).spawn(n)]


def _run_one(scenario: Scenario, seed: int) -> dict[str, float]:
    """Worker: one replication's KPIs."""
    from sim.experiments import run

    return run(scenario, seed, log_events=False).kpis()


class Replications:
    """KPIs of ``n`` replications of one scenario, with their mean and 95% confidence interval."""

    def __init__(
        self, scenario: Scenario, seed: int, seeds: Sequence[int], rows: list[dict]
    ) -> None:
        self.scenario, self.seed, self.seeds, self.rows = scenario, seed, list(seeds), rows

    @property
    def n(self) -> int:
        """Number of replications."""
        return len(self.rows)

    def values(self, kpi: str | Sequence[str]) -> np.ndarray:
        """One value per replication; a list of KPI names is summed (missing names count 0)."""
        names = [kpi] if isinstance(kpi, str) else list(kpi)
        return np.array([sum(row.get(k, 0.0) for k in names) for row in self.rows], dtype=float)

    def summary(self, kpi: str | Sequence[str]) -> dict[str, float]:
        """``{"mean", "std", "ci_low", "ci_high"}`` of a KPI (t-based 95% interval)."""
        return summarise(self.values(kpi))

    def kpis(self) -> dict[str, dict[str, float]]:
        """Every KPI's summary, by name (the form of ``kpis.json`` with replications)."""
        names = sorted({k for row in self.rows for k in row})
        return {k: self.summary(k) for k in names}

    def __repr__(self) -> str:
        return f"Replications(scenario={self.scenario.name!r}, n={self.n}, seed={self.seed})"


def summarise(x: np.ndarray) -> dict[str, float]:
    """Mean, sample standard deviation and t-based 95% confidence interval of ``x``."""
    mean = float(x.mean()) if len(x) else math.nan
    std = float(x.std(ddof=1)) if len(x) > 1 else 0.0
    half = t_quantile_975(len(x) - 1) * std / math.sqrt(len(x)) if len(x) > 1 else math.inf
    return {"mean": mean, "std": std, "ci_low": mean - half, "ci_high": mean + half}


def replicate(
    scenario: Scenario,
    n: int | None = None,
    seed: int | None = None,
    executor: Executor | None = None,
    jobs: int | None = None,
    progress: bool = False,
) -> Replications:
    """Run ``n`` independent replications of ``scenario``.

    Parameters
    ----------
    scenario : Scenario
        From :func:`sim.load_scenario`; it is sent to the workers as it is.
    n : int, optional
        Replications (default: the scenario's ``replications``).
    seed : int, optional
        The experiment's seed (default: the scenario's ``seed``).
    executor : concurrent.futures.Executor, optional
        Where to run; by default a process pool of ``jobs`` workers, or in this process when
        ``jobs`` is 1.
    jobs : int, optional
        Worker processes when no executor is given (default: one per core).
    progress : bool
        Show a progress bar on stderr.

    Returns
    -------
    Replications
        Rows in replication order, identical whichever executor ran them.
    """
    n = scenario.replications if n is None else n
    seed = scenario.seed if seed is None else seed
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise SimError(f"replicate: n must be a whole number >= 1, got {n!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise SimError(f"replicate: seed must be a whole number >= 0, got {seed!r}")
    seeds = replication_seeds(seed, n)
    jobs = jobs or os.cpu_count() or 1
    bar = tqdm(
        total=n,
        desc=f"{scenario.name}: replications",
        unit="run",
        file=sys.stderr,
        disable=not progress,
        leave=False,
    )
    rows: list[dict[str, float] | None] = [None] * n
    with bar:
        if executor is None and (jobs == 1 or n == 1):
            for i, s in enumerate(seeds):
                rows[i] = _run_one(scenario, s)
                bar.update()
        else:
            pool = executor or ProcessPoolExecutor(max_workers=min(jobs, n))
            try:
                futures = {pool.submit(_run_one, scenario, s): i for i, s in enumerate(seeds)}
                for future in as_completed(futures):
                    rows[futures[future]] = future.result()
                    bar.update()
            finally:
                if executor is None:
                    pool.shutdown(cancel_futures=True)
    return Replications(scenario, seed, seeds, [r for r in rows if r is not None])
