"""``corridor-sim compare BASE ALT``: what a change does, by how much, and how sure that is."""

from __future__ import annotations

import argparse
import fnmatch
import math
from typing import Any

from sim.answers.text import format_table
from sim.cli.argtypes import add_answer_options, add_experiment_options, workers_from
from sim.scenario import load_scenario, parse_set_options

__all__ = ["add_parser", "format_comparison"]


def _num(x: float) -> str:
    return "n/a" if math.isnan(x) else f"{x:,.2f}" if abs(x) < 100 else f"{x:,.0f}"


def format_comparison(data: dict[str, Any], title: str = "Every KPI") -> str:
    """The KPI table of a comparison (``to_dict`` form): largest relative change first."""
    rows = sorted(
        data["kpis"],
        key=lambda r: (
            math.isnan(r["rel_change"]),
            -abs(r["rel_change"]) if not math.isnan(r["rel_change"]) else -abs(r["diff_mean"]),
        ),
    )
    table = [
        [
            r["kpi"],
            _num(r["base_mean"]),
            _num(r["alt_mean"]),
            f"{_num(r['diff_mean'])} [{_num(r['diff_ci_low'])}, {_num(r['diff_ci_high'])}]",
            "n/a" if math.isnan(r["rel_change"]) else f"{r['rel_change']:+.1%}",
            "yes" if r["significant"] else "no: could be 0" if r["n"] > 1 else "n/a",
            "n/a" if math.isnan(r["variance_reduction"]) else f"{r['variance_reduction']:.1f}x",
        ]
        for r in rows
    ]
    headers = ["kpi", "base", "alt", "difference [95% CI]", "relative", "sure?", "CRN variance cut"]
    body = format_table(headers, table) if table else "  no KPI matches"
    return f"{title}\n{body}"


def _compare(args: argparse.Namespace) -> int:
    from sim.answers.compare_answer import COMPARE_HINT, comparison_headline
    from sim.experiments.comparisons import compare
    from sim.fileio import json_text, write_json_atomic

    base = load_scenario(args.base)
    alt = load_scenario(args.alt, overrides=parse_set_options(args.set or []))
    result = compare(
        base,
        alt,
        n=args.replications,
        seed=args.seed,
        independent=not args.no_independent,
        out=args.out,
        workers=workers_from(args),
    )
    every = sorted({k for r in result.base.rows + result.alt.rows for k in r})
    if args.kpi:
        names = [k for k in every if any(fnmatch.fnmatchcase(k, p) for p in args.kpi)]
    else:
        names = every
    data = result.to_dict(names)
    if args.out:
        write_json_atomic(f"{args.out}/comparison.json", result.to_dict(every))
    if args.json:
        print(json_text(data))
    elif args.kpi or args.all:
        which = ", ".join(args.kpi) if args.kpi else "every KPI"
        print(comparison_headline(result).splitlines()[0])
        print(format_comparison(data, title=f"\nKPIs ({which}), largest relative change first"))
    else:
        print(comparison_headline(result), COMPARE_HINT, sep="\n")
    if args.plot:
        from sim.cli.figures import save_figure
        from sim.plot import comparison_forest

        save_figure(comparison_forest(result, kpis=names if args.kpi else None), args.plot)
        if not args.json:
            print(f"\nwrote {args.plot}")
    if args.out and not args.json:
        sets = "base/ and alt/" if args.no_independent else "base/, alt/ and independent/"
        print(f"\nwrote {args.out}/ ({sets} runs, comparison.json)")
    return 0


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``compare`` to the top-level parser."""
    p = commands.add_parser("compare", help="paired replications of two scenarios, KPI by KPI")
    p.add_argument("base", metavar="BASE", help="base scenario TOML file")
    p.add_argument("alt", metavar="ALT", help="alternative scenario TOML file")
    add_answer_options(p, "the alternative", "the table of every KPI, changed or not")
    add_experiment_options(p)
    p.add_argument(
        "--no-independent",
        action="store_true",
        help="skip the independent-seed runs that measure the variance cut (a third fewer runs)",
    )
    p.add_argument(
        "--out",
        metavar="DIR",
        help="keep every finished replication here; running again into it resumes",
    )
    p.add_argument(
        "--plot",
        metavar="FILE",
        help="draw the forest plot of the largest changes (of the --kpi ones, if given)",
    )
    p.set_defaults(handler=_compare)
