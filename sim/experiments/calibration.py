"""Calibration: fit the few behavioural parameters to the targets of several years at once.

A calibration file (``seeds/calibration.toml``) names the parameters (each a range, and the scenario
keys it sets: one parameter may set the same value in several tables), and the cases: a scenario,
its targets file and the ids of the targets it is fitted to. :func:`calibrate` searches one
parameter at a time across its range, then ever finer around the best point, running every case at
every point on the same seeds (common random numbers), and keeps the point with the smallest
objective::

    objective = sum over the fitted targets of ((simulated mean - goal) / goal) ** 2

where ``goal`` is the middle of the target's band (its value for ``about``; for ``at_least`` the
middle of ``[value, value * (1 + tolerance_rel)]``). :func:`write_calibrated` writes the fitted
values into the scenario file that holds them, each with what it was calibrated to.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.errors import ArgumentError, Problem, SimError
from sim.experiments.calibration_write import write_calibrated
from sim.experiments.factors import Factor, read_factor
from sim.experiments.replications import summarise
from sim.experiments.sweeps import run_points
from sim.experiments.targets import Target, load_targets, target_values
from sim.experiments.workers import Workers
from sim.results.table import Table
from sim.scenario import load_scenario
from sim.textio import read_toml

__all__ = [
    "CalibrationResult",
    "CalibrationSpec",
    "calibrate",
    "load_calibration",
    "write_calibrated",
]


@dataclass(frozen=True)
class Case:
    """A scenario, its targets file, and the targets fitted on it."""

    name: str
    scenario: Path
    targets: tuple[Target, ...]


@dataclass(frozen=True)
class CalibrationSpec:
    """What to fit (parameters), to what (cases) and where the fitted values live."""

    path: Path
    parameters: tuple[Factor, ...]
    cases: tuple[Case, ...]
    write_to: Path


def load_calibration(path: str | Path) -> CalibrationSpec:
    """Read and check a calibration file; every problem is reported at once (``SimError``)."""
    file = Path(path)
    data = read_toml(file, "calibration file not found")
    problems: list[Problem] = []
    name = str(file)
    params = []
    for pname, raw in (data.get("parameters") or {}).items():
        if isinstance(raw, dict) and "mode" in raw:
            problems.append(
                Problem(name, "a parameter is set, not scaled", column=f"parameters.{pname}.mode")
            )
        raw = {"mode": "set", **raw} if isinstance(raw, dict) else raw
        param = read_factor(name, pname, raw, problems, table="parameters")
        if param is not None:
            params.append(param)
    if not data.get("parameters"):
        problems.append(Problem(name, "parameters: name at least one parameter", value=None))
    cases = []
    for i, raw in enumerate(data.get("cases") or []):
        where = f"cases[{i}]"
        try:
            scenario = (file.parent / raw["scenario"]).resolve()
            targets, _ = load_targets(file.parent / raw["targets"])
            by_id = {t.id: t for t in targets}
            fit = [by_id[t] for t in raw["fit"] if t in by_id]
            missing = [t for t in raw["fit"] if t not in by_id]
        except (KeyError, TypeError) as exc:
            problems.append(Problem(name, f"{where}: needs scenario, targets and fit ({exc})"))
            continue
        except SimError as exc:
            problems.extend(exc.problems)
            continue
        if missing:
            problems.append(Problem(name, f"{where}.fit: unknown target ids", value=missing))
        unfit = [t.id for t in fit if t.growth or t.evidence == "not modelled" or not t.value]
        if unfit:
            problems.append(
                Problem(
                    name,
                    f"{where}.fit: only level targets with a value can be fitted",
                    None,
                    None,
                    unfit,
                )
            )
        cases.append(Case(scenario.stem, scenario, tuple(fit)))
    if not cases:
        problems.append(Problem(name, "cases: name at least one case", value=None))
    write_to = (file.parent / str(data.get("write_to", ""))).resolve()
    if "write_to" not in data or not write_to.is_file():
        problems.append(
            Problem(name, "write_to: must name the scenario file that holds the values")
        )
    if problems:
        raise SimError(problems)
    return CalibrationSpec(file, tuple(params), tuple(cases), write_to)


@dataclass
class CalibrationResult:
    """The fitted values, the objective, the fit table and every point tried."""

    spec: CalibrationSpec
    best: dict[str, float]
    objective: float
    fit: list[dict[str, Any]]
    tried: list[dict[str, Any]] = field(default_factory=list)
    replications: int = 0
    seed: int = 0

    def table(self) -> Table:
        """Every point tried, one row each: its round, each parameter's value, the objective."""
        names = list(dict.fromkeys(k for row in self.tried for k in row))
        return Table.of({k: [row.get(k) for row in self.tried] for k in names})

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (``corridor-sim calibrate --json``)."""
        return {
            "calibration": str(self.spec.path),
            "replications": self.replications,
            "seed": self.seed,
            "best": self.best,
            "objective": self.objective,
            "fit": self.fit,
            "tried": self.tried,
        }


def _goal(t: Target) -> float:
    low, high = t.band()
    return (low + high) / 2.0


def calibrate(
    spec: CalibrationSpec | str | Path,
    points: int = 5,
    rounds: int = 3,
    n: int = 8,
    seed: int | None = None,
    *,
    workers: Workers | None = None,
    out: str | Path | None = None,
) -> CalibrationResult:
    """Fit the parameters of ``spec`` to its cases' targets (see the module docstring).

    A search one parameter at a time: each round tries ``points`` values of each parameter
    across its span in turn, the others held at their best so far (at first, the middle of their
    range), then narrows every span to one step either side of the best value. A point tried
    before is not run again. Every case runs ``n`` replications at every point on the same seeds
    (common random numbers), on ``workers`` (see :func:`sim.replicate`); with ``out`` each case,
    round and parameter keeps its runs in a folder below it, and a second call resumes.
    """
    spec = spec if isinstance(spec, CalibrationSpec) else load_calibration(spec)
    if points < 2 or rounds < 1 or n < 1:
        raise ArgumentError(
            f"calibrate: points >= 2, rounds >= 1, n >= 1 (got {points}, {rounds}, {n})"
        )
    scenarios = [load_scenario(c.scenario) for c in spec.cases]
    seed = scenarios[0].seed if seed is None else seed
    bounds = {p.name: (p.low, p.high) for p in spec.parameters}
    spans = dict(bounds)
    current = {k: round((lo + hi) / 2.0, 6) for k, (lo, hi) in bounds.items()}
    seen: dict[tuple[float, ...], dict[str, Any]] = {}  # every point tried: its fit
    tried: list[dict[str, Any]] = []
    best: dict[str, Any] = {}
    for rnd in range(rounds):
        for name in bounds:
            axis = np.linspace(*spans[name], points).round(6).tolist()
            grid = [{**current, name: v} for v in axis]
            new = [g for g in grid if _key(g) not in seen]
            where = Path(out) / f"round{rnd + 1}_{name}" if out else None
            fits = _fit_points(spec, scenarios, new, n, seed, workers, where)
            for values, fit in zip(new, fits, strict=True):
                seen[_key(values)] = {"values": values, "fit": fit, "objective": _objective(fit)}
                tried.append({"round": rnd + 1, **values, "objective": _objective(fit)})
            for values in grid:
                point = seen[_key(values)]
                if not best or point["objective"] < best["objective"]:
                    best = point
            current = dict(best["values"])
        steps = {k: (hi - lo) / (points - 1) for k, (lo, hi) in spans.items()}
        spans = {
            k: (max(bounds[k][0], current[k] - s), min(bounds[k][1], current[k] + s))
            for k, s in steps.items()
        }
    return CalibrationResult(spec, best["values"], best["objective"], best["fit"], tried, n, seed)


def _key(values: dict[str, float]) -> tuple[float, ...]:
    return tuple(values[k] for k in sorted(values))


def _objective(fit: list[dict[str, Any]]) -> float:
    objective = float(sum(r["sq_error"] for r in fit))
    return math.inf if math.isnan(objective) else objective


def _fit_points(
    spec: CalibrationSpec,
    scenarios: Sequence[Any],
    grid: list[dict[str, float]],
    n: int,
    seed: int,
    workers: Workers | None,
    out: Path | None,
) -> list[list[dict[str, Any]]]:
    """Each point's fit rows: every case run at every point of ``grid`` on the same seeds."""
    if not grid:
        return []
    overrides = [{k: v[p.name] for p in spec.parameters for k in p.keys} for v in grid]
    results = [
        run_points(
            sc,
            overrides,
            n,
            seed,
            overrides,
            workers=workers,
            out=out / case.name if out else None,
            label=f"calibration, {out.name if out else 'points'}",
        )
        for case, sc in zip(spec.cases, scenarios, strict=True)
    ]
    return [_fit_rows(spec, results, i) for i in range(len(grid))]


def _fit_rows(
    spec: CalibrationSpec, results: Sequence[list[dict[str, Any]]], point: int
) -> list[dict[str, Any]]:
    rows = []
    for case, runs in zip(spec.cases, results, strict=True):
        mine = [r for r in runs if r["point"] == point]
        for t in case.targets:
            unknown = [k for k in (*t.kpi, *t.per) if k not in mine[0]]
            if unknown:
                raise SimError(f"{case.name}: target {t.id!r}: unknown KPI {', '.join(unknown)}")
            s = summarise(target_values(t, mine))
            goal = _goal(t)
            rows.append(
                {
                    "case": case.name,
                    "target": t.id,
                    "kpi": " + ".join(t.kpi) + (f" per {' + '.join(t.per)}" if t.per else ""),
                    "goal": goal,
                    "band_low": t.band()[0],
                    "band_high": t.band()[1],
                    **s,
                    "rel_error": (s["mean"] - goal) / goal,
                    "sq_error": ((s["mean"] - goal) / goal) ** 2,
                }
            )
    return rows
