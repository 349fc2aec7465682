"""``corridor-sim plot RUN_DIR --kind ...`` and ``corridor-sim report RUN_DIR``: figures of runs."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from sim.options import KINDS

__all__ = ["add_parser"]


def _plot(args: argparse.Namespace) -> int:
    from sim.answers.report_page import tables_note
    from sim.cli.figures import save_figure
    from sim.plot.by_kind import figure
    from sim.results.load import load_kpis, load_runs

    runs = load_runs(args.run_dir)
    of = len(load_kpis(args.run_dir))  # every replication, with its tables or not
    note = tables_note(len(runs), of)
    out = args.out or str(Path(args.run_dir) / f"{args.kind}.png")
    window = (args.from_date, args.to_date) if args.from_date or args.to_date else None
    services = args.services.split(",") if args.services else None
    ax = figure(runs, args.kind, args.post, args.market, services, window, replications=of)
    save_figure(ax, out)
    print(f"wrote {out}" + (f" ({note})" if note else ""))
    return 0


def _report(args: argparse.Namespace) -> int:
    from sim.answers.report_page import report_html, tables_note
    from sim.fileio import write_text_atomic
    from sim.results.load import load_kpis, load_runs

    folder = Path(args.run_dir)
    runs, rows = load_runs(folder), load_kpis(folder)
    out = args.out or str(folder / "report.html")
    write_text_atomic(out, report_html(folder, runs, rows))
    note = tables_note(len(runs), len(rows))
    print(f"wrote {out}" + (f" ({note})" if note else ""))
    return 0


def _date(text: str) -> Any:
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a date YYYY-MM-DD, got {text!r}") from None


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``plot`` and ``report`` to the top-level parser."""
    p = commands.add_parser("plot", help="draw a figure of a run folder (corridor-sim run --out)")
    p.add_argument("run_dir", metavar="RUN_DIR", help="run folder")
    p.add_argument("--kind", choices=KINDS, default="throughput", help="which figure")
    p.add_argument("--post", help="border post for --kind queues (default: the busiest)")
    p.add_argument("--market", help="route-choice market for --kind chains (default: every flow)")
    p.add_argument("--services", metavar="ID,ID", help="the trains of --kind marey, by service id")
    p.add_argument("--from", dest="from_date", type=_date, metavar="YYYY-MM-DD", help="first day")
    p.add_argument("--to", dest="to_date", type=_date, metavar="YYYY-MM-DD", help="last day")
    p.add_argument("--out", metavar="FILE", help="figure file, .png or .svg (default: in RUN_DIR)")
    p.set_defaults(handler=_plot)
    r = commands.add_parser("report", help="one self-contained HTML report of a run folder")
    r.add_argument("run_dir", metavar="RUN_DIR", help="run folder")
    r.add_argument("--out", metavar="FILE.html", help="report file (default: RUN_DIR/report.html)")
    r.set_defaults(handler=_report)
