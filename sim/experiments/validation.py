"""Validation against published figures: target files, and the report of a model against them.

A target file (``seeds/targets_<year>.toml``) lists ``[[targets]]``; each compares one KPI (or the
sum of several) with a published figure under a relation and a tolerance:

- ``at_least``: the band is ``[value, value * (1 + tolerance_rel)]``;
- ``about``: ``[value * (1 - tolerance_rel), value * (1 + tolerance_rel)]``;
- ``at_most``: ``[value * (1 - tolerance_rel), value]``.

A ``growth`` target compares this scenario with the file's ``base_scenario``, replication by
replication on the same seeds: ``value`` is the relative growth (2.0 for +200%). A target passes
when the simulated mean and its whole 95% confidence interval lie in the band. Where sources
disagree, ``alternative`` gives the other figure: a target outside its band but inside the
alternative's is reported as ``conflict`` (the model follows the other source, and says so), not as
a pass.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.errors import Problem, SimError
from sim.experiments.replications import Replications, replicate, summarise
from sim.experiments.workers import Workers
from sim.results.kpis import missing_value
from sim.scenario import load_scenario

__all__ = [
    "RELATIONS",
    "STATUSES",
    "Target",
    "ValidationReport",
    "load_targets",
    "target_values",
    "validate",
]

RELATIONS = ("at_least", "about", "at_most")
#: pass, fail, conflict (outside the band, inside the conflicting source's), not modelled.
STATUSES = ("pass", "fail", "conflict", "not modelled")
_EVIDENCE = ("independent", "calibrated", "derived from the target", "input", "not modelled")


@dataclass(frozen=True)
class Target:
    """One published figure and how the model is compared with it."""

    id: str
    kpi: tuple[str, ...]
    value: float
    relation: str
    tolerance_rel: float
    source: str
    quote: str = ""
    primary: bool = False
    growth: bool = False
    mode: str = "all"
    scope: str = ""
    evidence: str = "independent"
    conflicts: str = ""
    alternative: float | None = None
    alternative_source: str = ""
    per: tuple[str, ...] = ()
    tolerance_abs: float | None = None

    def band(self, value: float | None = None) -> tuple[float, float]:
        """The accepted interval around ``value`` (default: the target's own).

        Its half-width is ``tolerance_abs`` if given (growth in points: 0.10 is ten points),
        else ``tolerance_rel`` times the value.
        """
        v = self.value if value is None else value
        tol = abs(v) * self.tolerance_rel if self.tolerance_abs is None else self.tolerance_abs
        low, high = {
            "at_least": (v, v + tol),
            "about": (v - tol, v + tol),
            "at_most": (v - tol, v),
        }[self.relation]
        return (min(low, high), max(low, high))


_FIELDS = {
    "id": str,
    "kpi": (str, list),
    "value": (int, float),
    "relation": str,
    "tolerance_rel": (int, float),
    "source": str,
    "quote": str,
    "primary": bool,
    "growth": bool,
    "mode": str,
    "scope": str,
    "evidence": str,
    "conflicts": str,
    "alternative": (int, float),
    "alternative_source": str,
    "per": (str, list),
    "tolerance_abs": (int, float),
}
_REQUIRED = ("id", "kpi", "value", "relation", "tolerance_rel", "source")


def _number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _target(file: str, i: int, raw: dict[str, Any], problems: list[Problem]) -> Target | None:
    key = f"targets[{i}]"
    before = len(problems)
    for name in raw.keys() - _FIELDS.keys():
        problems.append(Problem(file, "unknown key", column=f"{key}.{name}", value=raw[name]))
    for name in _REQUIRED:
        if name not in raw:
            problems.append(Problem(file, "is required", column=f"{key}.{name}"))
    for name, kind in _FIELDS.items():
        v = raw.get(name)
        wrong = not isinstance(v, kind) or (kind is not bool and isinstance(v, bool))
        if v is not None and wrong:
            problems.append(Problem(file, "has the wrong type", column=f"{key}.{name}", value=v))
    for name, allowed in (("relation", RELATIONS), ("evidence", _EVIDENCE)):
        if raw.get(name) not in (None, *allowed):
            rule = f"must be one of {', '.join(allowed)}"
            problems.append(Problem(file, rule, column=f"{key}.{name}", value=raw[name]))
    tol_abs = raw.get("tolerance_abs")
    if _number(tol_abs) and not (math.isfinite(tol_abs) and tol_abs >= 0):
        problems.append(
            Problem(file, "must be a number >= 0", column=f"{key}.tolerance_abs", value=tol_abs)
        )
    tol = raw.get("tolerance_rel")
    if isinstance(tol, int | float) and not isinstance(tol, bool) and not 0 <= tol < 1:
        problems.append(
            Problem(file, "must be in [0, 1)", column=f"{key}.tolerance_rel", value=tol)
        )
    if len(problems) > before:
        return None
    kpi, per = raw["kpi"], raw.get("per", ())
    extra = {} if "tolerance_abs" not in raw else {"tolerance_abs": float(raw["tolerance_abs"])}
    return Target(
        **{
            **raw,
            **extra,
            "kpi": (kpi,) if isinstance(kpi, str) else tuple(kpi),
            "per": (per,) if isinstance(per, str) else tuple(per),
            "value": float(raw["value"]),
            "tolerance_rel": float(tol),
        }
    )


def load_targets(path: str | Path) -> tuple[list[Target], Path | None]:
    """Read a target file; return its targets and its ``base_scenario`` path (or None).

    Raises
    ------
    SimError
        With every problem found (file, key, rule, value).
    """
    file = Path(path)
    if not file.is_file():
        raise SimError([Problem(str(file), "target file not found")])
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SimError([Problem(str(file), f"is not valid TOML ({exc})")]) from None
    problems: list[Problem] = []
    for name in data.keys() - {"year", "description", "base_scenario", "targets", "elasticity"}:
        problems.append(Problem(str(file), "unknown key", column=name))
    raw_targets = data.get("targets", [])
    if not isinstance(raw_targets, list) or not all(isinstance(t, dict) for t in raw_targets):
        problems.append(
            Problem(
                str(file),
                "must be an array of tables ([[targets]])",
                column="targets",
                value=raw_targets,
            )
        )
        raw_targets = []
    if not isinstance(data.get("base_scenario", ""), str):
        problems.append(
            Problem(
                str(file),
                "must be a path (string)",
                column="base_scenario",
                value=data["base_scenario"],
            )
        )
    targets = [_target(str(file), i, t, problems) for i, t in enumerate(raw_targets)]
    ids = [t.id for t in targets if t]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(Problem(str(file), "duplicate target id", column="targets.id", value=dup))
    if problems:
        raise SimError(problems)
    base = data.get("base_scenario")
    return [t for t in targets if t], (file.parent / base).resolve() if base else None


@dataclass
class ValidationReport:
    """One row per target: the target, the simulated mean and CI, the error and a status."""

    scenario: str
    replications: int
    rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Every primary target passes."""
        return all(r["status"] == "pass" for r in self.rows if r["primary"])

    def to_dict(self) -> dict[str, Any]:
        """The documented JSON form (``corridor-sim validate --json``)."""
        return {
            "scenario": self.scenario,
            "replications": self.replications,
            "ok": self.ok,
            "targets": [dict(r) for r in self.rows],
        }

    def to_frame(self) -> Any:
        """The rows as a pandas DataFrame (needs the ``analysis`` extra)."""
        import pandas as pd

        return pd.DataFrame(self.rows)


def target_values(t: Target, rows: Sequence[Mapping[str, float]]) -> np.ndarray:
    """The target's KPI in each run (row): its KPIs summed, divided by its ``per`` KPIs summed.

    A KPI missing from a row counts 0 there; a ratio over nothing is nan.
    """
    num = np.array([sum(r.get(k, missing_value(k)) for k in t.kpi) for r in rows], dtype=float)
    if not t.per:
        return num
    den = np.array([sum(r.get(k, missing_value(k)) for k in t.per) for r in rows], dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def _status(t: Target, s: dict[str, float]) -> str:
    if t.evidence == "not modelled":
        return "not modelled"
    low, high = t.band()
    if low <= s["ci_low"] and s["ci_high"] <= high:
        return "pass"
    if t.alternative is not None:
        alt_low, alt_high = t.band(t.alternative)
        if alt_low <= s["mean"] <= alt_high:
            return "conflict"
    return "fail"


def _row(t: Target, s: dict[str, float]) -> dict[str, Any]:
    low, high = t.band()
    rel = (s["mean"] - t.value) / t.value if t.value and not math.isnan(s["mean"]) else math.nan
    return {
        "id": t.id,
        "kpi": " + ".join(t.kpi) + (f" per {' + '.join(t.per)}" if t.per else ""),
        "target": t.value,
        "relation": t.relation,
        "tolerance_rel": t.tolerance_rel,
        "band_low": low,
        "band_high": high,
        "mean": s["mean"],
        "ci_low": s["ci_low"],
        "ci_high": s["ci_high"],
        "rel_error": rel,
        "status": _status(t, s),
        "source": t.source,
        "quote": t.quote,
        "primary": t.primary,
        "growth": t.growth,
        "mode": t.mode,
        "scope": t.scope,
        "evidence": t.evidence,
        "conflicts": t.conflicts,
        "alternative": t.alternative,
        "alternative_source": t.alternative_source,
    }


def validate(
    replications: Replications,
    targets: str | Path,
    base: Replications | None = None,
    *,
    workers: Workers | None = None,
) -> ValidationReport:
    """Compare replications of a scenario with the targets in file ``targets``.

    Growth targets need the base scenario's replications on the same seeds: given as ``base``, or
    run here, on ``workers``, from the target file's ``base_scenario``.
    """
    target_list, base_path = load_targets(targets)
    nan = {"mean": math.nan, "std": math.nan, "ci_low": math.nan, "ci_high": math.nan}
    if base is None and base_path is not None and any(t.growth for t in target_list):
        base_sc = load_scenario(base_path)
        base = replicate(base_sc, n=replications.n, seed=replications.seed, workers=workers)
    known = {k for row in replications.rows for k in row}
    unknown = [
        Problem(str(targets), f"unknown KPI in target {t.id!r}", column="kpi", value=k)
        for t in target_list
        if t.evidence != "not modelled"
        for k in (*t.kpi, *t.per)
        if k not in known
    ]
    if unknown:
        raise SimError(unknown)
    report = ValidationReport(replications.scenario.name, replications.n)
    for t in target_list:
        if t.evidence == "not modelled":
            s = nan
        elif t.growth:
            if base is None:
                raise SimError(
                    f"{targets}: target {t.id!r} is a growth target: the file needs base_scenario"
                )
            now, before = target_values(t, replications.rows), target_values(t, base.rows)
            with np.errstate(divide="ignore", invalid="ignore"):
                s = summarise(now / before - 1.0)
        else:
            s = summarise(target_values(t, replications.rows))
        report.rows.append(_row(t, s))
    return report
