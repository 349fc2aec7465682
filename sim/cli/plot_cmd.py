"""``corridor-sim plot RUN_DIR --kind ...`` and ``corridor-sim report RUN_DIR``: figures of runs."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, get_args

from sim.errors import SimError

__all__ = ["KINDS", "MANY_RUNS", "PlotKind", "add_parser", "figure"]

#: The figures ``corridor-sim plot --kind`` draws.
PlotKind = Literal[
    "throughput",
    "transit",
    "queues",
    "map",
    "marey",
    "utilisation",
    "cumulative",
    "chains",
    "d2d-parts",
]
KINDS: tuple[PlotKind, ...] = get_args(PlotKind)
_MAREY_SERVICES = ("rail_tuanjiecun_qz", "rail_cq_hanoi", "rail_cq_qinzhou")


def _busiest_post(res: Any) -> str:
    visits = res.tables["facility_visits"]
    posts = [f for f, spec in res.scenario.facilities.items() if spec.kind == "border_post"]
    counts = {p: int((visits["node"] == p).sum()) for p in posts}
    return max(counts, key=counts.__getitem__) if counts else ""


#: Figures that draw every replication (a band, or pooled values); the others draw the first.
MANY_RUNS = ("throughput", "transit", "queues", "cumulative", "d2d-parts")


#: Figures whose x axis is days from the horizon's start (``--from``/``--to`` narrow it).
TIME_AXIS = ("throughput", "queues", "marey", "utilisation", "cumulative")


def figure(
    runs: Any,
    kind: PlotKind,
    post: str | None = None,
    market: str | None = None,
    services: list[str] | None = None,
    window: tuple[Any, Any] | None = None,
) -> Any:
    """The Axes of one figure kind (see :data:`KINDS`) for a run or a list of replications.

    The kinds in :data:`MANY_RUNS` draw every replication; the others draw the first, and say
    so in their title when there are several. ``services`` are the trains of ``marey``;
    ``window`` (first day, last day: dates) narrows the time axis of :data:`TIME_AXIS` kinds.
    """
    many = list(runs) if isinstance(runs, list | tuple) else [runs]
    days = _days(many[0].scenario, window) if window else None
    if days is not None and kind not in TIME_AXIS:
        raise SimError(f"--from/--to: only for --kind {', '.join(TIME_AXIS)}, not {kind}")
    ax = _figure(many, kind, post, market, services, days)
    if days is not None:
        ax.set_xlim(*days)
    return ax


def _days(scenario: Any, window: tuple[Any, Any]) -> tuple[float, float]:
    """Days from the horizon's start of a (first, last) pair of dates, checked."""
    h = scenario.horizon
    first = window[0] or h.start
    last = window[1] or h.end
    lo, hi = (h.hours(first) / 24.0, h.hours(last) / 24.0)
    if not 0 <= lo < hi <= h.length_h / 24.0:
        raise SimError(
            f"--from/--to: must be a span inside the run's {h.start} to {h.end}, "
            f"got {first} to {last}"
        )
    return lo, hi


def _figure(
    many: list[Any],
    kind: PlotKind,
    post: str | None,
    market: str | None,
    services: list[str] | None,
    days: tuple[float, float] | None,
) -> Any:
    from sim import plot

    if kind == "queues":
        post = post or _busiest_post(many[0])
        if post not in many[0].scenario.facilities:
            raise SimError(f"--post: unknown border post {post!r}")
        return plot.border_queue(many, post)
    if kind == "transit":
        return plot.transit_times(many, published=_published())
    if kind in MANY_RUNS:
        drawers: dict[str, Callable[[list[Any]], Any]] = {
            "throughput": plot.throughput,
            "cumulative": plot.cumulative_departures,
            "d2d-parts": plot.d2d_parts,
        }
        return drawers[kind](many)
    res = many[0]  # the kinds below draw one run
    if kind == "map":
        ax = plot.teu_map(res)
    elif kind == "marey":
        unknown = [s for s in services or [] if s not in res.scenario.services]
        if unknown:
            raise SimError(f"--services: unknown service {', '.join(map(repr, unknown))}")
        services = services or [s for s in _MAREY_SERVICES if s in res.scenario.services]
        if not services:
            raise SimError(
                "marey: the scenario has none of the services " + ", ".join(_MAREY_SERVICES)
            )
        start, span = (days[0], days[1] - days[0]) if days is not None else (0.0, 30.0)
        ax = plot.marey(res, services, start_day=start, days=span)
    elif kind == "utilisation":
        ax = plot.utilisation(res)
    elif kind == "chains":
        ax = plot.chain_teu(res, market=market)
    else:
        raise SimError(f"--kind: must be one of {', '.join(KINDS)}, got {kind!r}")
    if len(many) > 1:
        ax.set_title(f"{ax.get_title()}\n(replication 1 of {len(many)})", fontsize=9)
    return ax


#: Published times marked on ``transit``, when the command runs from the repository's root.
PUBLISHED = Path("seeds/published_transit.toml")


def _published() -> list[Any]:
    from sim.results.published import published_transit

    return published_transit(PUBLISHED) if PUBLISHED.is_file() else []


def _plot(args: argparse.Namespace) -> int:
    from sim.cli.figures import save_figure
    from sim.results.load import load_runs

    runs = load_runs(args.run_dir)
    out = args.out or str(Path(args.run_dir) / f"{args.kind}.png")
    window = (args.from_date, args.to_date) if args.from_date or args.to_date else None
    services = args.services.split(",") if args.services else None
    save_figure(figure(runs, args.kind, args.post, args.market, services, window), out)
    print(f"wrote {out}")
    return 0


def _report(args: argparse.Namespace) -> int:
    from sim.cli.report_page import report_html
    from sim.fileio import write_text_atomic
    from sim.results.load import load_runs

    folder = Path(args.run_dir)
    runs = load_runs(folder)
    out = args.out or str(folder / "report.html")
    write_text_atomic(out, report_html(folder, runs))
    print(f"wrote {out}")
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
