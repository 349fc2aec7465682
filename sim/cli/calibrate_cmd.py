"""``corridor-sim calibrate [FILE]``: fit the calibrated parameters to the targets of both years."""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

from sim.answers.text import format_table
from sim.cli.argtypes import add_experiment_options, workers_from
from sim.fileio import json_text
from sim.options import positive_at_most
from sim.shipped import shipped_file

__all__ = ["add_parser", "calibration_file", "format_fit"]

#: The calibration file ``calibrate`` reads when given none, in the repository.
DEFAULT = "seeds/calibration.toml"


def calibration_file(given: str | None) -> Path:
    """The file ``calibrate`` reads: ``given`` (from the working folder), else the repository's.

    The default is found beside the package (:func:`sim.shipped.shipped_file`), whatever the
    working folder; without it, a SimError says to give the file.
    """
    if given is not None:
        return Path(given)
    return shipped_file(DEFAULT, "give the calibration file: corridor-sim calibrate FILE")


def _num(x: float) -> str:
    return "-" if math.isnan(x) else f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.2f}"


def format_fit(data: dict[str, Any]) -> str:
    """The fit table: per case and fitted target, the goal, band, simulated mean and error."""
    headers = ["case", "target", "goal", "band", "mean [95% CI]", "error"]
    rows = [
        [
            r["case"],
            r["target"],
            _num(r["goal"]),
            f"{_num(r['band_low'])} .. {_num(r['band_high'])}",
            f"{_num(r['mean'])} [{_num(r['ci_low'])}, {_num(r['ci_high'])}]",
            f"{r['rel_error']:+.1%}",
        ]
        for r in data["fit"]
    ]
    return format_table(headers, rows)


def _calibrate(args: argparse.Namespace) -> int:
    from sim.experiments.calibration import calibrate, load_calibration, write_calibrated

    spec = load_calibration(calibration_file(args.file))
    result = calibrate(
        spec,
        points=args.points,
        rounds=args.rounds,
        n=args.replications,
        seed=args.seed,
        out=args.out,
        workers=workers_from(args),
    )
    data = result.to_dict()
    if args.write:
        data["written_to"] = str(write_calibrated(result))
    if args.json:
        print(json_text(data))
        return 0
    tried = len(result.tried)
    print(
        f"{spec.path}: {tried} points ({args.rounds} round{'s' * (args.rounds > 1)} of "
        f"{args.points} values per parameter, one parameter at a time), "
        f"{args.replications} replications per case and point (seed {result.seed})\n"
    )
    print(
        format_table(
            ["parameter", "range", "fitted", "sets"],
            [
                [
                    p.name,
                    f"{p.low:g} .. {p.high:g}",
                    f"{result.best[p.name]:.6g}",
                    ", ".join(p.keys),
                ]
                for p in spec.parameters
            ],
        )
    )
    print(f"\nobjective (sum of squared relative errors): {result.objective:.5f}\n")
    print(format_fit(data))
    if args.write:
        print(f"\nwrote the fitted values into {data['written_to']}")
    else:
        print(f"\nrun again with --write to write them into {spec.write_to}")
    return 0


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``calibrate`` to the top-level parser."""
    p = commands.add_parser(
        "calibrate", help="fit the calibrated parameters to the targets of 2018 and 2019 at once"
    )
    p.add_argument(
        "file",
        metavar="FILE",
        nargs="?",
        help=f"calibration file: parameters, cases and fitted targets (the repository's {DEFAULT})",
    )
    add_experiment_options(p, replications=8)
    p.add_argument(
        "--points", type=positive_at_most(20), default=5, help="values per parameter a round (5)"
    )
    p.add_argument("--rounds", type=positive_at_most(10), default=3, help="rounds, each finer (3)")
    p.add_argument("--out", metavar="DIR", help="keep every run here; run again to resume")
    p.add_argument(
        "--write", action="store_true", help="write the fitted values into the scenario file"
    )
    p.set_defaults(handler=_calibrate)
