"""How the corridor answers growth: departures that follow volume, and no jam reality never had.

A planner's growth question ("twice the freight?") is answered well only if the count of trains
and trucks grows with the freight, and the freight still gets through. :func:`elasticity` scales
every flow's demand by a few factors (0.5, 1 and 2 by default) and runs each on the same seeds
(paired replications), twice: with supply that responds (every timetabled service's operator adds
departures when busy, :mod:`sim.model.supply`) and with supply fixed (the timetables as they
are). It reports, per service family, the slope of ``log departures`` against ``log demand
scale`` (one slope per replication, then the mean and its 95% confidence interval) and the TEU
per departure at each factor; and at each factor the TEU still in the system at the end and door
to door. A slope of 1 with a constant load means the count is proportional to the freight; a rule
that runs a vehicle on a clock whatever it carries gives a slope near 0; a jam shows as a slope
below 1, TEU left behind and door to door that grows.

The TEU in the system at the end of a year are mostly boxes on their way (about as many days of
freight as door to door takes): what a jam leaves is the share beyond the one left at the
scenario's own volume. The check (the ``[elasticity]`` table of a targets file,
``seeds/targets_2019.toml``) asks, with supply responding: the slope of each checked family within
its band, TEU per departure within a tolerance of its value at x1, at most ``left_max_share`` of
the TEU created left beyond x1's share at any factor, and each named door to door at the largest
factor within ``door_to_door_growth_max_rel`` of its value at x1. The supply-fixed rows are
reported beside, not checked: they show what the answer would be if nobody added a train.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.experiments.elasticity_check import ElasticityCheck, load_elasticity_check
from sim.experiments.replications import summarise
from sim.experiments.sweeps import run_points
from sim.experiments.workers import Workers
from sim.results.labels import kpi_label
from sim.scenario import Scenario, load_scenario
from sim.scenario.schema import Service

__all__ = ["ElasticityCheck", "ElasticityReport", "elasticity", "load_elasticity_check"]

SUPPLY = ("responding", "fixed")


@dataclass
class ElasticityReport:
    """Per supply variant: each family's slope and loads, and each factor's jam measures.

    ``rows`` are the families with supply responding (checked), ``fixed_rows`` the same with
    supply fixed (reported); ``scale_rows`` one row per variant and factor: TEU created, the
    share left in the system at the end and beyond x1's share, and each door to door.
    ``jam_status`` is the verdict on the responding rows, ``jam_reasons`` what failed.
    """

    scenario: str
    check: ElasticityCheck
    replications: int
    seed: int
    rows: list[dict[str, Any]] = field(default_factory=list)
    fixed_rows: list[dict[str, Any]] = field(default_factory=list)
    scale_rows: list[dict[str, Any]] = field(default_factory=list)
    jam_status: str = "pass"
    jam_reasons: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # door-to-door KPI -> readable name

    @property
    def ok(self) -> bool:
        """Every checked family passes and supply that responds leaves no jam."""
        families = all(r["status"] == "pass" for r in self.rows if r["checked"])
        return families and self.jam_status == "pass"

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (``"elasticity"`` in ``corridor-sim validate --json``)."""
        return {
            "scenario": self.scenario,
            "replications": self.replications,
            "seed": self.seed,
            "scales": list(self.check.scales),
            "slope_band": [self.check.slope_low, self.check.slope_high],
            "load_tolerance_rel": self.check.load_tolerance_rel,
            "left_max_share": self.check.left_max_share,
            "door_to_door_growth_max_rel": self.check.door_to_door_growth_max_rel,
            "ok": self.ok,
            "families": self.rows,
            "families_supply_fixed": self.fixed_rows,
            "scale_rows": self.scale_rows,
            "jam_status": self.jam_status,
            "jam_reasons": self.jam_reasons,
            "door_to_door_labels": self.labels,
        }


def _slope(x: np.ndarray, y: np.ndarray) -> float:
    good = (x > 0) & (y > 0)
    if good.sum() < 2:
        return math.nan
    return float(np.polyfit(np.log(x[good]), np.log(y[good]), 1)[0])


#: The keys of a service's supply rule (besides ``respond`` itself).
_RULE_KEYS = tuple(f.name for f in dataclasses.fields(Service) if f.name.startswith("respond_"))


def _supply_overrides(
    scenario: Scenario, respond: bool, rule_from: Scenario | None = None
) -> dict[str, Any]:
    """Overrides that switch every timetabled service's supply response on or off.

    Switched on, a service takes the rule of the same service in ``rule_from`` where it has one.
    """
    out: dict[str, Any] = {}
    for sid, svc in scenario.services.items():
        if svc.dispatch != "timetable":
            continue
        out[f"services.{sid}.respond"] = respond
        if respond and rule_from is not None and sid in rule_from.services:
            rule = rule_from.services[sid]
            out |= {f"services.{sid}.{key}": getattr(rule, key) for key in _RULE_KEYS}
    return out


def _family_rows(
    check: ElasticityCheck, runs: list[dict[str, Any]], n: int, ref: int
) -> list[dict[str, Any]]:
    """Per family: the slope of log departures against log scale, and TEU per departure."""
    k, scales = len(check.scales), np.asarray(check.scales, dtype=float)
    out = []
    for fam in check.families:
        teu = np.array([[r[f"teu.carried.{fam}"] for r in runs if r["k"] == i] for i in range(k)])
        dep = np.array([[r[f"departures.{fam}"] for r in runs if r["k"] == i] for i in range(k)])
        slopes = np.array([_slope(scales, dep[:, j]) for j in range(n)])
        with np.errstate(divide="ignore", invalid="ignore"):
            loads = [summarise(teu[i] / dep[i]) for i in range(k)]
        s = summarise(slopes)
        spread = [loads[i]["mean"] / loads[ref]["mean"] - 1.0 for i in range(k)]
        in_band = check.slope_low <= s["ci_low"] and s["ci_high"] <= check.slope_high
        steady = all(abs(x) <= check.load_tolerance_rel for x in spread)
        out.append(
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
    return out


def _scale_rows(
    check: ElasticityCheck, supply: str, runs: list[dict[str, Any]], ref: int
) -> list[dict[str, Any]]:
    """Per factor: TEU created, the share left at the end (and beyond x1's), door to door."""
    rows: list[dict[str, Any]] = []
    for i, scale in enumerate(check.scales):
        at = [r for r in runs if r["k"] == i]
        left = summarise([r["teu.in_system"] / r["teu.created"] for r in at])
        times = {kpi: summarise([r.get(kpi, math.nan) for r in at]) for kpi in check.door_to_door}
        rows.append(
            {
                "supply": supply,
                "scale": scale,
                "teu_created": float(np.mean([r["teu.created"] for r in at])),
                "left_share": left["mean"],
                "left_share_ci": [left["ci_low"], left["ci_high"]],
                "door_to_door_h": {kpi: s["mean"] for kpi, s in times.items()},
                "door_to_door_h_ci": {kpi: [s["ci_low"], s["ci_high"]] for kpi, s in times.items()},
            }
        )
    base_left, base_d2d = rows[ref]["left_share"], rows[ref]["door_to_door_h"]
    for row in rows:
        d2d: dict[str, float] = row["door_to_door_h"]
        row["left_beyond_base_share"] = row["left_share"] - base_left
        row["door_to_door_change_rel"] = {kpi: h / base_d2d[kpi] - 1.0 for kpi, h in d2d.items()}
    return rows


def _jam_verdict(check: ElasticityCheck, rows: list[dict[str, Any]]) -> list[str]:
    """What the responding rows break of the check: TEU left behind, door to door grown."""
    reasons = []
    for row in rows:
        if not row["left_beyond_base_share"] <= check.left_max_share:
            reasons.append(
                f"x{row['scale']:g}: {row['left_beyond_base_share']:.1%} of the TEU created left "
                f"in the system beyond x1's share (at most {check.left_max_share:.0%})"
            )
    top = max(rows, key=lambda r: r["scale"])
    for kpi, change in top["door_to_door_change_rel"].items():
        if math.isnan(change):
            reasons.append(f"{kpi}: no box was delivered on that chain at x1 or x{top['scale']:g}")
        elif not change <= check.door_to_door_growth_max_rel:
            reasons.append(
                f"x{top['scale']:g}: {kpi} {change:+.0%} on x1 "
                f"(at most {check.door_to_door_growth_max_rel:+.0%})"
            )
    return reasons


def elasticity(
    scenario: Scenario,
    check: ElasticityCheck | None = None,
    n: int = 10,
    seed: int | None = None,
    *,
    workers: Workers | None = None,
) -> ElasticityReport:
    """Scale the demand: how departures follow it, and whether the freight still gets through.

    Each factor runs with supply responding and with supply fixed (see the module's text).

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
    rule_from = load_scenario(check.supply_rule_from) if check.supply_rule_from else None
    points = [
        {**_supply_overrides(scenario, supply == "responding", rule_from), "demand.scale": base * s}
        for supply in SUPPLY
        for s in check.scales
    ]
    runs = run_points(scenario, points, n, seed, points, workers=workers, label="elasticity")
    k = len(check.scales)
    report = ElasticityReport(scenario.name, check, n, seed)
    report.labels = {kpi: kpi_label(kpi, scenario) for kpi in check.door_to_door}
    ref = min(range(k), key=lambda i: abs(check.scales[i] - 1.0))
    for v, supply in enumerate(SUPPLY):
        mine = [{**r, "k": r["point"] - v * k} for r in runs if r["point"] // k == v]
        families = _family_rows(check, mine, n, ref)
        if supply == "responding":
            report.rows = families
        else:
            report.fixed_rows = [{**f, "checked": False, "status": "reported"} for f in families]
        report.scale_rows += _scale_rows(check, supply, mine, ref)
    responding = [r for r in report.scale_rows if r["supply"] == "responding"]
    report.jam_reasons = _jam_verdict(check, responding)
    report.jam_status = "fail" if report.jam_reasons else "pass"
    return report
