"""``corridor-sim validate SCENARIO``: replications checked against published figures."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sim.cli.argtypes import add_experiment_options, count, workers_from
from sim.cli.textfmt import format_table
from sim.errors import SimError
from sim.fileio import json_text
from sim.scenario import load_scenario

__all__ = ["add_parser", "default_targets", "format_elasticity", "format_report"]


def default_targets(scenario_file: str, year: int) -> Path:
    """``seeds/targets_<year>.toml`` beside the scenario's folder (the repository layout)."""
    return Path(scenario_file).resolve().parent.parent / "seeds" / f"targets_{year}.toml"


def _fmt(x: float | None, growth: bool) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return f"{x:+.0%}" if growth else f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.1f}"


def _rows(rows: list[dict[str, Any]]) -> list[list[Any]]:
    out = []
    for r in rows:
        g = r["growth"]
        band = f"{_fmt(r['band_low'], g)} .. {_fmt(r['band_high'], g)}"
        ci = f"{_fmt(r['mean'], g)} [{_fmt(r['ci_low'], g)}, {_fmt(r['ci_high'], g)}]"
        err = "-" if math.isnan(r["rel_error"]) else f"{r['rel_error']:+.1%}"
        out.append(
            [
                r["id"],
                f"{r['relation']} {_fmt(r['target'], g)}",
                band,
                ci,
                err,
                r["status"],
                r["evidence"],
            ]
        )
    return out


def format_report(report: dict[str, Any], targets_file: str) -> str:
    """The validation report as text: primary, growth and secondary tables, then the notes."""
    headers = ["target", "relation", "band", "mean [95% CI]", "error", "status", "evidence"]
    sections: list[tuple[str, Callable[[dict[str, Any]], bool]]] = [
        ("Primary targets", lambda r: r["primary"]),
        (
            "Growth, 2019 over 2018 (paired replications)",
            lambda r: r["growth"] and not r["primary"],
        ),
        ("Other published figures", lambda r: not r["primary"] and not r["growth"]),
    ]
    out = [f"{report['scenario']}: {report['replications']} replications against {targets_file}"]
    verdict = "every primary target passes" if report["ok"] else "a primary target FAILS"
    primary = [r for r in report["targets"] if r["primary"] and not r["growth"]]
    failed = [r for r in primary if r["status"] != "pass"]
    out.append(
        f"Verdict: {verdict} ({len(primary) - len(failed)} of {len(primary)} pass"
        + "".join(
            f"; {r['id']}: {r['mean']:,.0f} against {r['relation'].replace('_', ' ')} "
            f"{r['target']:,.0f}"
            for r in failed
        )
        + ")"
    )
    for title, keep in sections:
        rows = [r for r in report["targets"] if keep(r)]
        if rows:
            out += ["", title, format_table(headers, _rows(rows))]
    notes = [
        f"- {r['id']} ({r['status']}): {r['conflicts']}"
        for r in report["targets"]
        if r["status"] != "pass" and r["conflicts"]
    ]
    if notes:
        out += ["", "Notes", *notes]
    if "elasticity" in report:
        out += ["", *format_elasticity(report["elasticity"])]
    out += ["", f"Verdict: {verdict}."]
    return "\n".join(out)


def format_elasticity(el: dict[str, Any]) -> list[str]:
    """The elasticity section: slope per family with its CI, and TEU per departure per scale."""
    scales = el["scales"]
    low, high = el["slope_band"]
    headers = ["family", "slope [95% CI]", *(f"TEU/departure x{s:g}" for s in scales), "status"]
    rows = []
    for f in el["families"]:
        loads = [
            f"{m:,.1f} ({c:+.0%})"
            for m, c in zip(f["teu_per_departure"], f["load_change_rel"], strict=True)
        ]
        slope = f"{f['slope']:.2f} [{f['slope_ci_low']:.2f}, {f['slope_ci_high']:.2f}]"
        rows.append([f["family"], slope, *loads, f["status"] if f["checked"] else "(reported)"])
    tol = el["load_tolerance_rel"]
    return [
        f"How departures follow volume: every flow x{', x'.join(f'{s:g}' for s in scales)} on "
        f"the same seeds, {el['replications']} replications",
        f"(pass: the slope of log departures against log TEU carried within [{low:g}, {high:g}]"
        f" and TEU per departure within {tol:.0%} of its value at x1)",
        format_table(headers, rows),
    ]


def _validate(args: argparse.Namespace) -> int:
    from sim.experiments.elasticity import elasticity, load_elasticity_check
    from sim.experiments.replications import replicate
    from sim.experiments.validation import load_targets, validate

    scenario = load_scenario(args.scenario)
    targets = args.targets or default_targets(args.scenario, scenario.horizon.start.year)
    if not Path(targets).is_file():
        raise SimError(f"{targets}: target file not found (give --targets FILE)")
    load_targets(targets)  # a broken target file fails now, not after the replications
    check = load_elasticity_check(targets)
    workers = workers_from(args)
    reps = replicate(scenario, n=args.replications, seed=args.seed, workers=workers)
    report = validate(reps, targets, workers=workers)
    data = report.to_dict()
    if check is not None and args.elasticity_replications > 0:
        n = args.elasticity_replications
        data["elasticity"] = elasticity(
            scenario, check, n=n, seed=args.seed, workers=workers
        ).to_dict()
    if args.json:
        print(json_text(data))
    else:
        print(format_report(data, str(targets)))
    if args.plot:
        from sim.cli.figures import save_figure
        from sim.plot import validation

        save_figure(validation(report), args.plot)
        if not args.json:
            print(f"\nwrote {args.plot}")
    return 0 if report.ok else 1


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``validate`` to the top-level parser."""
    p = commands.add_parser("validate", help="replicate a scenario and check it against targets")
    p.add_argument("scenario", metavar="SCENARIO", help="scenario TOML file")
    p.add_argument(
        "--targets",
        metavar="FILE",
        help="target file (default: seeds/targets_<year of the horizon>.toml)",
    )
    add_experiment_options(p)
    p.add_argument(
        "--elasticity-replications",
        type=count,
        default=10,
        metavar="N",
        help="replications per demand scale of the elasticity check (0 skips it; default 10)",
    )
    p.add_argument("--plot", metavar="FILE", help="also write the validation figure (.png/.svg)")
    p.set_defaults(handler=_validate)
