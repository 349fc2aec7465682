"""Factors: the inputs a sensitivity analysis or a calibration moves, read from a TOML file.

A factors file holds ``[factors.<name>]`` tables: ``keys`` (dotted scenario keys, moved together),
``low`` < ``high``, ``mode`` (``"set"``: each key takes the sample; ``"scale"``: each key's value in
the scenario times the sample), ``reason`` (why this range) and an optional ``label``; a key whose
value is an integer gets the sample rounded. Calibrated parameters
(:mod:`sim.experiments.calibration`) are factors of their own table.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

from sim.errors import Problem, ScenarioError, SimError
from sim.scenario import Scenario, load_scenario
from sim.textio import ID, did_you_mean, read_toml

__all__ = [
    "FACTOR_KEYS",
    "MODES",
    "Factor",
    "FactorMode",
    "check_factors",
    "current_value",
    "load_factors",
    "point_overrides",
    "read_factor",
]

#: How a factor's sample moves its keys: each key takes it, or each key's value is scaled by it.
FactorMode = Literal["set", "scale"]
MODES: tuple[FactorMode, ...] = get_args(FactorMode)
_RESERVED = ("point", "replication", "seed")
_LIST = "must be a list of different dotted scenario keys"
#: Key of a factor table -> (test, rule); every key but label is required.
FACTOR_KEYS: dict[str, tuple[Callable[[Any], object], str]] = {
    "keys": (lambda v: isinstance(v, list) and v and len(set(map(str, v))) == len(v), _LIST),
    "low": (lambda v: _finite(v), "must be a finite number"),
    "high": (lambda v: _finite(v), "must be a finite number"),
    "mode": (lambda v: v in MODES, f"must be one of {', '.join(MODES)}"),
    "reason": (lambda v: isinstance(v, str) and v.strip(), "must say why: a source or assumption"),
    "label": (lambda v: isinstance(v, str), "must be a string"),
}


@dataclass(frozen=True)
class Factor:
    """One input: scenario keys moved together over ``[low, high]`` (``mode`` set or scale)."""

    name: str
    keys: tuple[str, ...]
    low: float
    high: float
    mode: FactorMode
    reason: str
    label: str = ""
    file: str = ""

    @property
    def title(self) -> str:
        """The label of figures and tables: ``label``, or the name."""
        return self.label or self.name


def _finite(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def read_factor(
    file: str, name: str, raw: Any, problems: list[Problem], table: str = "factors"
) -> Factor | None:
    """One ``[<table>.<name>]`` table as a :class:`Factor`; its problems go to ``problems``.

    Calibrated parameters (:mod:`sim.experiments.calibration`) are factors of their own table,
    ``set`` mode.
    """

    def fail(key: str, rule: str, value: Any = None) -> None:
        problems.append(Problem(file, rule, column=f"{table}.{name}{key}", value=value))

    if not isinstance(raw, dict):
        fail("", "must be a table ([factors.<name>])", raw)
        return None
    before = len(problems)
    if not ID.match(name) or name in _RESERVED:
        fail("", "name must match [a-z][a-z0-9_]* and not be point, replication or seed", name)
    for key in sorted(raw.keys() - FACTOR_KEYS.keys()):
        fail(f".{key}", "unknown key" + did_you_mean(key, FACTOR_KEYS), raw[key])
    for key, (ok, rule) in FACTOR_KEYS.items():
        if key not in raw and key != "label":
            fail(f".{key}", "is required")
        elif key in raw and not ok(raw[key]):
            fail(f".{key}", rule, raw[key])
    if not all(isinstance(k, str) and k for k in raw.get("keys") or ()):
        fail(".keys", _LIST, raw["keys"])
    if _finite(raw.get("low")) and _finite(raw.get("high")) and raw["low"] >= raw["high"]:
        fail(".high", f"must be > low ({raw['low']:g})", raw["high"])
    if len(problems) > before:
        return None
    low, high, label = float(raw["low"]), float(raw["high"]), raw.get("label", "")
    return Factor(name, tuple(raw["keys"]), low, high, raw["mode"], raw["reason"], label, file)


def load_factors(path: str | Path, scenario: Scenario | None = None) -> list[Factor]:
    """Read a factors file, in its order; with ``scenario``, check the keys against it too.

    Parameters
    ----------
    path : str or Path
        A TOML file of ``[factors.<name>]`` tables (see the module's documentation).
    scenario : Scenario, optional
        Also check that each scaled key holds a number in it, and that it loads with every
        factor at its low and at its high value (unknown keys, broken rules).

    Raises
    ------
    SimError
        With every problem found, each naming the file, the factor, the rule and the value.
    """
    file = str(path)
    data = read_toml(Path(path), "factors file not found")
    problems = [Problem(file, "unknown key", column=k) for k in sorted(data.keys() - {"factors"})]
    table = data.get("factors")
    if not isinstance(table, dict) or not table:
        problems.append(
            Problem(file, "needs one or more [factors.<name>] tables", column="factors")
        )
        table = {}
    factors = [f for name, raw in table.items() if (f := read_factor(file, name, raw, problems))]
    seen: dict[str, str] = {}
    for f in factors:
        for key in f.keys:
            if seen.setdefault(key, f.name) != f.name:
                rule = f"moves a key that factor {seen[key]!r} moves too"
                problems.append(Problem(file, rule, column=f"factors.{f.name}.keys", value=key))
    if scenario is not None:  # the keys of every factor read without a problem
        problems += check_factors(scenario, factors)
    if problems:
        raise SimError(problems)
    return factors


def current_value(scenario: Scenario, key: str) -> Any:
    """The value of dotted ``key`` in the merged scenario (services and facilities: as loaded)."""
    node: Any = scenario.data
    for part in key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            break
        node = node[part]
    else:
        return node
    table, entry, name = [*key.split("."), "", ""][:3]
    if table in ("services", "facilities") and key.count(".") == 2:
        return getattr(getattr(scenario, table).get(entry), name, None)
    return None


def point_overrides(
    factors: Sequence[Factor], bases: Mapping[str, Any], x: Sequence[float]
) -> dict[str, float]:
    """The overrides of one design point (sampled values ``x``, one per factor).

    ``bases`` holds each key's value in the scenario (:func:`current_value`).
    """
    out: dict[str, float] = {}
    for f, v in zip(factors, x, strict=True):
        for key in f.keys:
            value = bases[key] * v if f.mode == "scale" else float(v)
            whole = isinstance(bases[key], int) and not isinstance(bases[key], bool)
            out[key] = round(value) if whole else float(value)
    return out


def check_factors(scenario: Scenario, factors: Sequence[Factor]) -> list[Problem]:
    """The scenario loads with every factor at its low and its high; scaled keys hold numbers."""
    problems, name = [], scenario.name
    bases = {k: current_value(scenario, k) for f in factors for k in f.keys}
    bad = {k for f in factors for k in f.keys if f.mode == "scale" and not _finite(bases[k])}
    bad |= {k for k in bases if bases[k] == 0}
    probe = {k: 1.0 if k in bad else v for k, v in bases.items()}  # to find unknown keys too
    for end in ("low", "high") if factors else ():
        over = point_overrides(factors, probe, [getattr(f, end) for f in factors])
        try:
            load_scenario(scenario.files[-1], overrides={**scenario.overrides, **over})
        except ScenarioError as exc:
            problems += [_blame(p, factors, name, end) for p in exc.problems]
    unknown = {p.value for p in problems if p.rule.startswith("unknown")}
    for f in factors:
        for key in (k for k in f.keys if k in bad and k not in unknown and f.mode == "scale"):
            rule = f"{key} holds no number to scale in scenario {name} (mode = 'set'?)"
            problems.append(
                Problem(f.file, rule, column=f"factors.{f.name}.keys", value=bases[key])
            )
    return list({str(p): p for p in problems}.values())


def _blame(p: Problem, factors: Sequence[Factor], name: str, end: str) -> Problem:
    """A problem of the scenario with every factor at ``end``, told against its factors."""
    col = p.column or "?"
    exact = [(f, k) for f in factors for k in f.keys if k == col]
    if exact and p.rule.startswith("unknown"):
        f, key = exact[0]
        return Problem(
            f.file, f"{p.rule} in scenario {name}", column=f"factors.{f.name}.keys", value=key
        )
    beside = exact or [  # a rule between two keys of one table
        (f, k) for f in factors for k in f.keys if k.rpartition(".")[0] == col.rpartition(".")[0]
    ]
    names = ", ".join(dict.fromkeys(f"factors.{f.name}" for f, _ in beside)) or None
    at = f"at its {end}" if len(beside) == 1 else f"with every factor at its {end}"
    rule = f"{at}, scenario {name} refuses {col}: {p.rule}"
    return Problem(factors[0].file, rule, column=names, value=p.value)
