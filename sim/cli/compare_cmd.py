"""``corridor-sim compare BASE ALT``: what a change does, by how much, and how sure that is."""

from __future__ import annotations

import argparse
import json
import math
from typing import Any

from sim.cli.argtypes import add_experiment_options, where_to_run
from sim.cli.textfmt import format_table
from sim.scenario import load_scenario

__all__ = ["add_parser", "format_comparison"]


def _num(x: float) -> str:
    return "-" if math.isnan(x) else f"{x:,.2f}" if abs(x) < 100 else f"{x:,.0f}"


def _show(value: Any) -> str:
    return "(not set)" if value is None else repr(value) if isinstance(value, str) else str(value)


def format_comparison(data: dict[str, Any], show_all: bool = False) -> str:
    """A planner's summary: the scenario changes, then the KPIs that moved, largest first."""
    out = [
        f"{data['alt']} against {data['base']}: {data['replications']} paired replications on "
        f"common random numbers (seed {data['seed']})",
        "",
        "What the alternative changes:",
    ]
    changes = [c for c in data["changes"] if c["key"] not in ("name", "description")]
    shown = [f"  {c['key']}: {_show(c['base'])} -> {_show(c['alt'])}" for c in changes]
    out += shown or ["  nothing"]
    rows = [r for r in data["kpis"] if show_all or r["significant"]]
    # Largest relative change first; changes from a base of 0 (no relative value) by size after.
    rows.sort(
        key=lambda r: (
            math.isnan(r["rel_change"]),
            -abs(r["rel_change"]) if not math.isnan(r["rel_change"]) else -abs(r["diff_mean"]),
        )
    )
    table = [
        [
            r["kpi"],
            _num(r["base_mean"]),
            _num(r["alt_mean"]),
            f"{_num(r['diff_mean'])} [{_num(r['diff_ci_low'])}, {_num(r['diff_ci_high'])}]",
            "-" if math.isnan(r["rel_change"]) else f"{r['rel_change']:+.1%}",
            "yes" if r["significant"] else "no: could be 0",
            "-" if math.isnan(r["variance_reduction"]) else f"{r['variance_reduction']:.1f}x",
        ]
        for r in rows
    ]
    title = "Every KPI" if show_all else "What changed (95% CI of the difference excludes 0)"
    out += ["", title]
    if table:
        headers = [
            "kpi",
            "base",
            "alt",
            "difference [95% CI]",
            "relative",
            "sure?",
            "CRN variance cut",
        ]
        out.append(format_table(headers, table))
    else:
        out.append("  no headline KPI moved beyond its noise")
    return "\n".join(out)


def _compare(args: argparse.Namespace) -> int:
    from sim.comparisons import compare, headline_kpis

    base, alt = load_scenario(args.base), load_scenario(args.alt)
    result = compare(
        base,
        alt,
        n=args.replications,
        seed=args.seed,
        progress=not args.json,
        **where_to_run(args),
    )
    every = {k for r in result.base.rows + result.alt.rows for k in r}
    names = None if args.all else headline_kpis(every)
    data = result.to_dict(names)
    if args.json:
        print(json.dumps(data, indent=2, ensure_ascii=False, default=str))
    else:
        print(format_comparison(data, show_all=args.all))
    return 0


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Add ``compare`` to the top-level parser."""
    p = commands.add_parser("compare", help="paired replications of two scenarios, KPI by KPI")
    p.add_argument("base", metavar="BASE", help="base scenario TOML file")
    p.add_argument("alt", metavar="ALT", help="alternative scenario TOML file")
    add_experiment_options(p)
    p.add_argument("--all", action="store_true", help="every KPI, not only the headline ones moved")
    p.set_defaults(handler=_compare)
