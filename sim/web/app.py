"""The workbench's ASGI application: the library and builder pages, and the app itself.

:func:`create_app` makes a Starlette application over a workspace folder: ``scenarios/`` (what
the builder wrote) and ``runs/`` (one folder per job). The run, results, animation and compare
pages are in :mod:`sim.web.job_pages`. Every script and style is served from the package (and
plotly.js from the ``plotly`` package), so the app works with no internet access.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from sim.errors import SimError
from sim.shipped import project_root
from sim.web import guard, job_pages
from sim.web.builder import DISRUPTION_ROWS, build_scenario
from sim.web.changes import change_lines
from sim.web.form_words import CHAINS, builder_fields, message
from sim.web.jobs import Job, JobQueue
from sim.web.library import Library
from sim.web.places import service_label, target_groups
from sim.web.run_form import WHERE

__all__ = ["Workbench", "create_app", "script_json"]

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))


def script_json(value: Any) -> Markup:
    r"""``value`` as JSON (a ``str`` is JSON text already) safe inside a ``<script>`` element.

    ``<``, ``>`` and ``&`` become ``\u003c``, ``\u003e``, ``\u0026`` (they can only be in
    strings, where JSON reads the escapes back): a name holding ``</script>`` cannot end it.

    >>> str(script_json({"name": "</script>&"}))
    '{"name": "\\u003c/script\\u003e\\u0026"}'
    """
    text = value if isinstance(value, str) else json.dumps(value)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


templates.env.filters["script_json"] = script_json
templates.env.globals["WHERE"] = WHERE  # where a job ran, in words


@dataclass
class Workbench:
    """What the pages share: the workspace, the scenario library, the job queue and defaults."""

    workspace: Path
    library: Library
    jobs: JobQueue
    executor: str = "process"
    address: str | None = None


def page(request: Request, name: str, **context: Any) -> Response:
    """Render template ``name`` with the workbench and ``context``."""
    context.setdefault("status_code", 200)
    status = context.pop("status_code")
    return templates.TemplateResponse(
        request, name, {"wb": request.app.state.wb, **context}, status_code=status
    )


def library_page(request: Request) -> Response:
    """Every scenario: its question, what it changes from its parent and its last results.

    A plain function (run in Starlette's thread pool): the library waits on its lock while a
    scenario loads, and the jobs' files are read; the event loop goes on serving other requests.
    """
    wb: Workbench = request.app.state.wb
    done = [j for j in wb.jobs.all() if j.state == "done" and j.kind == "run"]
    last: dict[str, Job] = {}
    for finished in reversed(done):  # oldest first: the newest wins
        last[Path(finished.scenarios[0]).stem] = finished
    rows = []
    for entry in wb.library.entries():
        job = last.get(entry.key)
        stats = job_pages.job_stats(wb, job) if job else {}
        diff = wb.library.diff(entry)
        changes = change_lines(entry.scenario, diff) if diff else []
        rows.append((entry, changes, job, stats))
    return page(request, "library.html", rows=rows)


def builder_page(request: Request, form: dict[str, str]) -> Response:
    """The what-if builder: GET shows the form, POST saves the scenario or shows its problems."""
    wb: Workbench = request.app.state.wb
    entries = [e for e in wb.library.entries() if e.scenario is not None]
    errors: dict[str, list[str]] = {}
    text = ""
    if request.method == "POST":
        parent = wb.library.get(form.get("parent", ""))
        if parent is None or parent.scenario is None:
            missing = f"no scenario {form.get('parent', '')!r} that loads in the library"
            errors[""] = [message("parent", missing)]
        else:
            built = build_scenario(
                form,
                wb.workspace / "scenarios",
                parent.path,
                wb.library.names(),
                parent.scenario,
            )
            if built.ok and built.path is not None:
                return RedirectResponse(f"/run?scenario={built.path.stem}&saved=1", 303)
            errors, text = built.errors, built.text
    key = form.get("parent") or request.query_params.get("parent") or "baseline_2019_choice"
    parent = wb.library.get(key) or (entries[0] if entries else None)
    if parent is None or parent.scenario is None:
        return page(request, "message.html", title="No scenario", message="No scenario loads.")
    form.setdefault("parent", parent.key)
    sc = parent.scenario
    return page(
        request,
        "builder.html",
        entries=entries,
        parent=parent,
        form=form,
        errors=errors,
        text=text,
        targets=target_groups(sc.network),
        services=sorted((service_label(sc, s), s) for s in sc.services),
        chains=CHAINS,
        rows=range(1, DISRUPTION_ROWS + 1),
        fields=builder_fields(sc, DISRUPTION_ROWS),
    )


async def plotly_js(request: Request) -> Response:
    """plotly.js as the ``plotly`` Python package ships it (no CDN)."""
    import plotly

    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    return FileResponse(
        path, media_type="text/javascript", headers={"Cache-Control": "max-age=86400"}
    )


def create_app(
    workspace: str | Path,
    scenarios: str | Path | None = None,
    executor: str = "process",
    address: str | None = None,
    start_jobs: bool = True,
    host: str | None = None,
) -> Starlette:
    """The workbench over ``workspace`` (made if missing), with the library of ``scenarios``.

    ``scenarios`` defaults to the repository's ``scenarios/`` beside the package, whatever the
    working folder (none if the package has no data beside it: only the workspace's own).

    ``executor`` and ``address`` are where runs go by default (a process pool; ``"dask"`` with a
    scheduler address). With ``start_jobs``, the job thread starts with the app and resumes the
    jobs a stopped server left unfinished. The app answers only to this machine's names and
    ``host`` (where it listens), and refuses form posts from other sites (:mod:`sim.web.guard`).
    """
    workspace = Path(workspace).resolve()
    (workspace / "scenarios").mkdir(parents=True, exist_ok=True)
    if scenarios is None:
        root = project_root()
        scenarios = root / "scenarios" if root is not None else None
    shipped = Path(scenarios).resolve() if scenarios else None
    wb = Workbench(
        workspace,
        Library(shipped, workspace / "scenarios"),
        JobQueue(workspace / "runs"),
        executor,
        address,
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if start_jobs:  # reads and writes the jobs' files: not in the event loop
            await run_in_threadpool(wb.jobs.start)
        # Load the library once in the background: the first page then comes at once.
        threading.Thread(target=wb.library.entries, name="library-warm-up", daemon=True).start()
        yield
        await run_in_threadpool(wb.jobs.stop)  # waits for the job thread a while

    routes = [
        Route("/", library_page),
        Route("/builder", job_pages.in_threads(builder_page), methods=["GET", "POST"]),
        Route("/static/plotly.min.js", plotly_js),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
        *job_pages.routes,
    ]

    async def sim_error(request: Request, exc: Exception) -> Response:
        """An unknown job or scenario: 404; any other SimError: 400 with its message."""
        missing = isinstance(exc, job_pages.NotFoundError)
        title, status = ("Not found", 404) if missing else ("Error", 400)
        return page(request, "message.html", title=title, message=str(exc), status_code=status)

    async def server_error(request: Request, exc: Exception) -> Response:
        """A bug: 500, still unframeable (this answer is sent from outside the guards)."""
        return PlainTextResponse(
            "internal error: the server log has the details", 500, dict(guard.NO_FRAMING)
        )

    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={SimError: sim_error, Exception: server_error},
        middleware=guard.middleware(host),
    )
    app.state.wb = wb
    return app
