"""``corridor-sim run SCENARIO``: simulate, print the headline KPIs, write the run folder."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from sim.answers.text import format_table
from sim.cli.argtypes import add_answer_options, add_experiment_options, workers_from
from sim.errors import SimError
from sim.options import KEEP, TABLE_FORMATS
from sim.scenario import SERVICE_FAMILIES, load_scenario, parse_set_options

__all__ = ["add_parser", "headline"]


def _departure_rows(kpis: dict[str, float]) -> list[list[Any]]:
    return [
        [
            fam,
            int(kpis[f"departures.{fam}"]),
            int(kpis[f"cancelled.{fam}"]),
            kpis[f"teu.carried.{fam}"],
            kpis[f"load_factor.{fam}"],
        ]
        for fam in SERVICE_FAMILIES
        if kpis[f"departures.{fam}"] or kpis[f"cancelled.{fam}"]
    ]


def _door_to_door_rows(kpis: dict[str, float]) -> list[list[Any]]:
    rows = []
    for key in sorted({k.rsplit(".", 1)[0] for k in kpis if k.startswith("door_to_door_h.")}):
        _, origin, dest, chain = key.split(".")
        stats = [kpis[f"{key}.{s}"] for s in ("mean", "p50", "p90", "p95")]
        rows.append([f"{origin} → {dest}", chain, *stats])
    return rows


def _parts_rows(kpis: dict[str, float]) -> list[list[Any]]:
    from sim.results.kpis import BREAKDOWN_PARTS, HEADLINE_DESTINATIONS

    keys = sorted(
        {
            k.rsplit(".", 1)[0][len("door_to_door_h.") :]
            for k in kpis
            if k.startswith("door_to_door_h.")
        }
    )
    headline = [
        k
        for k in keys
        if k.split(".")[0].startswith("cq_") and k.split(".")[1] in HEADLINE_DESTINATIONS
    ]
    rows = []
    for key in headline or keys:
        origin, dest, chain = key.split(".")
        parts = [kpis.get(f"breakdown_h.{key}.{part}", 0.0) for part in BREAKDOWN_PARTS.values()]
        rows.append([f"{origin} → {dest}", chain, *parts, kpis[f"door_to_door_h.{key}.mean"]])
    return rows


def _border_rows(kpis: dict[str, float]) -> list[list[Any]]:
    posts = sorted(
        k.split(".")[1] for k, v in kpis.items() if k.startswith("border_crossings.") and v
    )
    return [
        [
            p,
            int(kpis[f"border_crossings.{p}"]),
            kpis[f"border_wait_h.{p}.mean"],
            kpis[f"border_wait_h.{p}.p90"],
            kpis[f"border_queue_vehicles.{p}.mean"],
            int(kpis[f"border_queue_vehicles.{p}.max"]),
        ]
        for p in posts
    ]


def headline(kpis: dict[str, float]) -> str:
    """The headline KPIs of one run as text tables: departures, door to door, borders, TEU."""
    from sim.results.kpis import BREAKDOWN_PARTS

    blocks = [
        format_table(
            ["family", "departures", "cancelled", "teu_carried", "load_factor"],
            _departure_rows(kpis),
            digits=[0, 0, 0, 0, 2],
        ),
        format_table(
            ["door to door", "chain", "mean_h", "p50_h", "p90_h", "p95_h"], _door_to_door_rows(kpis)
        ),
        "Parts of the trip, mean hours (waiting: for the first departure; transfer_wait: for the"
        " next one, e.g. a ship; dwell: yard and customs; border_queue and inspection: at posts"
        " and locks)\n"
        + format_table(
            ["door to door", "chain", *BREAKDOWN_PARTS.values(), "total"],
            _parts_rows(kpis),
            digits=[0, 0, *(1,) * (len(BREAKDOWN_PARTS) + 1)],
        ),
        format_table(
            ["border post", "crossings", "wait_mean_h", "wait_p90_h", "queue_mean", "queue_max"],
            _border_rows(kpis),
            digits=[0, 0, 1, 1, 2, 0],
        ),
        f"TEU created after the warm-up {kpis['teu.created']:,.0f}: delivered "
        f"{kpis['teu.delivered']:,.0f}, in the system at the end {kpis['teu.in_system']:,.0f} "
        f"(and {kpis.get('teu.in_system.from_warmup', 0.0):,.0f} from the warm-up); "
        f"missed connections {kpis['missed_connections']:,.0f}, "
        f"left behind by a full vehicle {kpis['rolled']:,.0f} times",
    ]
    return "\n\n".join(blocks)


def _kpi_table(stats: dict[str, dict[str, float]], patterns: list[str] | None) -> str:
    """Every KPI (or those matching a pattern) with its mean and 95% CI."""
    import fnmatch

    names = [k for k in stats if not patterns or any(fnmatch.fnmatchcase(k, p) for p in patterns)]
    if not names:
        return "no KPI matches " + ", ".join(patterns or [])
    if all("ci_low" not in stats[k] for k in names):  # one run: values, no intervals
        rows = [[k, stats[k]["mean"]] for k in sorted(names)]
        return format_table(["kpi", "value"], rows, digits=[0, 2])
    rows = [[k, stats[k]["mean"], stats[k]["ci_low"], stats[k]["ci_high"]] for k in sorted(names)]
    return format_table(["kpi", "mean", "ci_low", "ci_high"], rows, digits=[0, 2, 2, 2])


def _replicated(args: argparse.Namespace, scenario: Any) -> int:
    from sim.answers.run_answer import RUN_HINT, run_answer
    from sim.experiments.replications import replicate
    from sim.fileio import write_json_atomic

    reps = replicate(
        scenario,
        n=args.replications,
        seed=args.seed,
        out=args.out,
        workers=workers_from(args),
        keep=args.keep,
    )
    summary = reps.kpis()
    heading = f"{scenario.name}: {reps.n} replications (seed {reps.seed}); mean [95% CI]"
    if args.all or args.kpi:
        print(heading + "\n\n" + _kpi_table(summary, args.kpi))
    else:
        print(run_answer(scenario, summary, heading), RUN_HINT, sep="\n")
    if args.out:
        write_json_atomic(Path(args.out) / "kpis.json", summary)
        kept = {"first": "the first replication's tables", "tables": "every replication's tables"}
        tables = kept.get(args.keep, "no tables")
        print(
            f"\nwrote {args.out}/ (kpis.json with mean and 95% CI; runs/: every replication's "
            f"KPIs and {tables}; manifest.json)"
        )
    return 0


def _run(args: argparse.Namespace) -> int:
    from sim.experiments.single import run
    from sim.results.output import check_run_folder, write_run

    overrides: dict[str, Any] = parse_set_options(args.set or [])
    scenario = load_scenario(args.scenario, overrides=overrides)
    if args.out and Path(args.out).exists() and not Path(args.out).is_dir():
        raise SimError(f"--out {args.out}: exists and is not a folder")
    if args.replications > 1:
        return _replicated(args, scenario)
    if args.out:
        check_run_folder(args.out, args.force)  # before the run, not after it
    seed = scenario.seed if args.seed is None else args.seed
    start = time.perf_counter()
    res = run(scenario, seed, log_events=False if args.no_events else None)
    wall = time.perf_counter() - start
    h = scenario.horizon
    heading = (
        f"{scenario.name}: seed {seed}, {h.start} to {h.end} (warm-up {h.warmup_days:g} d); "
        f"{wall:.2f} s, {res.events:,} events"
    )
    kpis = res.kpis()
    if args.kpi:
        print(heading + "\n\n" + _kpi_table({k: {"mean": v} for k, v in kpis.items()}, args.kpi))
    elif args.all:
        print(heading + "\n\n" + headline(kpis))
    else:
        from sim.answers.run_answer import RUN_HINT, run_answer

        print(
            run_answer(scenario, {k: {"mean": v} for k, v in kpis.items()}, heading),
            RUN_HINT,
            sep="\n",
        )
    if args.out:
        from sim.results.tables import fast_format

        fmt = args.table_format or fast_format()
        write_run(res, args.out, wall_s=wall, fmt=fmt, force=args.force)
        print(f"\nwrote {args.out}/ (kpis.json, manifest.json, events and the tables as {fmt})")
    return 0


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``run`` to the top-level parser."""
    p = commands.add_parser("run", help="simulate a scenario once and print the headline KPIs")
    p.add_argument("scenario", metavar="SCENARIO", help="scenario TOML file")
    add_answer_options(p, "the scenario", "every table (with --replications: every KPI)")
    add_experiment_options(p, replications=1, json=False)  # more than 1: means with 95% CIs
    p.add_argument("--out", metavar="DIR", help="write kpis.json, tables, events and manifest here")
    p.add_argument(
        "--force",
        action="store_true",
        help="one run: replace a non-empty --out folder that is not an earlier single run's",
    )
    p.add_argument("--no-events", action="store_true", help="do not keep the per-consignment log")
    p.add_argument(
        "--keep",
        choices=KEEP,
        default="first",
        help="with --replications and --out: whose tables to keep besides every replication's "
        "KPIs: the first replication's (about 5 MB, the figures of one run), every "
        "replication's (tables, about 5 MB each), or none (kpis)",
    )
    p.add_argument(
        "--table-format",
        choices=TABLE_FORMATS,
        help="format of the tables in --out: csv for spreadsheets; parquet (with the analysis "
        "extra) or npz load back fast (default: parquet if installed, else npz)",
    )
    p.set_defaults(handler=_run)
