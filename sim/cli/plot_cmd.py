"""``corridor-sim plot RUN_DIR --kind ...`` and ``corridor-sim report RUN_DIR``: figures of runs."""

from __future__ import annotations

import argparse
import base64
import html
import io
from pathlib import Path
from typing import Any

from sim.errors import SimError
from sim.fileio import read_json

__all__ = ["KINDS", "add_parser", "figure", "report_html"]

KINDS = (
    "throughput",
    "transit",
    "queues",
    "map",
    "marey",
    "utilisation",
    "cumulative",
    "chains",
    "d2d-parts",
)
_MAREY_SERVICES = ("rail_tuanjiecun_qz", "rail_cq_hanoi", "rail_cq_qinzhou")


def _busiest_post(res: Any) -> str:
    visits = res.tables["facility_visits"]
    posts = [f for f, spec in res.scenario.facilities.items() if spec.kind == "border_post"]
    counts = {p: int((visits["node"] == p).sum()) for p in posts}
    return max(counts, key=counts.get) if counts else ""


def figure(res: Any, kind: str, post: str | None = None, market: str | None = None) -> Any:
    """The Axes of one figure kind for run ``res`` (see :data:`KINDS`)."""
    from sim import plot

    if kind == "throughput":
        return plot.throughput(res)
    if kind == "transit":
        return plot.transit_times(res)
    if kind == "queues":
        post = post or _busiest_post(res)
        if post not in res.scenario.facilities:
            raise SimError(f"--post: unknown border post {post!r}")
        return plot.border_queue(res, post)
    if kind == "map":
        return plot.teu_map(res)
    if kind == "marey":
        services = [s for s in _MAREY_SERVICES if s in res.scenario.services]
        if not services:
            raise SimError(
                "marey: the scenario has none of the services " + ", ".join(_MAREY_SERVICES)
            )
        return plot.marey(res, services)
    if kind == "utilisation":
        return plot.utilisation(res)
    if kind == "cumulative":
        return plot.cumulative_departures(res)
    if kind == "chains":
        return plot.chain_teu(res, market=market)
    if kind == "d2d-parts":
        return plot.d2d_parts(res)
    raise SimError(f"--kind: must be one of {', '.join(KINDS)}, got {kind!r}")


def _png_base64(ax: Any) -> str:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    ax.figure.savefig(buffer, format="png", dpi=110)
    plt.close(ax.figure)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def report_html(folder: Path, res: Any) -> str:
    """One self-contained HTML page: every figure embedded, the headline KPIs, the manifest."""
    from sim.comparisons import headline_kpis

    kpis = res.kpis()
    rows = "".join(
        f"<tr><td>{html.escape(k)}</td><td>{kpis[k]:,.3f}</td></tr>"
        for k in headline_kpis(kpis)
        if kpis[k]
    )
    figures = "".join(
        f'<figure><img alt="{kind}" src="data:image/png;base64,{_png_base64(figure(res, kind))}">'
        f"<figcaption>{kind}</figcaption></figure>"
        for kind in KINDS
        if kind != "marey" or any(s in res.scenario.services for s in _MAREY_SERVICES)
    )
    validation = ""
    vfile = folder / "validation.json"
    if vfile.is_file():
        data = read_json(vfile, "delete it or write it again with corridor-sim validate --json")
        vrows = "".join(
            f"<tr><td>{html.escape(t['id'])}</td><td>{t['target']:,.2f}</td>"
            f"<td>{t['mean']:,.2f}</td><td>{html.escape(t['status'])}</td></tr>"
            for t in data.get("targets", [])
        )
        validation = (
            "<h2>Validation</h2><table><tr><th>target</th><th>published</th>"
            f"<th>simulated mean</th><th>status</th></tr>{vrows}</table>"
        )
    manifest = html.escape((folder / "manifest.json").read_text(encoding="utf-8"))
    title = html.escape(f"{res.scenario.name}: seed {res.seed}")
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
        "<style>body{font-family:sans-serif;max-width:1100px;margin:auto}img{max-width:100%}"
        "td,th{padding:2px 8px;text-align:left}</style>"
        # Marks how many figures the browser could draw (checked by the test suite).
        "<script>addEventListener('load',()=>document.body.dataset.imagesLoaded="
        "[...document.images].filter(i=>i.complete&&i.naturalWidth>0).length)</script>"
        "</head><body>"
        f"<h1>corridor-sim: {title}</h1><h2>Figures</h2>{figures}"
        f"<h2>Headline KPIs</h2><table>{rows}</table>{validation}"
        f"<h2>Manifest</h2><pre>{manifest}</pre></body></html>"
    )


def _plot(args: argparse.Namespace) -> int:
    from sim.cli.figures import save_figure
    from sim.results.load import load_run

    res = load_run(args.run_dir)
    out = args.out or str(Path(args.run_dir) / f"{args.kind}.png")
    save_figure(figure(res, args.kind, args.post, args.market), out)
    print(f"wrote {out}")
    return 0


def _report(args: argparse.Namespace) -> int:
    from sim.fileio import write_text_atomic
    from sim.results.load import load_run

    folder = Path(args.run_dir)
    res = load_run(folder)
    out = args.out or str(folder / "report.html")
    write_text_atomic(out, report_html(folder, res))
    print(f"wrote {out}")
    return 0


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Add ``plot`` and ``report`` to the top-level parser."""
    p = commands.add_parser("plot", help="draw a figure of a run folder (corridor-sim run --out)")
    p.add_argument("run_dir", metavar="RUN_DIR", help="run folder")
    p.add_argument("--kind", choices=KINDS, default="throughput", help="which figure")
    p.add_argument("--post", help="border post for --kind queues (default: the busiest)")
    p.add_argument("--market", help="route-choice market for --kind chains (default: every flow)")
    p.add_argument("--out", metavar="FILE", help="figure file, .png or .svg (default: in RUN_DIR)")
    p.set_defaults(handler=_plot)
    r = commands.add_parser("report", help="one self-contained HTML report of a run folder")
    r.add_argument("run_dir", metavar="RUN_DIR", help="run folder")
    r.add_argument("--out", metavar="FILE.html", help="report file (default: RUN_DIR/report.html)")
    r.set_defaults(handler=_report)
