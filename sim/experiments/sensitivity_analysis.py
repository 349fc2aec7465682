"""Global sensitivity analysis (SALib): which inputs of a scenario move which KPIs.

A factors file holds ``[factors.<name>]`` tables: ``keys`` (dotted scenario keys, moved together),
``low`` < ``high``, ``mode`` (``"set"``: each key takes the sample; ``"scale"``: each key's value in
the scenario times the sample), ``reason`` (why this range) and an optional ``label``; a key whose
value is an integer gets the sample rounded. :func:`sensitivity` draws a Morris or Sobol design,
runs every point's replications on the same seeds (common random numbers) like :func:`sim.sweep`,
and analyses the replication-mean KPI of each point.
"""

from __future__ import annotations

import hashlib
import json
import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sim.errors import ArgumentError, Problem, ScenarioError, SimError
from sim.experiments.sweeps import run_points
from sim.experiments.workers import Workers
from sim.results.kpis import missing_value
from sim.results.tables import Table
from sim.scenario import Scenario, load_scenario
from sim.scenario.merge import did_you_mean
from sim.textio import ID

__all__ = ["INDICES", "Factor", "SensitivityResult", "load_factors", "sensitivity"]

#: Per method: the ranking index, its 95% confidence half-width, then the other indices.
INDICES = {
    "morris": ("mu_star", "mu_star_conf", "sigma"),
    "sobol": ("ST", "ST_conf", "S1", "S1_conf"),
}
MODES = ("set", "scale")
_RESERVED = ("point", "replication", "seed")
_LIST = "must be a list of different dotted scenario keys"
_RULES = {  # key of a factor table -> (test, rule); every key but label is required
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
    mode: str
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
    for key in sorted(raw.keys() - _RULES.keys()):
        fail(f".{key}", "unknown key" + did_you_mean(key, _RULES), raw[key])
    for key, (ok, rule) in _RULES.items():
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
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SimError([Problem(file, "factors file not found")]) from None
    except UnicodeDecodeError as exc:
        raise SimError([Problem(file, f"is not UTF-8 text (byte {exc.start})")]) from None
    except tomllib.TOMLDecodeError as exc:
        raise SimError([Problem(file, f"is not valid TOML ({exc})")]) from None
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
        problems += _check_factors(scenario, factors)
    if problems:
        raise SimError(problems)
    return factors


def _current(scenario: Scenario, key: str) -> Any:
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


def _overrides(factors: Sequence[Factor], bases: Mapping[str, Any], x: Sequence[float]) -> dict:
    """The overrides of one design point (sampled values ``x``, one per factor)."""
    out = {}
    for f, v in zip(factors, x, strict=True):
        for key in f.keys:
            value = bases[key] * v if f.mode == "scale" else float(v)
            whole = isinstance(bases[key], int) and not isinstance(bases[key], bool)
            out[key] = round(value) if whole else float(value)
    return out


def _check_factors(scenario: Scenario, factors: Sequence[Factor]) -> list[Problem]:
    """The scenario loads with every factor at its low and its high; scaled keys hold numbers."""
    problems, name = [], scenario.name
    bases = {k: _current(scenario, k) for f in factors for k in f.keys}
    bad = {k for f in factors for k in f.keys if f.mode == "scale" and not _finite(bases[k])}
    bad |= {k for k in bases if bases[k] == 0}
    probe = {k: 1.0 if k in bad else v for k, v in bases.items()}  # to find unknown keys too
    for end in ("low", "high") if factors else ():
        over = _overrides(factors, probe, [getattr(f, end) for f in factors])
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


@dataclass
class SensitivityResult:
    """A design's runs and, per KPI, the sensitivity indices of every factor.

    ``rows``: one per design point and replication, with ``point``, each factor's sampled value
    (the multiplier of a scaled factor), ``replication``, ``seed`` and every requested KPI.
    ``indices[kpi][index]``: one value per factor, in the order of ``factors``.
    """

    scenario: Scenario
    factors: list[Factor]
    kpis: list[str]
    method: str
    samples: int
    seed: int
    n: int
    design: np.ndarray
    rows: list[dict[str, Any]]
    indices: dict[str, dict[str, list[float]]]

    def ranking(self, kpi: str) -> list[dict[str, Any]]:
        """The factors, most influential first (by mu_star or ST), with their indices.

        Each row: ``factor``, ``label`` and the method's :data:`INDICES` (``*_conf``: 95%
        confidence half-widths); a NaN index ranks last.
        """
        if kpi not in self.indices:
            raise ArgumentError(f"ranking: {kpi!r} is not one of the KPIs analysed: {self.kpis}")
        names, values = INDICES[self.method], self.indices[kpi]
        rows = [
            {"factor": f.name, "label": f.title, **{k: values[k][i] for k in names}}
            for i, f in enumerate(self.factors)
        ]
        return sorted(rows, key=lambda r: (math.isnan(r[names[0]]), -r[names[0]]))

    def table(self) -> Table:
        """The tidy rows; ``.to_frame()`` makes them a DataFrame."""
        columns = list(dict.fromkeys(k for r in self.rows for k in r))
        return Table.of({c: [r.get(c) for r in self.rows] for c in columns})

    def to_dict(self) -> dict[str, Any]:
        """Everything as plain JSON values (NaN as None); ``runs`` counts the model runs."""
        names = ("method", "samples", "seed", "kpis", "rows")
        return _plain(
            {"scenario": self.scenario.name, "replications": self.n, "runs": len(self.rows)}
            | {k: getattr(self, k) for k in names}
            | {"factors": [_factor_dict(f) for f in self.factors]}
            | {"ranking": {k: self.ranking(k) for k in self.kpis}}
        )


def _factor_dict(f: Factor) -> dict[str, Any]:
    return {k: v for k, v in asdict(f).items() if k != "file"}


def _plain(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_plain(v) for v in x]
    return None if isinstance(x, float) and not math.isfinite(x) else x


def _check(method: str, samples: Any, n: Any, seed: Any, kpis: list, factors: list) -> None:
    whole = lambda v, low: isinstance(v, int) and not isinstance(v, bool) and v >= low  # noqa: E731
    names = {f.name for f in factors if isinstance(f, Factor)}
    checks = {
        f"method must be one of {', '.join(INDICES)}": method in INDICES,
        "samples must be a whole number >= 2 (a power of 2 for sobol)": whole(samples, 2)
        and (method != "sobol" or not samples & (samples - 1)),
        "n must be a whole number >= 1 and seed one >= 0": whole(n, 1) and whole(seed, 0),
        "give KPIs, and Factors of unique names that are not KPIs": len(names) == len(factors)
        and bool(kpis and factors and not names & set(kpis)),
    }
    if not all(checks.values()):
        raise ArgumentError(
            "sensitivity: " + "; ".join(rule for rule, ok in checks.items() if not ok)
        )


def _salib(method: str, problem: dict, samples: int, seed: int) -> tuple[np.ndarray, Any]:
    """The design of ``method`` and the function that analyses the outputs on it."""
    try:
        from SALib.analyze import morris as morris_a
        from SALib.analyze import sobol as sobol_a
        from SALib.sample import morris as morris_s
        from SALib.sample import sobol as sobol_s
    except ImportError:
        raise SimError('sensitivity: needs SALib: pip install -e ".[analysis]"') from None
    # SALib's seeds, apart from the replications' (sobol's analyze takes a seed of 0 as none).
    design_seed, boot_seed = (
        int(s) | 1 for s in np.random.SeedSequence([seed, 5]).generate_state(2)
    )
    if method == "morris":
        x = morris_s.sample(problem, N=samples, num_levels=4, seed=design_seed)
        return x, lambda y: morris_a.analyze(problem, x, y, num_levels=4, seed=boot_seed)
    x = sobol_s.sample(problem, N=samples, calc_second_order=False, seed=design_seed)
    return x, lambda y: sobol_a.analyze(problem, y, calc_second_order=False, seed=boot_seed)


def sensitivity(
    scenario: Scenario,
    factors: Sequence[Factor] | str | Path,
    kpis: str | Sequence[str],
    samples: int = 16,
    method: str = "morris",
    n: int = 1,
    seed: int | None = None,
    *,
    workers: Workers | None = None,
    out: str | Path | None = None,
) -> SensitivityResult:
    """Global sensitivity of ``kpis`` to ``factors``: Morris elementary effects or Sobol indices.

    Parameters
    ----------
    scenario : Scenario
        Every design point reloads its file with the point's overrides over the scenario's own.
    factors : list of Factor, or the path of a factors file
        See :func:`load_factors`.
    kpis : str or list of str
        KPI names (``sorted(sim.run(scenario).kpis())``); a KPI missing from a run counts 0.
    samples : int
        Morris: trajectories on 4 levels, ``samples * (factors + 1)`` points. Sobol: a power of
        2, ``samples * (factors + 2)`` points.
    method : {"morris", "sobol"}
        Morris: mu_star (the mean absolute change of the KPI, in its units, as a factor moves over
        its range), its 95% confidence half-width and sigma. Sobol: ST and S1, with theirs.
    n : int
        Replications of every point, on the same seeds at every point.
    seed : int, optional
        The experiment's seed (default: the scenario's); it also fixes SALib's design and
        bootstrap, so that a result is reproducible to the last digit.
    workers, out
        As for :func:`sim.sweep`: where runs go; a folder keeping every run, that a second call
        resumes from (a folder of another experiment is refused).

    Examples
    --------
    >>> import sim
    >>> sc = sim.load_scenario("scenarios/example.toml", overrides={"demand.scale": 0.1})
    >>> f = [Factor("demand", ("demand.scale",), 0.05, 0.2, "set", "assumption: a test range")]
    >>> res = sensitivity(sc, f, "departures.rail_sea", samples=2, seed=1,
    ...                   workers=sim.Workers("serial"))
    >>> len(res.rows), res.ranking("departures.rail_sea")[0]["factor"]
    (4, 'demand')
    """
    if isinstance(factors, str | Path):
        factors = load_factors(factors, scenario)
    factors, kpis = list(factors), [kpis] if isinstance(kpis, str) else list(kpis)
    seed = scenario.seed if seed is None else seed
    _check(method, samples, n, seed, kpis, factors)
    problems = _check_factors(scenario, factors)
    if problems:
        raise SimError(problems)
    bounds = [[f.low, f.high] for f in factors]
    problem = {"num_vars": len(factors), "names": [f.name for f in factors], "bounds": bounds}
    design, analyse = _salib(method, problem, samples, seed)
    bases = {k: _current(scenario, k) for f in factors for k in f.keys}
    points = [_overrides(factors, bases, x) for x in design]
    digest = hashlib.sha256(json.dumps(points).encode()).hexdigest()  # the folder's experiment
    what = {
        "sensitivity": method,
        "samples": samples,
        "factors": [_factor_dict(f) for f in factors],
    }
    what["points_sha256"] = digest
    runs = run_points(
        scenario, points, n, seed, what, workers=workers, out=out, label="sensitivity"
    )
    known = {k for r in runs for k in r}
    unknown = "".join(f"\n  {k!r}{did_you_mean(k, known)}" for k in kpis if k not in known)
    if unknown:
        raise SimError(f"sensitivity: unknown KPI (see sorted(sim.run(scenario).kpis())):{unknown}")
    values = dict(zip([f.name for f in factors], design.T.tolist(), strict=True))
    rows = [
        {"point": r["point"], **{f: v[r["point"]] for f, v in values.items()}}
        | {"replication": r["replication"], "seed": r["seed"]}
        | {k: float(r.get(k, missing_value(k))) for k in kpis}
        for r in runs
    ]
    indices = {}
    for k in kpis:
        y = np.array([r[k] for r in rows], dtype=float).reshape(len(design), n).mean(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            si = analyse(y)
        filled = {i: np.ma.filled(np.ma.asarray(si[i], float), np.nan) for i in INDICES[method]}
        indices[k] = {i: [float(v) for v in x] for i, x in filled.items()}
    return SensitivityResult(
        scenario, factors, kpis, method, samples, seed, n, design, rows, indices
    )
