"""``corridor-sim validate SCENARIO``: replications checked against published figures."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sim.answers.text import format_table
from sim.cli.argtypes import add_experiment_options, workers_from
from sim.errors import SimError
from sim.fileio import json_text
from sim.options import count
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
            "Growth on the year before (paired replications)",
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
    wide = [r for r in failed if r["band_low"] <= r["mean"] <= r["band_high"]]
    if wide:
        out.append(
            f"  {len(wide)} of them ha{'s' if len(wide) == 1 else 've'} a mean inside the band but "
            f"a 95% interval that reaches outside it: a target passes only when its whole "
            f"interval is in the band, and {report['replications']} replications give wide "
            "intervals (the scenario's own count, usually 30, narrows them)"
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
    """The growth section: each family's slope and loads, and the freight getting through."""
    scales = el["scales"]
    low, high = el["slope_band"]
    headers = ["family", "supply", "slope [95% CI]", *(f"TEU/dep. x{s:g}" for s in scales)]
    rows = []
    for supply, families in (
        ("responding", el["families"]),
        ("fixed", el["families_supply_fixed"]),
    ):
        for f in families:
            loads = [
                f"{m:,.1f} ({c:+.0%})"
                for m, c in zip(f["teu_per_departure"], f["load_change_rel"], strict=True)
            ]
            slope = f"{f['slope']:.2f} [{f['slope_ci_low']:.2f}, {f['slope_ci_high']:.2f}]"
            status = f["status"] if f["checked"] else "(reported)"
            rows.append([f["family"], supply, slope, *loads, status])
    kpis = list(el["door_to_door_labels"])
    freight_headers = ["supply", "demand", "TEU created", "left at end", "beyond x1"]
    freight_headers += [f"d2d {i + 1} (days)" for i in range(len(kpis))]
    freight = [
        [
            r["supply"],
            f"x{r['scale']:g}",
            f"{r['teu_created']:,.0f}",
            f"{r['left_share']:.1%}",
            f"{r['left_beyond_base_share']:+.1%}",
            *(_days(r["door_to_door_h"][k], r["door_to_door_change_rel"][k]) for k in kpis),
        ]
        for r in el["scale_rows"]
    ]
    labels = el["door_to_door_labels"].values()
    legend = [f"  d2d {i + 1}: {t.removesuffix(' (h)')}" for i, t in enumerate(labels)]
    tol = el["load_tolerance_rel"]
    verdict = el["jam_status"] + "".join(f"\n  {reason}" for reason in el["jam_reasons"])
    return [
        f"How the corridor answers growth: every flow x{', x'.join(f'{s:g}' for s in scales)} "
        f"on the same seeds, {el['replications']} replications, with supply that responds "
        "(checked) and supply fixed (reported)",
        f"(pass: the slope of log departures against log demand within [{low:g}, {high:g}], TEU "
        f"per departure within {tol:.0%} of x1; at most {el['left_max_share']:.0%} of the TEU "
        "created left in the system beyond x1's share, boxes on their way, and door to door at "
        f"the largest factor within {el['door_to_door_growth_max_rel']:+.0%} of x1)",
        format_table([*headers, "status"], rows),
        "",
        "The freight getting through (left at end: TEU in the system when the year ends, a share "
        "of those created)",
        format_table(freight_headers, freight),
        *legend,
        f"Jam check, supply responding: {verdict}",
    ]


def _days(hours: float, change: float) -> str:
    """Door to door in days with its change on x1 (``-`` where no box was delivered)."""
    if math.isnan(hours):
        return "-"
    return f"{hours / 24:.1f} ({change:+.0%})"


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
