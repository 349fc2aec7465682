"""A figure by its kind's name, for a run or replications: what `plot --kind` and reports draw.

The command line, the report page and the workbench name a figure by a word (:data:`KINDS`); this
module turns the word, and the options some kinds take, into the Axes of :mod:`sim.plot`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sim.errors import SimError
from sim.options import KINDS, PlotKind
from sim.shipped import project_root
from sim.textio import did_you_mean

__all__ = ["KINDS", "MANY_RUNS", "MAREY_SERVICES", "TIME_AXIS", "PlotKind", "drawn_from", "figure"]

MAREY_SERVICES = ("rail_tuanjiecun_qz", "rail_cq_hanoi", "rail_cq_qinzhou")


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
    replications: int | None = None,
) -> Any:
    """The Axes of one figure kind (see :data:`KINDS`) for a run or a list of replications.

    The kinds in :data:`MANY_RUNS` draw every replication given; the others draw the first.
    ``replications`` is how many replications ``runs`` are the first of (default: as many as
    given; more in a folder whose later replications kept only their KPIs): a figure drawn from
    fewer says so in its title, "replication 1 of N". ``services`` are the trains of ``marey``;
    ``window`` (first day, last day: dates) narrows the time axis of :data:`TIME_AXIS` kinds.
    """
    many = list(runs) if isinstance(runs, list | tuple) else [runs]
    days = _days(many[0].scenario, window) if window else None
    if days is not None and kind not in TIME_AXIS:
        raise SimError(f"--from/--to: only for --kind {', '.join(TIME_AXIS)}, not {kind}")
    ax = _figure(many, kind, post, market, services, days)
    if days is not None:
        ax.set_xlim(*days)
    note = drawn_from(kind, len(many), max(replications or 0, len(many)))
    if note:
        ax.set_title(f"{ax.get_title()}\n({note})", fontsize=9)
    return ax


def drawn_from(kind: str, drawn: int, of: int) -> str:
    """Which of ``of`` replications a figure of ``kind`` given ``drawn`` of them shows, if not all.

    >>> drawn_from("map", 3, 3), drawn_from("throughput", 3, 3), drawn_from("transit", 1, 30)
    ('replication 1 of 3', '', 'replication 1 of 30; the others kept only their KPIs')
    """
    if kind not in MANY_RUNS:
        return f"replication 1 of {of}" if of > 1 else ""
    if drawn >= of:
        return ""  # the figure says how many it draws
    which = "replication 1" if drawn == 1 else f"replications 1-{drawn}"
    return f"{which} of {of}; the others kept only their KPIs"


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
    from sim.plot.queue_figure import DAILY_UP_TO_DAYS

    if kind == "queues":
        post = post or _busiest_post(many[0])
        facilities = many[0].scenario.facilities
        if post not in facilities:
            raise SimError(
                f"--post: unknown facility {post!r}{did_you_mean(post, facilities)}; "
                f"facilities: {', '.join(sorted(facilities))}"
            )
        shown = (days[1] - days[0]) if days is not None else many[0].scenario.horizon.length_h / 24
        return plot.border_queue(many, post, period_days=1 if shown <= DAILY_UP_TO_DAYS else 7)
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
        services = services or [s for s in MAREY_SERVICES if s in res.scenario.services]
        if not services:
            raise SimError(
                "marey: the scenario has none of the services " + ", ".join(MAREY_SERVICES)
            )
        start, span = (days[0], days[1] - days[0]) if days is not None else (0.0, 30.0)
        ax = plot.marey(res, services, start_day=start, days=span)
    elif kind == "utilisation":
        ax = plot.utilisation(res)
    elif kind == "chains":
        ax = plot.chain_teu(res, market=market)
    else:
        raise SimError(f"--kind: must be one of {', '.join(KINDS)}, got {kind!r}")
    return ax


#: Published times marked on ``transit``: the repository's, found beside the package from any
#: working folder (none marked if the package has no data beside it).
PUBLISHED = ("seeds", "published_transit.toml")


def _published() -> list[Any]:
    from sim.results.published import published_transit

    root = project_root()
    path = root.joinpath(*PUBLISHED) if root is not None else None
    return published_transit(path) if path is not None and path.is_file() else []
