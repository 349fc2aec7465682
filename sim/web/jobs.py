"""The workbench's job queue: experiments run one after another on a background thread.

Each job is a folder ``<workspace>/runs/<id>/`` holding ``job.json`` (what to run and its state,
written atomically), copies of its scenario files (``scenario/``: its results do not depend on
the originals staying as they were) and the run folders of :func:`sim.replicate` (``reps/``; a
comparison has ``base/`` and ``alt/``), which keep every finished replication as it finishes.
Replications run in batches of one per worker, so a cancelled job stops after its current batch;
a job that was queued or running when the server stopped is queued again when it starts, and
resumes where its run folders stopped (they resume by design). A job on this machine's cores has
one process pool for all its batches (:func:`~sim.web.job_run.job_workers`), its workers started
by a fork server (forking a threaded server could copy a lock another thread holds), shut down
when the job ends, is cancelled or fails.
"""

from __future__ import annotations

import datetime
import logging
import queue
import re
import shutil
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sim.errors import SimError
from sim.fileio import read_json, write_json_atomic
from sim.web.job_run import run_job
from sim.web.scenario_files import snapshot

__all__ = ["Job", "JobQueue", "run_job"]

log = logging.getLogger(__name__)


@dataclass
class Job:
    """One experiment: replications of ``scenario``, or a comparison of ``base`` and ``alt``."""

    id: str
    kind: str  # "run" or "compare"
    scenarios: list[str]  # absolute paths: [scenario] or [base, alt]
    n: int
    seed: int
    executor: str = "process"
    jobs: int | None = None
    address: str | None = None
    state: str = "queued"
    error: str = ""
    created: str = field(default_factory=lambda: _now())
    finished: str = ""
    kept: list[str] = field(default_factory=list)  # the copies of the scenarios it runs
    note: str = ""  # what the form's values became (workers capped at the cores)

    @property
    def sources(self) -> list[str]:
        """The scenario files the job runs and shows: its copies (older jobs: the originals)."""
        return self.kept or self.scenarios

    @property
    def name(self) -> str:
        """The scenario's file name (a comparison: ``alt vs base``)."""
        stems = [Path(p).stem for p in self.scenarios]
        return stems[0] if self.kind == "run" else f"{stems[1]} vs {stems[0]}"

    def folders(self, root: Path) -> list[Path]:
        """The run folders of the job (one per scenario)."""
        here = root / self.id
        return [here / "reps"] if self.kind == "run" else [here / "base", here / "alt"]

    def finished_runs(self, root: Path) -> int:
        """Replications finished so far, over all its scenarios (files in the run folders)."""
        return sum(len(list((f / "runs").glob("r*.json"))) for f in self.folders(root))

    def finished_replications(self, root: Path) -> int:
        """Replications finished so far, of ``n`` (a comparison: pairs with both sides done)."""
        return min(len(list((f / "runs").glob("r*.json"))) for f in self.folders(root))

    @property
    def total_runs(self) -> int:
        """Replications the job runs in all."""
        return self.n * len(self.scenarios)


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class JobQueue:
    """Jobs on disk under ``root``, run one at a time by a background thread.

    ``runner`` runs one job (default :func:`run_job`); tests give a slower or failing one.
    """

    def __init__(self, root: Path, runner: Callable[..., bool] = run_job) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.runner = runner
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._cancel: set[str] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        #: Why a job folder's ``job.json`` was skipped, by job id (shown on the jobs page).
        self.unreadable: dict[str, str] = {}
        #: Why a job's last state could not be written, by job id: the job shows as failed.
        self.unsaved: dict[str, str] = {}

    # -- the jobs on disk ------------------------------------------------------------------------

    def _path(self, job_id: str) -> Path:
        return self.root / job_id / "job.json"

    def get(self, job_id: str) -> Job | None:
        """The job ``job_id``, or None if there is none (or its ``job.json`` cannot be read)."""
        if not re.fullmatch(r"j\d{4}-[a-z0-9_-]+", job_id) or not self._path(job_id).is_file():
            return None
        try:
            data = read_json(self._path(job_id))
            job = Job(**data) if isinstance(data, dict) else None
        except (SimError, TypeError) as exc:  # TypeError: keys that are not a job's
            job, data = None, str(exc)
        if job is None:
            problem = f"{self._path(job_id)}: not a job, skipped ({data})"
            if self.unreadable.get(job_id) != problem:
                log.warning("%s", problem)
            self.unreadable[job_id] = problem
        else:
            self.unreadable.pop(job_id, None)
            if job_id in self.unsaved and job.state in ("queued", "running"):
                job.state, job.error = "failed", self.unsaved[job_id]
        return job

    def all(self) -> list[Job]:
        """Every job, newest first; a job whose ``job.json`` cannot be read is in ``unreadable``."""
        jobs = [self.get(p.parent.name) for p in self.root.glob("j*/job.json")]
        return sorted((j for j in jobs if j), key=lambda j: j.id, reverse=True)

    def save(self, job: Job) -> None:
        """Write the job's state (atomically)."""
        with self._lock:
            write_json_atomic(self._path(job.id), asdict(job))

    def submit(self, kind: str, scenarios: list[str], n: int, seed: int, **where: Any) -> Job:
        """Queue a new job and return it."""
        with self._lock:
            numbers = [int(p.name[1:5]) for p in self.root.glob("j[0-9][0-9][0-9][0-9]-*")]
            stem = re.sub(r"[^a-z0-9_]", "_", Path(scenarios[-1]).stem.lower())[:40]
            job_id = f"j{max(numbers, default=0) + 1:04d}-{stem}"
            (self.root / job_id).mkdir(parents=True)
        files = [str(Path(p).resolve()) for p in scenarios]
        here = self.root / job_id / "scenario"
        try:
            kept = [str(snapshot(Path(p), here / str(i))) for i, p in enumerate(files)]
            job = Job(job_id, kind, files, n, seed, kept=kept, **where)
            self.save(job)
        except OSError as exc:  # a full disk: no half-made job folder is left behind
            shutil.rmtree(self.root / job_id, ignore_errors=True)
            raise SimError(f"the job could not be saved in the workspace: {exc.strerror}") from None
        except BaseException:  # a scenario that cannot be kept: no half-made job folder either
            shutil.rmtree(self.root / job_id, ignore_errors=True)
            raise
        self._queue.put(job.id)
        return job

    def cancel(self, job_id: str) -> None:
        """Stop a job after its current batch (a queued job does not start)."""
        job = self.get(job_id)
        if job is None or job.state not in ("queued", "running"):
            return
        self._cancel.add(job_id)
        if job.state == "queued":
            job.state = "cancelled"
            self.save(job)

    def cancelling(self, job_id: str) -> bool:
        """Whether the running job ``job_id`` was cancelled and is finishing its current batch."""
        return job_id in self._cancel

    def resume(self, job_id: str) -> None:
        """Queue a cancelled or failed job again: it goes on from its finished replications."""
        job = self.get(job_id)
        if job is None or job.state not in ("cancelled", "failed"):
            return
        self._cancel.discard(job_id)
        job.state, job.error = "queued", ""
        self.save(job)
        self.unsaved.pop(job_id, None)  # only once the disk took the new state
        self._queue.put(job.id)

    # -- the worker thread -----------------------------------------------------------------------

    def start(self) -> None:
        """Queue again the jobs a stopped server left queued or running, and start the thread."""
        for job in sorted(self.all(), key=lambda j: j.id):
            if job.state in ("queued", "running"):
                job.state = "queued"
                self.save(job)
                self._queue.put(job.id)
        self._thread = threading.Thread(target=self._work, name="corridor-sim-jobs", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the thread to stop after its current batch; the running job stays "running"."""
        self._cancel.add("*")
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join(timeout)

    def idle(self) -> bool:
        """Whether no job is queued or running."""
        return all(j.state not in ("queued", "running") for j in self.all())

    def _work(self) -> None:
        while (job_id := self._queue.get()) is not None:
            try:
                if self._run(job_id) == "stop":
                    return
            except Exception as exc:  # the job file cannot be written (a full disk): log, go on
                log.warning("job %s: its state could not be saved (%s)", job_id, exc)
                self.unsaved[job_id] = f"its state could not be saved in the workspace ({exc})"

    def _run(self, job_id: str) -> str:
        """Run one queued job to its end; "stop" if the server is stopping before it ends."""
        job = self.get(job_id)
        if job is None or job.state != "queued" or job_id in self._cancel:
            self._cancel.discard(job_id)
            return "skip"
        job.state = "running"
        self.save(job)
        try:
            finished = self.runner(job, self.root, lambda: bool({job_id, "*"} & self._cancel))
        except Exception as exc:  # shown on the job page; the queue goes on
            job.state, job.error = "failed", f"{type(exc).__name__}: {exc}"
        else:
            if "*" in self._cancel and not finished:
                return "stop"  # the server is stopping: the job resumes at the next start
            job.state = "done" if finished else "cancelled"
        self._cancel.discard(job_id)
        job.finished = _now()
        self.save(job)
        return "done"
