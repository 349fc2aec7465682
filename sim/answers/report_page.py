"""``corridor-sim report``: one self-contained HTML page that reads as a planner's brief.

The answer first (as ``corridor-sim run`` prints it), then every figure with a caption saying what
it shows, the validation table when the folder has one, every KPI grouped by family (folded), and
what made the run (the manifest in brief, the whole JSON folded below). Images are embedded, so
the page opens in any browser without a server.
"""

from __future__ import annotations

import base64
import functools
import html
import io
import json
import math
from pathlib import Path
from typing import Any

from sim.fileio import read_json

__all__ = ["CAPTIONS", "report_html", "tables_note"]

#: What each figure shows, for its caption (``{n}``: the replications drawn).
CAPTIONS = {
    "throughput": "TEU carried each month by service family (log scale), {n}. Compare the level "
    "and the seasonal dips between families.",
    "transit": "Door-to-door days from Chongqing by chain and destination (box: P25–P75, "
    "whiskers P5–P95), {n}; the published trip times beside them in green.",
    "queues": "Vehicles of the corridor waiting at the busiest border post, each day's most at "
    "once and mean, {n}; closures shaded.",
    "map": "The corridor's links, drawn as wide as the TEU they carried.",
    "marey": "Trains in time and space: each line is a train from its origin to its end.",
    "utilisation": "Weekly busy share of the busiest lanes, tracks and berths (other traffic "
    "included).",
    "cumulative": "Departures so far through the year per family, against the published "
    "year-end counts, {n}.",
    "chains": "TEU created each week by the chain taken, with the part diverted by closures.",
    "d2d-parts": "Mean door to door from Chongqing per chain, stacked by part of the trip, {n}.",
}

_STYLE = (
    "body{font-family:sans-serif;max-width:1100px;margin:auto;padding:0 1em;line-height:1.4}"
    "img{max-width:100%}figure{margin:1.5em 0}figcaption{color:#333;font-size:0.95em}"
    "td,th{padding:2px 8px;text-align:left;vertical-align:top}td.n{text-align:right}"
    "pre{white-space:pre-wrap}summary{cursor:pointer;font-weight:bold;margin:0.5em 0}"
    ".answer{background:#f4f6f8;padding:0.5em 1em;border-left:4px solid #0072B2}"
)


def _png(ax: Any) -> str:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    ax.figure.savefig(buffer, format="png", dpi=110)
    plt.close(ax.figure)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _stats(rows: list[dict[str, float]]) -> dict[str, dict[str, float]]:
    """Each KPI's mean (and 95% CI over the replications when there are several)."""
    from sim.experiments.replications import summarise
    from sim.results.kpis import missing_value

    names = sorted({k for row in rows for k in row})
    if len(rows) == 1:
        return {k: {"mean": v} for k, v in rows[0].items()}
    return {k: summarise([row.get(k, missing_value(k)) for row in rows]) for k in names}


def _note(text: str) -> str:
    return f"<p><em>{html.escape(text[0].upper() + text[1:])}.</em></p>" if text else ""


def _number(x: float) -> str:
    if math.isnan(x):
        return "n/a"
    return f"{x:,.0f}" if abs(x) >= 100 or float(x).is_integer() else f"{x:,.2f}"


def _kpi_tables(stats: dict[str, dict[str, float]]) -> str:
    """Every KPI, one folded table per family (the first part of its name)."""
    families: dict[str, list[str]] = {}
    for name in stats:
        families.setdefault(name.split(".")[0], []).append(name)
    blocks = []
    for family, names in sorted(families.items()):
        rows = "".join(
            f"<tr><td>{html.escape(k)}</td><td class='n'>{_number(stats[k]['mean'])}</td>"
            + (
                f"<td class='n'>[{_number(stats[k]['ci_low'])}, "
                f"{_number(stats[k]['ci_high'])}]</td>"
                if "ci_low" in stats[k]
                else ""
            )
            + "</tr>"
            for k in names
        )
        blocks.append(
            f"<details><summary>{html.escape(family)} ({len(names)})</summary>"
            f"<table>{rows}</table></details>"
        )
    return "".join(blocks)


def _target(target: dict[str, Any], key: str) -> str:
    """A validation figure: growth as a signed percentage, counts as numbers."""
    value = target.get(key)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{100 * value:+.0f}%" if target.get("growth") else _number(value)


def _validation(folder: Path) -> str:
    vfile = folder / "validation.json"
    if not vfile.is_file():
        return ""
    data = read_json(vfile, "delete it or write it again with corridor-sim validate --json")
    rows = "".join(
        f"<tr><td>{html.escape(str(t['id']))}</td>"
        f"<td class='n'>{_target(t, 'band_low')} to {_target(t, 'band_high')}</td>"
        f"<td class='n'>{_target(t, 'mean')} [{_target(t, 'ci_low')}, {_target(t, 'ci_high')}]"
        f"</td><td>{html.escape(str(t['status']))}</td></tr>"
        for t in data.get("targets", [])
        if t.get("mean") is not None
    )
    return (
        "<h2>Against the published figures</h2><table><tr><th>target</th><th>band</th>"
        f"<th>simulated mean [95% CI]</th><th>status</th></tr>{rows}</table>"
    )


#: How a figure of several replications draws them.
_DRAWN = {"transit": "pooled over {n} replications", "d2d-parts": "mean of {n} replications"}


def _caption(kind: str, n: int, many: bool, of: int) -> str:
    """What figure ``kind`` shows, and which of the ``n`` replications with tables (of ``of``)."""
    if many:
        drawn = _DRAWN.get(kind, "mean of {n} replications, the band over them")
        text = CAPTIONS[kind].format(n=drawn.format(n=n) if n > 1 else "one run")
        return text + (f" ({n} of {of} replications kept their tables.)" if n < of else "")
    return CAPTIONS[kind] + (f" Replication 1 of {of}." if of > 1 else "")


def tables_note(n: int, of: int) -> str:
    """What the figures of a folder whose first ``n`` of ``of`` replications kept tables miss."""
    if n >= of:
        return ""
    return (
        f"figures are drawn from {n} of the {of} replications, the others kept only their KPIs "
        "(--keep tables keeps every replication's tables)"
    )


def report_html(folder: Path, runs: list[Any], rows: list[dict[str, float]] | None = None) -> str:
    """The report page of the run (or replications) read from ``folder``.

    ``runs`` are the runs that kept their tables (for the figures); the answer and the KPIs
    summarise every replication's KPIs, ``rows`` (read from the folder when not given).
    """
    from sim.answers.run_answer import run_answer
    from sim.plot.by_kind import KINDS, MANY_RUNS, MAREY_SERVICES, figure
    from sim.results.load import load_kpis

    rows = load_kpis(folder) if rows is None else rows
    res, n, drawn = runs[0], len(rows), len(runs)
    sc = res.scenario
    stats = _stats(rows)
    heading = f"{n} replications, 95% CI in brackets" if n > 1 else f"one run, seed {res.seed}"
    answer = run_answer(sc, stats, heading).splitlines()
    drawing = functools.partial(figure, runs, replications=n)  # "replication 1 of n" on them
    figures = "".join(
        f'<figure><img alt="{kind}" src="data:image/png;base64,{_png(drawing(kind))}">'
        f"<figcaption>{html.escape(_caption(kind, drawn, kind in MANY_RUNS, n))}</figcaption>"
        "</figure>"
        for kind in KINDS
        if kind != "marey" or any(s in sc.services for s in MAREY_SERVICES)
    )
    manifest = read_json(folder / "manifest.json", "run it again")
    identity = manifest.get("experiment", manifest)
    versions = manifest.get("versions", {})
    brief = [
        f"scenario {sc.name} ({', '.join(f['path'] for f in identity.get('files', []))})",
        f"overrides {json.dumps(identity.get('overrides') or {})}",
        f"seed {identity.get('seed')}, {n} replication{'s' if n > 1 else ''}",
        "corridor-sim " + str(versions.get("corridor-sim") or identity.get("corridor_sim")),
        f"git {manifest.get('git_revision') or 'unknown'}, written {manifest.get('created_utc')}",
    ]
    title = html.escape(f"corridor-sim: {sc.name}")
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
        f"<style>{_STYLE}</style>"
        # Marks how many figures the browser could draw (checked by the test suite).
        "<script>addEventListener('load',()=>document.body.dataset.imagesLoaded="
        "[...document.images].filter(i=>i.complete&&i.naturalWidth>0).length)</script>"
        "</head><body>"
        f"<h1>{title}</h1>"
        + (f"<p><em>{html.escape(sc.description)}</em></p>" if sc.description else "")
        + f"<div class='answer'><h2>The answer</h2><p>{html.escape(answer[0])}</p><ul>"
        + "".join(
            f"<li>{html.escape(line)}</li>"
            for line in answer[1:]
            if line and not line.startswith("Question:")
        )
        + "</ul></div>"
        f"<h2>Figures</h2>{_note(tables_note(drawn, n))}{figures}{_validation(folder)}"
        f"<h2>Every KPI</h2>{_kpi_tables(stats)}"
        "<h2>What made this run</h2><ul>"
        + "".join(f"<li>{html.escape(b)}</li>" for b in brief)
        + "</ul><details><summary>manifest.json</summary><pre>"
        + html.escape(json.dumps(manifest, indent=2, ensure_ascii=False))
        + "</pre></details></body></html>"
    )
