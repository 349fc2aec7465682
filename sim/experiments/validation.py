"""Validation against published figures: the report of a model against a target file.

Each target (:mod:`sim.experiments.targets`) has a band around its published value. A ``growth``
target compares this scenario with the file's ``base_scenario``, replication by replication on the
same seeds: ``value`` is the relative growth (2.0 for +200%). A target passes when the simulated
mean and its whole 95% confidence interval lie in the band. Where sources disagree,
``alternative`` gives the other figure: a target outside its band but inside the alternative's is
reported as ``conflict`` (the model follows the other source, and says so), not as a pass.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypedDict, get_args

import numpy as np

from sim.errors import Problem, SimError
from sim.experiments.replications import Replications, replicate, summarise
from sim.experiments.targets import Evidence, Relation, Target, load_targets, target_values
from sim.experiments.workers import Workers
from sim.results.table import Table
from sim.scenario import load_scenario

__all__ = [
    "STATUSES",
    "Status",
    "Target",
    "ValidationReport",
    "ValidationRow",
    "load_targets",
    "validate",
]

#: pass, fail, conflict (outside the band, inside the conflicting source's), not modelled.
Status = Literal["pass", "fail", "conflict", "not modelled"]
STATUSES: tuple[Status, ...] = get_args(Status)


class ValidationRow(TypedDict):
    """One target in a :class:`ValidationReport`: the target, the model's figure, the status."""

    id: str
    kpi: str
    target: float
    relation: Relation
    tolerance_rel: float
    band_low: float
    band_high: float
    mean: float
    ci_low: float
    ci_high: float
    rel_error: float
    status: Status
    source: str
    quote: str
    primary: bool
    growth: bool
    mode: str
    scope: str
    evidence: Evidence
    conflicts: str
    alternative: float | None
    alternative_source: str


@dataclass
class ValidationReport:
    """One row per target: the target, the simulated mean and CI, the error and a status."""

    scenario: str
    replications: int
    rows: list[ValidationRow] = field(default_factory=list)

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

    def table(self) -> Table:
        """One row per target, the columns of ``--json``'s targets (``.to_pandas()`` for pandas)."""
        names = list(dict.fromkeys(k for r in self.rows for k in r))
        return Table.of({k: [r.get(k) for r in self.rows] for k in names})

    def to_frame(self) -> Any:
        """The rows as a pandas DataFrame (needs the ``analysis`` extra)."""
        return self.table().to_pandas()


def _status(t: Target, s: dict[str, float]) -> Status:
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


def _row(t: Target, s: dict[str, float]) -> ValidationRow:
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
