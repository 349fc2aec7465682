"""Sweeps: a grid of overrides, each point replicated on the same seeds, as one tidy table."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sim.errors import ArgumentError
from sim.experiments.replications import replication_seeds, summarise
from sim.experiments.run_folder import experiment_store
from sim.experiments.tasks import Task, run_tasks
from sim.experiments.workers import Workers
from sim.results.kpis import missing_value
from sim.results.tables import Table
from sim.scenario import Scenario, load_scenario

__all__ = ["SweepResult", "run_points", "sweep"]


@dataclass
class SweepResult:
    """One row per grid point and replication: the point's overrides, the seed, every KPI."""

    scenario: Scenario
    grid: dict[str, list[Any]]
    seed: int
    points: list[dict[str, Any]]
    rows: list[dict[str, Any]]

    def summary(self, kpi: str) -> Table:
        """One row per point: ``point``, its overrides, and the KPI's mean, std, 95% CI and n."""
        out = []
        for i, point in enumerate(self.points):
            x = np.array(
                [r.get(kpi, missing_value(kpi)) for r in self.rows if r["point"] == i], dtype=float
            )
            out.append({"point": i, **point, **summarise(x)})
        return Table.of({c: [r[c] for r in out] for c in out[0]})

    def table(self) -> Table:
        """The tidy table; ``.to_frame()`` makes it a DataFrame."""
        columns = list(dict.fromkeys(k for r in self.rows for k in r))
        return Table.of({c: [r.get(c) for r in self.rows] for c in columns})


def grid_points(grid: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """Every combination of the grid's values, the last key varying fastest."""
    for key, values in grid.items():
        if isinstance(values, str | bytes) or not isinstance(values, Sequence) or not values:
            raise ArgumentError(
                f"sweep: grid {key}: must be a non-empty list of values, got {values!r}"
            )
    keys = list(grid)
    return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*grid.values())]


def sweep(
    scenario: Scenario,
    grid: Mapping[str, Sequence[Any]],
    n: int = 10,
    seed: int | None = None,
    *,
    workers: Workers | None = None,
    out: str | Path | None = None,
) -> SweepResult:
    """Replicate ``scenario`` at every point of ``grid`` (dotted key -> values).

    Every point runs replications on the same seeds (common random numbers across points), on
    ``workers`` (see :func:`sim.replicate`). With ``out``, each finished run is kept in the
    folder and a second call resumes: finished runs are read back, missing ones run, none twice.

    Examples
    --------
    >>> import sim
    >>> sc = sim.load_scenario("scenarios/example.toml", overrides={"demand.scale": 0.2})
    >>> res = sim.sweep(sc, {"services.rail_cq_qinzhou.per_day": [1, 2]}, n=2, seed=1,
    ...                workers=sim.Workers("serial"))
    >>> [(r["point"], r["services.rail_cq_qinzhou.per_day"], r["replication"]) for r in res.rows]
    [(0, 1, 0), (0, 1, 1), (1, 2, 0), (1, 2, 1)]
    """
    seed = scenario.seed if seed is None else seed
    reserved = sorted(set(grid) & {"seed", "replications", "point", "replication"})
    if reserved:
        raise ArgumentError(
            f"sweep: grid {', '.join(reserved)}: not a scenario setting a sweep can vary "
            "(replications and their seeds come from n and seed)"
        )
    points = grid_points(grid)
    rows = run_points(scenario, points, n, seed, grid, workers=workers, out=out)
    return SweepResult(scenario, {k: list(v) for k, v in grid.items()}, seed, points, rows)


def run_points(
    scenario: Scenario,
    points: Sequence[Mapping[str, Any]],
    n: int,
    seed: int,
    identity: Any,
    *,
    workers: Workers | None = None,
    out: str | Path | None = None,
    label: str = "sweep",
) -> list[dict[str, Any]]:
    """Replicate ``scenario`` with each point's overrides on the same ``n`` seeds.

    The engine of sweeps, calibrations and sensitivity analyses: one row per point and
    replication (``point``, the point's overrides, ``replication``, ``seed``, every KPI). With
    ``out``, runs are kept in that folder and a second call resumes; ``identity`` (the grid, or
    the list of points) tells one experiment's folder from another's.
    """
    seeds = replication_seeds(seed, n)
    source = scenario.files[-1]
    variants = [load_scenario(source, overrides={**scenario.overrides, **p}) for p in points]
    tasks = [
        Task(f"p{i:03d}-r{r:04d}", sc, seeds[r]) for i, sc in enumerate(variants) for r in range(n)
    ]
    workers = Workers.given(workers)  # a bad argument is refused before the folder is taken
    store = experiment_store(out, scenario, seed, identity) if out else None
    try:
        with workers.pool(len(tasks)) as pool:
            done = run_tasks(tasks, pool, store, workers.progress, f"{scenario.name}: {label}")
    finally:
        if store is not None:  # another writer may take the folder from now on
            store.close()
    return [
        {"point": i, **p, "replication": r, "seed": seeds[r], **done[f"p{i:03d}-r{r:04d}"]}
        for i, p in enumerate(points)
        for r in range(n)
    ]
