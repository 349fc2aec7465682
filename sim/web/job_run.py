"""How the workbench runs one job: its batches on one pool, then its results made once.

:func:`run_job` runs a job's replications batch by batch into its run folders (one batch is one
replication per worker, so a cancelled job stops after its current batch) and makes what its
pages show. On this machine's cores, every batch of a job goes to one process pool
(:func:`job_workers`), not a pool per batch: its workers are started by a fork server, since the
job runs in a thread of the web server and forking a threaded process could copy a lock another
thread holds, and the pool is shut down however the job ends (done, cancelled or failed). A job
on a Dask cluster keeps its address (:class:`sim.Workers` connects to it per batch).
"""

from __future__ import annotations

import contextlib
import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.fileio import write_json_atomic
from sim.options import Keep

if TYPE_CHECKING:
    from sim.web.jobs import Job

__all__ = ["job_workers", "run_job"]


@contextlib.contextmanager
def job_workers(job: Job) -> Iterator[Any]:
    """The :class:`sim.Workers` of all the batches of ``job``, its pool shut down at the end.

    On this machine's cores (``executor="process"`` with more than one worker): one
    :class:`~concurrent.futures.ProcessPoolExecutor` for the whole job, its workers started by a
    fork server, shut down (queued batches dropped) however the job ends. One worker, serial runs
    and a Dask cluster (its address) are left to :class:`sim.Workers`, as ``corridor-sim run``.
    """
    import sim
    from sim.experiments.workers import exit_with_parent, start_method

    workers = sim.Workers(job.executor, job.jobs, job.address, progress=False)  # type: ignore[arg-type]
    if job.executor != "process" or workers.count == 1:
        yield workers
        return
    pool = ProcessPoolExecutor(
        max_workers=workers.count,
        mp_context=multiprocessing.get_context(start_method(main_thread=False)),
        initializer=exit_with_parent,
    )
    try:
        yield sim.Workers(pool, workers.count, progress=False)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def run_job(job: Job, root: Path, cancelled: Callable[[], bool]) -> bool:
    """Run ``job`` into ``root/<id>/`` batch by batch; False if it was cancelled before the end.

    Writes ``kpis.json`` (per KPI its mean and 95% CI, as ``corridor-sim run --replications
    --out``) into each run folder, and a comparison's ``comparison.json``. The batches share one
    pool (:func:`job_workers`).
    """
    with job_workers(job) as workers:
        if not _run_batches(job, root, workers, cancelled):
            return False
    _finish(job, root)
    return True


def _run_batches(job: Job, root: Path, workers: Any, cancelled: Callable[[], bool]) -> bool:
    """Every replication of ``job`` on ``workers``, a batch at a time; False if cancelled."""
    import sim

    scenarios = [sim.load_scenario(p) for p in job.sources]
    folders = job.folders(root)
    for i, (scenario, folder) in enumerate(zip(scenarios, folders, strict=True)):
        # A comparison's diversion map is a mean over the alternative's replications: they keep
        # their tables; everything else draws from the first replication's.
        keep: Keep = "tables" if job.kind == "compare" and i == len(folders) - 1 else "first"
        done = 0
        while done < job.n:
            if cancelled():
                return False
            done = min(job.n, done + workers.count)
            reps = sim.replicate(scenario, done, job.seed, workers=workers, out=folder, keep=keep)
        if cancelled():  # during the last batch: its replications are kept, Resume ends the job
            return False
        write_json_atomic(folder / "kpis.json", reps.kpis())
    return True


def _finish(job: Job, root: Path) -> None:
    """A run's figures and animation data, or a comparison's ``comparison.json``."""
    import sim
    from sim.fileio import json_text, write_text_atomic

    folders = job.folders(root)
    if job.kind == "run":
        from sim.web.results import prepare

        prepare(folders[0])  # figures and animation data: the results page comes at once
    if job.kind == "compare":
        serial = sim.Workers("serial", progress=False)  # every run is in the folders already
        base, alt = (sim.load_scenario(p) for p in job.sources)
        comparison = sim.compare(
            base, alt, n=job.n, seed=job.seed, workers=serial, independent=False, out=root / job.id
        )
        write_text_atomic(root / job.id / "comparison.json", json_text(comparison.to_dict()))
