"""Global sensitivity analysis (SALib): which inputs of a scenario move which KPIs.

The inputs are :class:`~sim.experiments.factors.Factor` s, each a range of one or more scenario
keys (read from a factors file by :func:`~sim.experiments.factors.load_factors`).
:func:`sensitivity` draws a Morris or Sobol design,
runs every point's replications on the same seeds (common random numbers) like :func:`sim.sweep`,
and analyses the replication-mean KPI of each point.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypedDict

import numpy as np

from sim.errors import ArgumentError, SimError
from sim.experiments.factors import (
    Factor,
    check_factors,
    current_value,
    load_factors,
    point_overrides,
)
from sim.experiments.sweeps import run_points
from sim.experiments.workers import Workers
from sim.options import SensitivityMethod
from sim.results.kpis import missing_value
from sim.results.tables import Table
from sim.scenario import Scenario
from sim.textio import did_you_mean

__all__ = ["INDICES", "Factor", "SensitivityResult", "load_factors", "sensitivity"]

#: Per method: the ranking index, its 95% confidence half-width, then the other indices.
INDICES: dict[SensitivityMethod, tuple[str, ...]] = {
    "morris": ("mu_star", "mu_star_conf", "sigma"),
    "sobol": ("ST", "ST_conf", "S1", "S1_conf"),
}


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
    method: SensitivityMethod
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
        plain: dict[str, Any] = _plain(
            {"scenario": self.scenario.name, "replications": self.n, "runs": len(self.rows)}
            | {k: getattr(self, k) for k in names}
            | {"factors": [_factor_dict(f) for f in self.factors]}
            | {"ranking": {k: self.ranking(k) for k in self.kpis}}
        )
        return plain


def _factor_dict(f: Factor) -> dict[str, Any]:
    return {k: v for k, v in asdict(f).items() if k != "file"}


def _plain(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_plain(v) for v in x]
    return None if isinstance(x, float) and not math.isfinite(x) else x


def _check(
    method: str, samples: object, n: object, seed: object, kpis: list[str], factors: list[Factor]
) -> None:
    def whole(v: object, low: int) -> bool:
        return isinstance(v, int) and not isinstance(v, bool) and v >= low

    power_of_2 = isinstance(samples, int) and not samples & (samples - 1)
    names = {f.name for f in factors if isinstance(f, Factor)}
    checks = {
        f"method must be one of {', '.join(INDICES)}": method in INDICES,
        "samples must be a whole number >= 2 (a power of 2 for sobol)": whole(samples, 2)
        and (method != "sobol" or power_of_2),
        "n must be a whole number >= 1 and seed one >= 0": whole(n, 1) and whole(seed, 0),
        "give KPIs, and Factors of unique names that are not KPIs": len(names) == len(factors)
        and bool(kpis and factors and not names & set(kpis)),
    }
    if not all(checks.values()):
        raise ArgumentError(
            "sensitivity: " + "; ".join(rule for rule, ok in checks.items() if not ok)
        )


class SALibProblem(TypedDict):
    """The inputs of a design as SALib takes them."""

    num_vars: int
    names: list[str]
    bounds: list[list[float]]


#: SALib's analysis of the outputs on a design: each index, one value per factor.
Analyse = Callable[[np.ndarray], Mapping[str, Any]]


def _salib(
    method: SensitivityMethod, problem: SALibProblem, samples: int, seed: int
) -> tuple[np.ndarray, Analyse]:
    """The design of ``method`` and the function that analyses the outputs on it."""
    try:
        from SALib.analyze import morris as morris_a
        from SALib.analyze import sobol as sobol_a
        from SALib.sample import morris as morris_s
        from SALib.sample import sobol as sobol_s
    except ImportError:
        raise SimError("sensitivity: needs SALib: pip install 'corridor-sim[analysis]'") from None
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
    method: SensitivityMethod = "morris",
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
    problems = check_factors(scenario, factors)
    if problems:
        raise SimError(problems)
    bounds = [[f.low, f.high] for f in factors]
    problem: SALibProblem = {
        "num_vars": len(factors),
        "names": [f.name for f in factors],
        "bounds": bounds,
    }
    design, analyse = _salib(method, problem, samples, seed)
    bases = {k: current_value(scenario, k) for f in factors for k in f.keys}
    points = [point_overrides(factors, bases, x) for x in design]
    digest = hashlib.sha256(json.dumps(points).encode()).hexdigest()  # the folder's experiment
    what: dict[str, Any] = {
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
        raise ArgumentError(
            f"sensitivity: unknown KPI (see sorted(sim.run(scenario).kpis())):{unknown}"
        )
    values = dict(zip([f.name for f in factors], design.T.tolist(), strict=True))
    rows = [
        {"point": r["point"], **{f: v[r["point"]] for f, v in values.items()}}
        | {"replication": r["replication"], "seed": r["seed"]}
        | {k: float(r.get(k, missing_value(k))) for k in kpis}
        for r in runs
    ]
    indices: dict[str, dict[str, list[float]]] = {}
    for k in kpis:
        y = np.array([r[k] for r in rows], dtype=float).reshape(len(design), n).mean(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            si = analyse(y)
        filled: dict[str, np.ndarray] = {
            i: np.ma.filled(np.ma.asarray(si[i], float), np.nan) for i in INDICES[method]
        }
        indices[k] = {i: [float(v) for v in x] for i, x in filled.items()}
    return SensitivityResult(
        scenario, factors, kpis, method, samples, seed, n, design, rows, indices
    )
