"""Downloads of a finished run: the folder as zip, the HTML report, the scenario, tables, KPIs.

The scenario is the job's own copy with its ``extends`` and ``network`` made absolute, so that
``corridor-sim run`` reproduces the run from any folder (:mod:`sim.web.scenario_files`). The
handlers are plain functions: Starlette runs them in its thread pool, off the event loop (a run
folder's zip or report takes a while).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response

from sim.web.jobs import Job
from sim.web.scenario_files import portable_toml

__all__ = ["download", "table_download", "unfinished"]


def unfinished(job: Job) -> Response:
    """409: a download of a job that has not finished (its files are not all there yet)."""
    return Response(
        f"the job has not finished (it is {job.state}): its results are not there yet",
        status_code=409,
    )


def download(request: Request) -> Response:
    """A finished run's files: the folder as zip, the HTML report, the scenario, KPIs as CSV."""
    from sim.web import results
    from sim.web.job_pages import job_of, job_stats, workbench

    wb, job = workbench(request), job_of(request)
    if job.state != "done":
        return unfinished(job)
    what = request.path_params["what"]
    here = wb.jobs.root / job.id
    folder = job.folders(wb.jobs.root)[-1]
    if what == "run.zip":
        return Response(
            results.zip_folder(here),
            media_type="application/zip",
            headers=_attachment(f"{job.id}.zip"),
        )
    if what == "scenario.toml":
        return Response(
            portable_toml(Path(job.sources[-1])),
            media_type="application/toml",
            headers=_attachment(Path(job.scenarios[-1]).name),
        )
    if what == "kpis.csv":
        from sim.scenario import load_scenario

        return Response(
            results.kpi_csv(job_stats(wb, job), load_scenario(job.sources[-1])),
            media_type="text/csv",
            headers=_attachment(f"{job.id}-kpis.csv"),
        )
    if what == "report.html":
        from sim.answers.report_page import report_html
        from sim.results.load import load_runs

        return Response(
            report_html(folder, load_runs(folder)),
            media_type="text/html",
            headers=_attachment(f"{job.id}-report.html"),
        )
    return Response("no such download", status_code=404)


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


def table_download(request: Request) -> Response:
    """A table of the first replication as CSV or Parquet."""
    from sim.results.load import load_run
    from sim.results.tables import write_table
    from sim.web.job_pages import job_of, workbench

    wb, job = workbench(request), job_of(request)
    if job.state != "done":
        return unfinished(job)
    name, fmt = request.path_params["name"], request.path_params["fmt"]
    res = load_run(job.folders(wb.jobs.root)[-1])
    if name not in res.tables or fmt not in ("csv", "parquet"):
        return Response("no such table", status_code=404)
    with tempfile.TemporaryDirectory() as tmp:
        path = write_table(res.tables[name], Path(tmp) / f"{name}.{fmt}")
        data = path.read_bytes()
    return Response(
        data,
        media_type="text/csv" if fmt == "csv" else "application/octet-stream",
        headers=_attachment(f"{job.id}-{name}.{fmt}"),
    )
