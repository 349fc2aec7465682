"""Target files: the published figures a scenario is validated against, and their bands.

A target file (``seeds/targets_<year>.toml``) lists ``[[targets]]``; each compares one KPI (or the
sum of several, or a ratio of sums with ``per``) with a published figure under a relation and a
tolerance:

- ``at_least``: the band is ``[value, value * (1 + tolerance_rel)]``;
- ``about``: ``[value * (1 - tolerance_rel), value * (1 + tolerance_rel)]``;
- ``at_most``: ``[value * (1 - tolerance_rel), value]``.

:func:`load_targets` reads and checks a file; :func:`target_values` gives a target's KPI in each
run; :mod:`sim.experiments.validation` compares them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeGuard, get_args

import numpy as np

from sim.errors import Problem, SimError
from sim.results.kpis import missing_value
from sim.textio import read_toml

__all__ = [
    "EVIDENCE",
    "RELATIONS",
    "REQUIRED_TARGET_KEYS",
    "TARGETS_FILE_KEYS",
    "TARGET_KEYS",
    "Evidence",
    "Relation",
    "Target",
    "load_targets",
    "target_values",
]

#: How the simulated value must stand to the published one (see the module docstring).
Relation = Literal["at_least", "about", "at_most"]
RELATIONS: tuple[Relation, ...] = get_args(Relation)
#: Where the model's figure comes from, against the target: ``independent`` of it, fitted to it
#: (``calibrated``), ``derived from the target``, an ``input``, or ``not modelled``.
Evidence = Literal["independent", "calibrated", "derived from the target", "input", "not modelled"]
EVIDENCE: tuple[Evidence, ...] = get_args(Evidence)


@dataclass(frozen=True)
class Target:
    """One published figure and how the model is compared with it."""

    id: str
    kpi: tuple[str, ...]
    value: float
    relation: Relation
    tolerance_rel: float
    source: str
    quote: str = ""
    primary: bool = False
    growth: bool = False
    mode: str = "all"
    scope: str = ""
    evidence: Evidence = "independent"
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


#: The keys of a ``[[targets]]`` entry and the types their values may have.
TARGET_KEYS: dict[str, type | tuple[type, ...]] = {
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
#: The keys every target must give.
REQUIRED_TARGET_KEYS = ("id", "kpi", "value", "relation", "tolerance_rel", "source")
#: The keys of the top of a targets file.
TARGETS_FILE_KEYS = {"year", "description", "base_scenario", "targets", "elasticity"}


def _number(v: object) -> TypeGuard[int | float]:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _target(file: str, i: int, raw: dict[str, Any], problems: list[Problem]) -> Target | None:
    key = f"targets[{i}]"
    before = len(problems)
    for name in raw.keys() - TARGET_KEYS.keys():
        problems.append(Problem(file, "unknown key", column=f"{key}.{name}", value=raw[name]))
    for name in REQUIRED_TARGET_KEYS:
        if name not in raw:
            problems.append(Problem(file, "is required", column=f"{key}.{name}"))
    for name, kind in TARGET_KEYS.items():
        v = raw.get(name)
        wrong = not isinstance(v, kind) or (kind is not bool and isinstance(v, bool))
        if v is not None and wrong:
            problems.append(Problem(file, "has the wrong type", column=f"{key}.{name}", value=v))
    for name, allowed in (("relation", RELATIONS), ("evidence", EVIDENCE)):
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
    fields: dict[str, Any] = {
        **raw,
        **extra,
        "kpi": (kpi,) if isinstance(kpi, str) else tuple(kpi),
        "per": (per,) if isinstance(per, str) else tuple(per),
        "value": float(raw["value"]),
        "tolerance_rel": float(raw["tolerance_rel"]),
    }
    return Target(**fields)


def load_targets(path: str | Path) -> tuple[list[Target], Path | None]:
    """Read a target file; return its targets and its ``base_scenario`` path (or None).

    Raises
    ------
    SimError
        With every problem found (file, key, rule, value).
    """
    file = Path(path)
    data = read_toml(file, "target file not found")
    problems: list[Problem] = []
    for name in data.keys() - TARGETS_FILE_KEYS:
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
