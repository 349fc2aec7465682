"""``corridor-sim sensitivity SCENARIO --factors FILE --kpi KPI``: which inputs move a KPI."""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

from sim.answers.text import format_table
from sim.cli.argtypes import add_experiment_options, workers_from
from sim.fileio import json_text
from sim.options import SENSITIVITY_METHODS, positive_at_most
from sim.scenario import load_scenario

__all__ = ["add_parser", "figure_paths", "format_ranking"]


def figure_paths(path: str, kpis: list[str]) -> dict[str, str]:
    """One figure file per KPI: ``path`` itself for one KPI, else suffixed with each KPI's name.

    >>> figure_paths("out/sens.png", ["departures.rail_sea", "teu.delivered"])["teu.delivered"]
    'out/sens_teu.delivered.png'
    """
    if len(kpis) == 1:
        return {kpis[0]: path}
    p, safe = Path(path), {k: re.sub(r"[^\w.-]", "_", k) for k in kpis}
    return {k: str(p.with_name(f"{p.stem}_{safe[k]}{p.suffix}")) for k in kpis}


def format_ranking(result: Any, kpi: str) -> str:
    """A one-line header (the KPI, method, model runs, seed), then the factors ranked."""
    from sim.experiments.sensitivity_analysis import INDICES

    names = INDICES[result.method]
    points = len(result.rows) // result.n
    header = (
        f"{kpi}: {result.method.capitalize()}, {len(result.rows):,} model runs ({points} points "
        f"x {result.n} replication{'s' * (result.n > 1)} on the same seeds), seed {result.seed}"
    )
    rows = [
        [i, r["factor"], r["label"], *(r[k] for k in names)]
        for i, r in enumerate(result.ranking(kpi), start=1)
    ]
    headers = ["rank", "factor", "label", *names]
    return header + "\n" + format_table(headers, rows, digits=[0, 0, 0, *(3,) * len(names)])


def _sensitivity(args: argparse.Namespace) -> int:
    from sim.experiments.sensitivity_analysis import load_factors, sensitivity

    scenario = load_scenario(args.scenario)
    factors = load_factors(args.factors, scenario)  # a broken file fails before any run
    result = sensitivity(
        scenario,
        factors,
        args.kpi,
        samples=args.samples,
        method=args.method,
        n=args.replications,
        seed=args.seed,
        out=args.out,
        workers=workers_from(args),
    )
    if args.json:
        print(json_text(result.to_dict(), indent=None))
    else:
        print("\n\n".join(format_ranking(result, k) for k in result.kpis))
    if args.plot:
        from sim.cli.figures import save_figure
        from sim.plot import sensitivity as figure

        for kpi, path in figure_paths(args.plot, result.kpis).items():
            save_figure(figure(result, kpi), path)
            if not args.json:
                print(f"wrote {path}")
    return 0


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``sensitivity`` to the top-level parser."""
    p = commands.add_parser(
        "sensitivity", help="global sensitivity (Morris or Sobol) of KPIs to scenario inputs"
    )
    p.add_argument("scenario", metavar="SCENARIO", help="scenario TOML file")
    p.add_argument("--factors", required=True, metavar="FILE", help="factors file (TOML)")
    p.add_argument(
        "--kpi", action="append", required=True, metavar="KPI", help="a KPI (repeatable)"
    )
    p.add_argument(
        "--samples",
        type=positive_at_most(4096),
        required=True,
        metavar="N",
        help="Morris: trajectories (N x (factors + 1) points); Sobol: N x (factors + 2), N a "
        "power of 2",
    )
    p.add_argument("--method", choices=SENSITIVITY_METHODS, default="morris", help="(morris)")
    add_experiment_options(p, replications=1)
    p.add_argument("--plot", metavar="FIG", help="write the figure (one per KPI, suffixed)")
    p.add_argument("--out", metavar="DIR", help="keep every run here; run again to resume")
    p.set_defaults(handler=_sensitivity)
