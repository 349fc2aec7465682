"""Calibration: fit the few behavioural parameters to the targets of several years at once.

A calibration file (``seeds/calibration.toml``) names the parameters (each a range, and the scenario
keys it sets: one parameter may set the same value in several tables), and the cases: a scenario,
its targets file and the ids of the targets it is fitted to. :func:`calibrate` searches a grid
over the ranges, then finer grids around the best point, running every case at every point on the
same seeds (common random numbers), and keeps the point with the smallest objective::

    objective = sum over the fitted targets of ((simulated mean - goal) / goal) ** 2

where ``goal`` is the middle of the target's band (its value for ``about``; for ``at_least`` the
middle of ``[value, value * (1 + tolerance_rel)]``). :func:`write_calibrated` writes the fitted
values into the scenario file that holds them, each with what it was calibrated to.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.errors import ArgumentError, Problem, SimError
from sim.experiments.factors import Factor, read_factor
from sim.experiments.replications import summarise
from sim.experiments.sweeps import run_points
from sim.experiments.targets import Target, load_targets, target_values
from sim.experiments.workers import Workers
from sim.fileio import write_text_atomic
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


def _grid(spans: dict[str, tuple[float, float]], points: int) -> list[dict[str, float]]:
    axes = {k: np.linspace(lo, hi, points).round(6).tolist() for k, (lo, hi) in spans.items()}
    return [dict(zip(axes, combo, strict=True)) for combo in itertools.product(*axes.values())]


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

    Round 1 tries ``points`` values of every parameter across its range (all combinations);
    each further round a grid as fine again, one step either side of the best point so far.
    Every case runs ``n`` replications at every point on the same seeds, on ``workers``
    (see :func:`sim.replicate`); with ``out`` each case and round keeps its runs in a folder
    below it, and a second call resumes.
    """
    spec = spec if isinstance(spec, CalibrationSpec) else load_calibration(spec)
    if points < 2 or rounds < 1 or n < 1:
        raise ArgumentError(
            f"calibrate: points >= 2, rounds >= 1, n >= 1 (got {points}, {rounds}, {n})"
        )
    scenarios = [load_scenario(c.scenario) for c in spec.cases]
    seed = scenarios[0].seed if seed is None else seed
    spans = {p.name: (p.low, p.high) for p in spec.parameters}
    bounds = dict(spans)
    tried: list[dict[str, Any]] = []
    best: dict[str, Any] = {}
    for rnd in range(rounds):
        grid = _grid(spans, points)
        overrides = [{k: v[p.name] for p in spec.parameters for k in p.keys} for v in grid]
        results = [
            run_points(
                sc,
                overrides,
                n,
                seed,
                overrides,
                workers=workers,
                out=Path(out) / case.name / f"round{rnd + 1}" if out else None,
                label=f"calibration round {rnd + 1}",
            )
            for case, sc in zip(spec.cases, scenarios, strict=True)
        ]
        for i, values in enumerate(grid):
            fit = _fit_rows(spec, results, i)
            objective = float(sum(r["sq_error"] for r in fit))
            objective = math.inf if math.isnan(objective) else objective
            tried.append({"round": rnd + 1, **values, "objective": objective})
            if not best or objective < best["objective"]:
                best = {"values": values, "objective": objective, "fit": fit}
        steps = {k: (hi - lo) / (points - 1) for k, (lo, hi) in spans.items()}
        spans = {
            k: (max(bounds[k][0], best["values"][k] - s), min(bounds[k][1], best["values"][k] + s))
            for k, s in steps.items()
        }
    return CalibrationResult(spec, best["values"], best["objective"], best["fit"], tried, n, seed)


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


def write_calibrated(result: CalibrationResult, path: str | Path | None = None) -> Path:
    """Write the fitted values into the scenario file (``write_to``) and return its path.

    Each rewritten line's comment says what the value was calibrated to. Every key must already
    stand in that file, under its table.
    """
    file = Path(path) if path is not None else result.spec.write_to
    text = file.read_text(encoding="utf-8")
    fitted_to = ", ".join(f"{r['case']} {r['target']}" for r in result.fit)
    missing = []
    for p in result.spec.parameters:
        value = result.best[p.name]
        for key in p.keys:
            table, _, name = key.rpartition(".")
            header = re.search(rf"(?m)^\[{re.escape(table)}\][ \t]*(#.*)?$", text)
            end = re.search(r"(?m)^\[", text[header.end() :]) if header else None
            stop = header.end() + end.start() if header and end else len(text)
            line = (
                re.compile(rf"(?m)^{re.escape(name)}[ \t]*=.*$").search(text, header.end(), stop)
                if header
                else None
            )
            if line is None:
                missing.append(key)
                continue
            number = repr(float(value))  # a TOML float, to the last digit
            where = f"{result.spec.path.parent.name}/{result.spec.path.name}"
            new = (
                f"{name} = {number}   # CALIBRATED ({p.name}, corridor-sim calibrate {where}): "
                f"calibrated_to {fitted_to}"
            )
            text = text[: line.start()] + new + text[line.end() :]
    if missing:
        raise SimError(
            [
                Problem(
                    str(file), "a calibrated key must stand in the file to be rewritten", value=k
                )
                for k in missing
            ]
        )
    write_text_atomic(file, text)
    return file
