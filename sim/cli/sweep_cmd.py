"""``corridor-sim sweep SCENARIO --grid key=v1,v2 ...``: a grid of overrides, each replicated."""

from __future__ import annotations

import argparse
import io
from pathlib import Path
from typing import Any

from sim.answers.text import format_table
from sim.cli.argtypes import add_experiment_options, workers_from
from sim.errors import Problem, ScenarioError, SimError
from sim.fileio import json_text, write_text_atomic
from sim.scenario import load_scenario
from sim.textio import NotTomlError, did_you_mean, parse_toml

__all__ = ["add_parser", "parse_grid"]

DEFAULT_KPIS = ("departures.rail_sea", "load_factor.rail_sea", "teu.in_system")


def _value(text: str) -> Any:
    try:
        return parse_toml(f"v = {text}")["v"]
    except NotTomlError:  # not TOML: kept as text
        return text
    except ValueError as exc:  # TOML past a limit
        raise SimError(f"--grid: {text[:80]}: {exc}") from None


def parse_grid(items: list[str]) -> dict[str, list[Any]]:
    """``["key=v1,v2", ...]`` -> ``{"key": [v1, v2]}``; values parsed as TOML, else kept as text."""
    grid: dict[str, list[Any]] = {}
    problems = []
    for item in items:
        key, sep, values = item.partition("=")
        if not sep or not key.strip() or not values.strip():
            problems.append(Problem("--grid", "must be KEY=V1,V2,...", value=item))
        elif key.strip() in grid:
            problems.append(Problem("--grid", "the same key twice", column=key.strip()))
        else:
            grid[key.strip()] = [_value(v.strip()) for v in values.split(",")]
    if problems:
        raise ScenarioError(problems)
    return grid


def _csv(table: dict[str, list[Any]]) -> str:
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table)
    writer.writerows(zip(*table.values(), strict=True))
    return buffer.getvalue()


def _sweep(args: argparse.Namespace) -> int:
    from sim.experiments.sweeps import sweep
    from sim.results.kpi_families import family_of

    scenario = load_scenario(args.scenario)
    grid = parse_grid(args.grid)
    kpis = args.kpi or list(DEFAULT_KPIS)
    unnamed = [k for k in kpis if family_of(k) is None]  # before a run, not after the sweep
    if unnamed:
        raise SimError(
            f"--kpi: no KPI is called {', '.join(map(repr, unnamed))} (docs/kpis.md lists the "
            "names; corridor-sim run SCENARIO --kpi PATTERN shows a run's)"
        )
    result = sweep(
        scenario,
        grid,
        n=args.replications,
        seed=args.seed,
        out=args.out,
        workers=workers_from(args),
    )
    known = {k for r in result.rows for k in r}
    unknown = [k for k in kpis if k not in known]
    if unknown:
        near = "".join(did_you_mean(k, known) for k in unknown)
        raise SimError(f"--kpi: no run of this sweep made {', '.join(map(repr, unknown))}{near}")
    if args.out:
        runs = result.rows
        table = {c: [r.get(c) for r in runs] for c in dict.fromkeys(k for r in runs for k in r)}
        write_text_atomic(Path(args.out) / "sweep.csv", _csv(table))
    if args.json:
        print(
            json_text(
                {
                    "scenario": scenario.name,
                    "grid": grid,
                    "replications": args.replications,
                    "seed": result.seed,
                    "rows": result.rows,
                },
                indent=None,
            )
        )
        return 0
    summaries = {k: result.summary(k) for k in kpis}
    headers = [*grid, *(f"{k} [95% CI]" for k in kpis)]
    rows: list[list[str]] = []
    for i, point in enumerate(result.points):
        cells = [
            f"{s['mean'][i]:,.2f} [{s['ci_low'][i]:,.2f}, {s['ci_high'][i]:,.2f}]"
            for s in summaries.values()
        ]
        rows.append([*(str(point[k]) for k in grid), *cells])
    print(
        f"{scenario.name}: {len(result.points)} points x {args.replications} replications "
        f"(the same seeds at every point, seed {result.seed})\n"
    )
    print(format_table(headers, rows))
    if args.out:
        print(f"\nwrote {args.out}/sweep.csv (one row per point and replication, every KPI)")
    return 0


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``sweep`` to the top-level parser."""
    p = commands.add_parser("sweep", help="replicate a scenario at every point of a grid")
    p.add_argument("scenario", metavar="SCENARIO", help="scenario TOML file")
    p.add_argument(
        "--grid",
        action="append",
        required=True,
        metavar="KEY=V1,V2",
        help="a scenario key and its values (TOML); repeat for more keys",
    )
    add_experiment_options(p, replications=10)
    p.add_argument("--out", metavar="DIR", help="keep every run here; run again to resume")
    p.add_argument("--kpi", action="append", metavar="NAME", help="KPIs to print (repeatable)")
    p.set_defaults(handler=_sweep)
