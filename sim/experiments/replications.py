"""Independent replications of a scenario, serially or on any ``concurrent.futures`` executor.

Replication ``i`` of an experiment seeded ``seed`` runs with the ``i``-th child of
``numpy.random.SeedSequence(seed)``; two scenarios replicated with the same seed therefore share
their random numbers replication by replication (common random numbers). The scenario object is
sent to the workers as it is, and results come back in replication order whichever executor ran
them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, overload

import numpy as np

from sim.errors import ArgumentError
from sim.experiments.run_folder import experiment_store
from sim.experiments.tasks import Task, run_tasks
from sim.experiments.workers import Workers
from sim.fileio import write_json_atomic
from sim.model.streams import replication_seeds
from sim.options import KEEP, MAX_REPLICATIONS, Keep
from sim.results.kpis import missing_value
from sim.results.tables import Table
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


class Replications:
    """KPIs of ``n`` replications of one scenario, with their mean and 95% confidence interval."""

    def __init__(
        self, scenario: Scenario, seed: int, seeds: Sequence[int], rows: list[dict[str, float]]
    ) -> None:
        self.scenario, self.seed, self.seeds, self.rows = scenario, seed, list(seeds), rows

    @property
    def n(self) -> int:
        """Number of replications."""
        return len(self.rows)

    def values(self, kpi: str | Sequence[str]) -> np.ndarray:
        """One value per replication; a list of KPI names is summed.

        A KPI missing from a replication is 0 there if it is a count or a total
        (``closed_h.<node>`` exists only in the replications that drew a closure) and NaN, no
        value, if it is an average (:func:`sim.results.kpis.missing_value`).
        """
        names = [kpi] if isinstance(kpi, str) else list(kpi)
        return np.array(
            [sum(row.get(k, missing_value(k)) for k in names) for row in self.rows], dtype=float
        )

    @overload
    def summary(self, kpi: None = None) -> Table: ...
    @overload
    def summary(self, kpi: str | Sequence[str]) -> dict[str, float]: ...
    def summary(self, kpi: str | Sequence[str] | None = None) -> dict[str, float] | Table:
        """``{"mean", "std", "ci_low", "ci_high", "n"}`` of a KPI (t-based 95% interval).

        Over the replications where it has a value (``n`` of them). With no KPI, a table of
        every KPI's summary, one row each (``kpi``, ``mean``, ``std``, ``ci_low``, ``ci_high``,
        ``n``).
        """
        if kpi is None:
            rows = self.kpis()
            columns: dict[str, Any] = {"kpi": list(rows)}
            columns |= {s: [r[s] for r in rows.values()] for s in SUMMARY_FIELDS}
            return Table.of(columns)
        return summarise(self.values(kpi))

    def table(self) -> Table:
        """One row per replication: ``replication``, ``seed`` and every KPI.

        ``.to_frame()`` makes it a DataFrame; export it with
        :func:`sim.results.tables.write_table`.
        """
        names = sorted({k for r in self.rows for k in r})
        columns: dict[str, Any] = {"replication": list(range(self.n)), "seed": list(self.seeds)}
        columns |= {k: [r.get(k, missing_value(k)) for r in self.rows] for k in names}
        return Table.of(columns)

    def kpis(self) -> dict[str, dict[str, float]]:
        """Every KPI's summary, by name (the form of ``kpis.json`` with replications)."""
        names = sorted({k for row in self.rows for k in row})
        return {k: self.summary(k) for k in names}

    def __repr__(self) -> str:
        return f"Replications(scenario={self.scenario.name!r}, n={self.n}, seed={self.seed})"


#: The fields of :func:`summarise`, in order.
SUMMARY_FIELDS = ("mean", "std", "ci_low", "ci_high", "n")


def summarise(x: np.ndarray | Sequence[float]) -> dict[str, float]:
    """Mean, sample standard deviation and t-based 95% confidence interval of ``x``, and ``n``.

    NaN values (no observation in that replication) are left out and ``n`` counts the rest; with
    none left everything is NaN, with one the interval is infinite.

    >>> s = summarise([1.0, 2.0, 3.0, float("nan")])
    >>> s["n"], s["mean"], round(s["ci_high"] - s["mean"], 3)  # t(0.975, 2) * 1 / sqrt(3)
    (3, 2.0, 2.484)
    """
    v = np.asarray(x, dtype=float)
    v = v[~np.isnan(v)]
    n = len(v)
    if n == 0:
        return {"mean": math.nan, "std": math.nan, "ci_low": math.nan, "ci_high": math.nan, "n": 0}
    mean = float(v.mean())
    std = float(v.std(ddof=1)) if n > 1 else 0.0
    half = t_quantile_975(n - 1) * std / math.sqrt(n) if n > 1 else math.inf
    return {"mean": mean, "std": std, "ci_low": mean - half, "ci_high": mean + half, "n": n}


def _precise_enough(rows: list[dict[str, float]], bounds: Mapping[str, float]) -> bool:
    """Every named KPI's 95% CI half-width within its bound, relative to its mean."""
    for kpi, bound in bounds.items():
        s = summarise(np.array([r.get(kpi, missing_value(kpi)) for r in rows], dtype=float))
        half = (s["ci_high"] - s["ci_low"]) / 2
        if not half <= bound * abs(s["mean"]):  # NaN and infinite halves fail too
            return False
    return True


def _check_kpis(names: Mapping[str, float], rows: list[dict[str, float]]) -> None:
    unknown = sorted(set(names) - {k for r in rows for k in r})
    if unknown:
        raise ArgumentError(f"until_halfwidth: unknown KPI {', '.join(map(repr, unknown))}")


def replicate(
    scenario: Scenario,
    n: int | None = None,
    seed: int | None = None,
    *,
    workers: Workers | None = None,
    until_halfwidth: Mapping[str, float] | None = None,
    out: str | Path | None = None,
    keep: Keep = "first",
) -> Replications:
    """Run ``n`` independent replications of ``scenario`` (or fewer, until precise enough).

    Parameters
    ----------
    scenario : Scenario
        From :func:`sim.load_scenario`; it is sent to the workers as it is.
    n : int, optional
        Replications (default: the scenario's ``replications``); with ``until_halfwidth``, the
        most to run (default 100).
    seed : int, optional
        The experiment's seed (default: the scenario's ``seed``).
    workers : Workers, optional
        Where the replications run and whether a progress bar shows (default: a pool of one
        worker process per core; ``Workers("serial")`` runs them here).
    until_halfwidth : mapping, optional
        KPI name -> relative bound: stop, after at least 3 replications, once the 95% confidence
        interval of every named KPI has a half-width within ``bound * |mean|``. Replications run
        in batches (one run per worker), and replication ``i`` always has the same seed, so a
        longer run only adds replications.
    out : str or Path, optional
        A folder that keeps every finished replication and its KPIs (load them with
        :func:`sim.load_runs`); running again into it resumes. ``replications.json`` there says
        which replications the last call used.
    keep : {"first", "tables", "kpis"}
        With ``out``, whose tables to keep besides every replication's KPIs: the first
        replication's (the default, about 5 MB: the figures of one run), every replication's
        (``"tables"``, about 5 MB each; on a Dask cluster they are written where the run ran), or
        none (``"kpis"``).

    Returns
    -------
    Replications
        Rows in replication order, identical whichever executor ran them.

    Examples
    --------
    >>> import sim
    >>> sc = sim.load_scenario("scenarios/example.toml", overrides={"demand.scale": 0.2})
    >>> reps = sim.replicate(sc, n=20, seed=1, workers=sim.Workers("serial"),
    ...                      until_halfwidth={"departures.road": 0.10})
    >>> 3 <= reps.n < 20
    True
    """
    if until_halfwidth is not None and n is None:
        n = 100
    n = scenario.replications if n is None else n
    seed = scenario.seed if seed is None else seed
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_REPLICATIONS:
        raise ArgumentError(
            f"replicate: n must be a whole number from 1 to {MAX_REPLICATIONS:,}, got {n!r}"
        )
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ArgumentError(f"replicate: seed must be a whole number >= 0, got {seed!r}")
    seeds = replication_seeds(seed, n)
    workers = Workers.given(workers)
    if keep not in KEEP:
        raise ArgumentError(f"replicate: keep must be one of {', '.join(KEEP)}, got {keep!r}")
    store = experiment_store(out, scenario, seed, {}, keep) if out else None
    try:
        batch = n if until_halfwidth is None else max(workers.count, 3)
        rows: list[dict[str, float]] = []
        with workers.pool(n) as pool:
            while len(rows) < n:
                checked = len(rows)
                chunk = range(len(rows), min(n, len(rows) + batch))
                tasks = [Task(f"r{i:04d}", scenario, seeds[i]) for i in chunk]
                desc = f"{scenario.name}: replications"
                done = run_tasks(tasks, pool, store, workers.progress, desc)
                rows += [done[t.key] for t in tasks]
                if until_halfwidth is not None:
                    _check_kpis(until_halfwidth, rows)
                    # The first count (3 or more) that meets the bound, whatever the batch size: the
                    # same replications whichever executor or number of workers ran them.
                    enough = next(
                        (
                            k
                            for k in range(max(3, checked + 1), len(rows) + 1)
                            if _precise_enough(rows[:k], until_halfwidth)
                        ),
                        None,
                    )
                    if enough is not None:
                        rows = rows[:enough]
                        break
                    batch = workers.count
        if store is not None:  # which of the folder's replications this call used
            used = {"n": len(rows), "seed": seed, "seeds": seeds[: len(rows)]}
            write_json_atomic(store.folder / "replications.json", used)
    finally:
        if store is not None:  # another writer may take the folder from now on
            store.close()
    return Replications(scenario, seed, seeds[: len(rows)], rows)
