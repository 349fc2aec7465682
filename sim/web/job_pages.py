"""The pages of runs: start one, watch it, read its results, download them, animate, compare.

A run's form is checked with the command line's own rules (``--replications``, ``--seed``,
``--jobs``, ``--address``: :mod:`sim.web.run_form`); a job starts only when every field passes.

Nothing here blocks the server's event loop: a handler that reads files, loads scenarios or waits
on a lock is a plain function (Starlette runs it in its thread pool), and one that reads a posted
form awaits it and then does the rest in the thread pool (:func:`in_threads`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from sim.errors import SimError
from sim.results.tables import fast_format
from sim.web.downloads import download, table_download, unfinished
from sim.web.jobs import Job
from sim.web.run_form import WHERE, check_where, field_message

__all__ = [
    "ACTIONS",
    "NotFoundError",
    "form_of",
    "in_threads",
    "job_of",
    "job_stats",
    "routes",
    "workbench",
]

#: What a POST to ``/jobs/<id>/<action>`` may ask.
ACTIONS = ("cancel", "resume")


class NotFoundError(SimError):
    """A job or scenario the request names is not there (the app answers 404, not 400)."""


def workbench(request: Request) -> Any:
    """The app's workbench: its workspace, library and job queue."""
    return request.app.state.wb


async def form_of(request: Request) -> dict[str, str]:
    """The fields of a posted form as text (none for a GET)."""
    if request.method != "POST":
        return {}
    return {k: str(v) for k, v in (await request.form()).items()}


def in_threads(handler: Callable[[Request, dict[str, str]], Response]) -> Any:
    """An endpoint that awaits the posted form, then runs ``handler(request, form)`` in a thread.

    The handler loads scenarios and reads files, which must not hold up the event loop.
    """

    async def endpoint(request: Request) -> Response:
        form = await form_of(request)
        return await run_in_threadpool(handler, request, form)

    endpoint.__doc__, endpoint.__name__ = handler.__doc__, handler.__name__
    return endpoint


def _page(request: Request, name: str, **context: Any) -> Response:
    from sim.web.app import page

    return page(request, name, **context)


def job_stats(wb: Any, job: Job) -> dict[str, dict[str, float]]:
    """The KPIs (mean, 95% CI) of a finished job's scenario (a comparison's: the alternative)."""
    from sim.web.results import load_stats

    folder = job.folders(wb.jobs.root)[-1]
    return load_stats(folder) if (folder / "kpis.json").is_file() else {}


def _submit(wb: Any, kind: str, entries: list[Any], where: dict[str, Any]) -> Response:
    """Queue a job on the library ``entries`` (the first one's seed unless one was given).

    Replications not given: the last entry's own ``replications`` (the alternative's).
    """
    seed = entries[0].scenario.seed if where["seed"] is None else where["seed"]
    n = where["replications"] or entries[-1].scenario.replications
    job = wb.jobs.submit(
        kind,
        [str(e.path) for e in entries],
        n,
        seed,
        executor=where["executor"],
        jobs=where["jobs"],
        address=where["address"],
        note=where["note"],
    )
    return RedirectResponse(f"/jobs/{job.id}", 303)


def run_page(request: Request, form: dict[str, str]) -> Response:
    """Start replications of a scenario: GET shows the form, POST queues the job."""
    wb = workbench(request)
    key = form.get("scenario") or request.query_params.get("scenario", "")
    entry = wb.library.get(key)
    errors: dict[str, str] = {}
    if entry is None or entry.scenario is None:
        errors["scenario"] = field_message("scenario", f"no scenario {key!r} that loads here")
    if request.method == "POST":
        where = check_where(form, errors)
        if not errors:
            return _submit(wb, "run", [entry], where)
    if entry is not None and entry.scenario is not None:
        form.setdefault("replications", str(entry.scenario.replications))
    form.setdefault("executor", wb.executor)
    form.setdefault("address", wb.address or "")
    return _page(
        request,
        "run.html",
        entry=entry,
        entries=wb.library.entries(),
        form=form,
        errors=errors,
        saved=request.query_params.get("saved"),
        where=WHERE,
    )


def jobs_page(request: Request) -> Response:
    """Every job with its state and progress (a comparison's in pairs)."""
    wb = workbench(request)
    jobs = [(j, j.finished_replications(wb.jobs.root)) for j in wb.jobs.all()]
    return _page(request, "jobs.html", jobs=jobs, unreadable=sorted(wb.jobs.unreadable.values()))


def job_of(request: Request) -> Job:
    """The job the request's path names; a SimError if there is none."""
    job: Job | None = workbench(request).jobs.get(request.path_params["job"])
    if job is None:
        raise NotFoundError(f"no job {request.path_params['job']!r}")
    return job


def job_status(request: Request) -> Response:
    """A job's state and progress, as JSON (the page polls it); an unknown job is a JSON 404."""
    wb = workbench(request)
    try:
        job = job_of(request)
    except NotFoundError as exc:
        return JSONResponse({"error": str(exc)}, status_code=404)
    return JSONResponse(
        {
            "state": job.state,
            "done": job.finished_runs(wb.jobs.root),
            "total": job.total_runs,
            "error": job.error,
            "cancelling": job.state == "running" and wb.jobs.cancelling(job.id),
        }
    )


def job_action(request: Request) -> Response:
    """Cancel or resume a job (any other action: 404)."""
    wb, job = workbench(request), job_of(request)
    action = request.path_params["action"]
    if action not in ACTIONS:
        raise NotFoundError(f"no action {action!r} of a job (only {' or '.join(ACTIONS)})")
    if action == "cancel":
        wb.jobs.cancel(job.id)
    else:
        wb.jobs.resume(job.id)
    return RedirectResponse(f"/jobs/{job.id}", 303)


def job_page(request: Request) -> Response:
    """A job: progress while it runs; its results once done."""
    from sim import load_scenario
    from sim.web import results

    wb, job = workbench(request), job_of(request)
    context: dict[str, Any] = {"job": job, "done": job.finished_runs(wb.jobs.root)}
    context["cancelling"] = job.state == "running" and wb.jobs.cancelling(job.id)
    if job.state == "done" and job.kind == "run":
        folder = job.folders(wb.jobs.root)[0]
        scenario = load_scenario(job.sources[0])
        stats = job_stats(wb, job)
        context |= {
            "headline": results.headline(scenario, stats, job.n, job.seed),
            "routes": results.route_rows(scenario, stats),
            "posts": results.post_rows(scenario, stats),
            "figures": results.cached(folder, "figures.json").decode(),
            "tables": [
                "consignments",
                "departures",
                "facility_visits",
                "queue_lengths",
                "disruptions",
                "unserved",
            ],
            "parquet": fast_format() == "parquet",
            "scenario": scenario,
        }
    elif job.state == "done":
        context |= _comparison_context(wb, job)
    return _page(request, "job.html", **context)


def animation_page(request: Request) -> Response:
    """The corridor moving: one replication on the map."""
    return _page(request, "animation.html", job=job_of(request))


def animation_json(request: Request) -> Response:
    """The animation's data (kept in the run folder once made)."""
    from sim.web.results import cached

    wb, job = workbench(request), job_of(request)
    if job.state != "done":
        return unfinished(job)
    data = cached(job.folders(wb.jobs.root)[-1], "animation.json")
    return Response(data, media_type="application/json")


def compare_page(request: Request, form: dict[str, str]) -> Response:
    """Pick two scenarios (or a scenario and its parent) and queue their paired replications."""
    wb = workbench(request)
    errors: dict[str, str] = {}
    alt = wb.library.get(form.get("alt") or request.query_params.get("alt", ""))
    base_key = form.get("base") or request.query_params.get("base", "")
    if request.method == "POST":
        if alt is None or alt.scenario is None:
            missing = f"no scenario {form.get('alt', '')!r} that loads here"
            errors["alt"] = field_message("alt", missing)
        base = wb.library.get(base_key or (alt.parent if alt else "") or "")
        if base_key and base is None:
            errors["base"] = field_message("base", f"no scenario {base_key!r} in the library")
        elif base is None or base.scenario is None:
            errors["base"] = field_message(
                "base",
                f"no scenario {base.key!r} that loads here"
                if base is not None
                else "pick a scenario (the alternative has no parent)",
            )
        where = check_where(form, errors)
        if not errors:
            return _submit(wb, "compare", [base, alt], where)
    entries = wb.library.entries()
    shown = alt or next((e for e in entries if e.scenario is not None), None)
    if shown is not None and shown.scenario is not None:
        form.setdefault("replications", str(shown.scenario.replications))
    form.setdefault("executor", wb.executor)
    form.setdefault("address", wb.address or "")
    form.setdefault("alt", alt.key if alt else "")
    form.setdefault("base", base_key)
    return _page(
        request,
        "compare.html",
        entries=entries,
        form=form,
        errors=errors,
        where=WHERE,
    )


def _comparison_context(wb: Any, job: Job) -> dict[str, Any]:
    """A finished comparison: the answer, the forest plot's rows, the freight diverted.

    The map shows the TEU diverted within the alternative (route choice moved it off its planned
    chain), per link: not the alternative's link flows minus the base's.
    """
    from sim.web.compare_view import comparison_view

    return comparison_view(wb.jobs.root / job.id, job)


routes = [
    Route("/run", in_threads(run_page), methods=["GET", "POST"]),
    Route("/jobs", jobs_page),
    Route("/jobs/{job}", job_page),
    Route("/jobs/{job}/status", job_status),
    Route("/jobs/{job}/{action:str}", job_action, methods=["POST"]),
    Route("/jobs/{job}/download/{what}", download),
    Route("/jobs/{job}/tables/{name}.{fmt}", table_download),
    Route("/jobs/{job}/animation", animation_page),
    Route("/jobs/{job}/animation.json", animation_json),
    Route("/compare", in_threads(compare_page), methods=["GET", "POST"]),
]
