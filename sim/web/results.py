"""What the results page shows of a finished run folder: the answer, tables, figures, downloads.

The answer is ``corridor-sim run``'s (:func:`sim.answers.run_answer.run_answer`) on the folder's
``kpis.json``; the route and border-post tables are read from the same KPIs (``teu.route.*``,
``border_*``; :mod:`sim.results.routes` names the routes); the figures' data come from the first
replication's tables.
"""

from __future__ import annotations

import io
import math
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sim.fileio import nan_for_null, read_json

__all__ = [
    "cached",
    "figures",
    "headline",
    "kpi_csv",
    "post_rows",
    "prepare",
    "route_rows",
    "zip_folder",
]

Stats = Mapping[str, Mapping[str, float]]


def load_stats(folder: Path) -> dict[str, dict[str, float]]:
    """Per KPI its mean and 95% CI, from the run folder's ``kpis.json``."""
    raw = read_json(folder / "kpis.json", "run it again")
    return {k: nan_for_null(v) for k, v in raw.items()}


def headline(scenario: Any, stats: Stats, n: int, seed: int) -> list[str]:
    """The lines of ``corridor-sim run``'s answer, without its hint at command-line options."""
    from sim.answers.run_answer import run_answer

    heading = f"{scenario.name}: {n} replications (seed {seed}); mean [95% CI]"
    return [line for line in run_answer(scenario, stats, heading).splitlines() if line]


def _mean_ci(s: Mapping[str, float] | None, scale: float = 1.0, digits: int = 0) -> str:
    if s is None or math.isnan(s["mean"]):
        return "n/a"
    text = f"{s['mean'] / scale:,.{digits}f}"
    if math.isfinite(s.get("ci_low", math.nan)) and math.isfinite(s.get("ci_high", math.nan)):
        text += f" [{s['ci_low'] / scale:,.{digits}f}, {s['ci_high'] / scale:,.{digits}f}]"
    return text


def route_rows(scenario: Any, stats: Stats) -> list[list[str]]:
    """Per route: its name, TEU and door to door in days (mean [95% CI])."""
    from sim.results.routes import routes

    names = {r.key: r.name for r in routes(scenario).values()}
    keys = sorted(
        (k.removeprefix("teu.route.") for k in stats if k.startswith("teu.route.")),
        key=lambda k: -stats[f"teu.route.{k}"]["mean"],
    )
    return [
        [
            names.get(k, k),
            _mean_ci(stats[f"teu.route.{k}"]),
            _mean_ci(stats.get(f"route_door_to_door_h.{k}.mean"), 24, 1),
        ]
        for k in keys
    ]


def post_rows(scenario: Any, stats: Stats) -> list[list[str]]:
    """Per border post crossed: crossings, TEU, waits (mean, p90, h), queues (all, corridor's)."""
    from sim.results.routes import place_name

    posts = sorted(k.split(".")[1] for k in stats if k.startswith("border_crossings."))
    return [
        [
            place_name(scenario.network, p),
            _mean_ci(stats[f"border_crossings.{p}"]),
            _mean_ci(stats.get(f"teu.post.{p}")),
            _mean_ci(stats.get(f"border_wait_h.{p}.mean"), digits=1),
            _mean_ci(stats.get(f"border_wait_h.{p}.p90"), digits=1),
            _mean_ci(stats.get(f"queue_vehicles.{p}.mean"), digits=1),
            _mean_ci(stats.get(f"queue_vehicles.{p}.max")),
            _mean_ci(stats.get(f"border_queue_vehicles.{p}.max")),
        ]
        for p in posts
    ]


def figures(scenario: Any, tables: Any) -> dict[str, Any]:
    """Data of the interactive figures (plotly traces): border-post queues and weekly TEU."""
    import datetime

    from sim.results.disruption_kpis import waiting_steps
    from sim.results.routes import place_name
    from sim.results.weekly import weekly_departures

    start = datetime.datetime.combine(scenario.horizon.start, datetime.time())
    queue = []
    for post, fac in scenario.facilities.items():
        if fac.kind != "border_post":
            continue
        hours, every, own = waiting_steps(tables, post, fac.background_batch)
        if not len(hours) or every.max() == 0:
            continue
        x = [(start + datetime.timedelta(hours=float(h))).isoformat() for h in hours]
        name = place_name(scenario.network, post)
        for label, y, axis in ((name, every, "y"), (f"{name}: the corridor's", own, "y2")):
            queue.append(
                {
                    "name": label,
                    "x": x,
                    "y": y.tolist(),
                    "yaxis": axis,
                    "type": "scatter",
                    "mode": "lines",
                    "line": {"shape": "hv", "width": 1.5, "dash": "dot" if axis == "y2" else None},
                }
            )
    weekly = weekly_departures(scenario, tables)
    traces = []
    for family in dict.fromkeys(weekly["family"].tolist()):
        mask = weekly["family"] == family
        traces.append(
            {
                "name": str(family),
                "x": [str(d) for d in weekly["week_start"][mask]],
                "y": [round(float(v), 1) for v in weekly["teu"][mask]],
                "type": "scatter",
                "mode": "lines+markers",
            }
        )
    return {"queue": queue, "weekly": traces}


def kpi_csv(stats: Stats, scenario: Any | None = None) -> str:
    """Every KPI's mean and 95% CI as CSV (``kpi,mean,ci_low,ci_high,n,label``).

    ``kpi`` is the KPI's stable name (as in ``kpis.json`` and ``corridor-sim run --kpi``);
    ``label`` says it in words with the ``scenario``'s place names, a closure by its place and
    dates rather than the id the builder gave it (:func:`sim.web.places.kpi_text`; the name
    itself without a scenario). Numbers are written as ``repr(float)``: always with a decimal
    point (or ``nan``), full precision, so they read back as the same floats.
    """
    import csv

    from sim.web.places import kpi_text

    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    out.writerow(["kpi", "mean", "ci_low", "ci_high", "n", "label"])
    for k in sorted(stats):
        s = stats[k]
        cells = [repr(float(s.get(c, math.nan))) for c in ("mean", "ci_low", "ci_high")]
        label = kpi_text(k, scenario) if scenario is not None else k
        out.writerow([k, *cells, str(int(s.get("n", 0))), label])
    return buffer.getvalue()


def zip_folder(folder: Path) -> bytes:
    """The folder as a zip file (paths relative to the folder's parent), hidden files left out.

    Hidden files are the folder's lock and temporary files, not results.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                zf.write(path, path.relative_to(folder.parent).as_posix())
    return buffer.getvalue()


def cached(folder: Path, name: str) -> bytes:
    """``figures.json`` or ``animation.json`` of a run folder (its first replication), made once.

    Made from the tables when first asked for, then kept in the folder.
    """
    from sim.fileio import write_text_atomic
    from sim.results.load import load_run

    path = folder / name
    if not path.is_file():
        import json

        from sim.web.animation import animation_data

        res = load_run(folder)
        make = figures if name == "figures.json" else animation_data
        write_text_atomic(path, json.dumps(make(res.scenario, res.tables), separators=(",", ":")))
    return path.read_bytes()


def prepare(folder: Path) -> None:
    """Make a finished run folder's figures and animation data now, so its pages come at once."""
    for name in ("figures.json", "animation.json"):
        cached(folder, name)
