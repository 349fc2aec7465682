"""How departures follow volume: the log-log slope of departures against TEU, per service family.

A planner's growth question ("twice the freight?") is answered well only if the count of trains
and trucks grows with the freight they carry. :func:`elasticity` scales every flow's demand by a
few factors (0.5, 1 and 2 by default), runs each on the same seeds (paired replications), and
reports per family the slope of ``log departures`` against ``log TEU carried`` (one slope per
replication, then the mean and its 95% confidence interval) and the TEU per departure at each
factor. A slope of 1 with a constant load means the count is proportional to the freight; a
rule that runs a vehicle on a clock whatever it carries gives a slope near 0.

The bands a check asks for (slope between 0.9 and 1.1, TEU per departure within 10% of its
value at the scenario's own volume) come from the ``[elasticity]`` table of a targets file
(``seeds/targets_2019.toml``), with their reason.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.errors import Problem, SimError
from sim.experiments.replications import summarise
from sim.experiments.sweeps import run_points
from sim.experiments.workers import Workers
from sim.scenario import Scenario
from sim.scenario.vocabulary import SERVICE_FAMILIES

__all__ = ["ElasticityCheck", "ElasticityReport", "elasticity", "load_elasticity_check"]


@dataclass(frozen=True)
class ElasticityCheck:
    """What ``corridor-sim validate`` asks of the slopes and loads, and why."""

    families: tuple[str, ...] = ("rail_sea", "intl_rail", "road")
    scales: tuple[float, ...] = (0.5, 1.0, 2.0)
    slope_low: float = 0.9
    slope_high: float = 1.1
    load_tolerance_rel: float = 0.10
    checked: tuple[str, ...] = ("rail_sea", "road")
    reason: str = ""


def load_elasticity_check(path: str | Path) -> ElasticityCheck | None:
    """The ``[elasticity]`` table of a targets file (None if it has none)."""
    file = Path(path)
    raw = tomllib.loads(file.read_text(encoding="utf-8")).get("elasticity")
    if raw is None:
        return None
    problems: list[Problem] = []
    known = ElasticityCheck.__dataclass_fields__
    for key in raw.keys() - known.keys():
        problems.append(Problem(str(file), "unknown key", column=f"elasticity.{key}"))
    given: dict[str, Any] = {
        k: tuple(v) if isinstance(v, list) else v for k, v in raw.items() if k in known
    }
    try:
        check = ElasticityCheck(**given)
    except TypeError as exc:
        raise SimError([Problem(str(file), f"elasticity: {exc}")]) from None
    scales = check.scales
    if len(scales) < 2 or any(not isinstance(s, int | float) or s <= 0 for s in scales):
        problems.append(
            Problem(
                str(file),
                "must be two or more factors > 0",
                column="elasticity.scales",
                value=scales,
            )
        )
    unknown = sorted(set(check.families) - set(SERVICE_FAMILIES))
    if unknown:
        problems.append(
            Problem(
                str(file),
                f"must be among {', '.join(SERVICE_FAMILIES)}",
                column="elasticity.families",
                value=unknown,
            )
        )
    if not set(check.checked) <= set(check.families):
        problems.append(
            Problem(
                str(file),
                "must be among the families",
                column="elasticity.checked",
                value=list(check.checked),
            )
        )
    if not check.slope_low < check.slope_high:
        problems.append(
            Problem(
                str(file),
                "slope_low must be below slope_high",
                column="elasticity",
                value=check.slope_low,
            )
        )
    if problems:
        raise SimError(problems)
    return check


@dataclass
class ElasticityReport:
    """Per family: the slope with its CI, TEU per departure at each scale, and a status."""

    scenario: str
    check: ElasticityCheck
    replications: int
    seed: int
    rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Every checked family passes."""
        return all(r["status"] == "pass" for r in self.rows if r["checked"])

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (``"elasticity"`` in ``corridor-sim validate --json``)."""
        return {
            "scenario": self.scenario,
            "replications": self.replications,
            "seed": self.seed,
            "scales": list(self.check.scales),
            "slope_band": [self.check.slope_low, self.check.slope_high],
            "load_tolerance_rel": self.check.load_tolerance_rel,
            "ok": self.ok,
            "families": self.rows,
        }


def _slope(x: np.ndarray, y: np.ndarray) -> float:
    good = (x > 0) & (y > 0)
    if good.sum() < 2:
        return math.nan
    return float(np.polyfit(np.log(x[good]), np.log(y[good]), 1)[0])


def elasticity(
    scenario: Scenario,
    check: ElasticityCheck | None = None,
    n: int = 10,
    seed: int | None = None,
    *,
    workers: Workers | None = None,
) -> ElasticityReport:
    """Scale the whole demand by ``check.scales`` and report how each family's departures follow.

    Examples
    --------
    >>> import sim
    >>> from sim.experiments.elasticity import ElasticityCheck, elasticity
    >>> sc = sim.load_scenario("scenarios/example.toml")
    >>> rep = elasticity(sc, ElasticityCheck(families=("road",), checked=()), n=2,
    ...                  workers=sim.Workers("serial"))
    >>> round(rep.rows[0]["slope"], 1)  # a truck per truckload: trucks follow the freight
    1.0
    """
    check = check or ElasticityCheck()
    seed = scenario.seed if seed is None else seed
    base = float((scenario.data.get("demand") or {}).get("scale", 1.0))
    points = [{"demand.scale": base * s} for s in check.scales]
    runs = run_points(scenario, points, n, seed, points, workers=workers, label="elasticity")
    report = ElasticityReport(scenario.name, check, n, seed)
    k = len(check.scales)
    ref = min(range(k), key=lambda i: abs(check.scales[i] - 1.0))
    for fam in check.families:
        teu = np.array(
            [[r[f"teu.carried.{fam}"] for r in runs if r["point"] == i] for i in range(k)]
        )
        dep = np.array(
            [[r[f"departures.{fam}"] for r in runs if r["point"] == i] for i in range(k)]
        )
        slopes = np.array([_slope(teu[:, j], dep[:, j]) for j in range(n)])
        with np.errstate(divide="ignore", invalid="ignore"):
            loads = [summarise(teu[i] / dep[i]) for i in range(k)]
        s = summarise(slopes)
        spread = [loads[i]["mean"] / loads[ref]["mean"] - 1.0 for i in range(k)]
        in_band = check.slope_low <= s["ci_low"] and s["ci_high"] <= check.slope_high
        steady = all(abs(x) <= check.load_tolerance_rel for x in spread)
        report.rows.append(
            {
                "family": fam,
                "checked": fam in check.checked,
                "slope": s["mean"],
                "slope_ci_low": s["ci_low"],
                "slope_ci_high": s["ci_high"],
                "scales": list(check.scales),
                "departures": [float(d.mean()) for d in dep],
                "teu": [float(t.mean()) for t in teu],
                "teu_per_departure": [x["mean"] for x in loads],
                "teu_per_departure_ci": [[x["ci_low"], x["ci_high"]] for x in loads],
                "load_change_rel": spread,
                "status": "pass" if in_band and steady else "fail",
            }
        )
    return report
