"""Where the runs of an experiment go: :class:`Workers` carries the settings, and makes the pool.

Every experiment (:func:`sim.replicate`, :func:`sim.compare`, :func:`sim.sweep`,
:func:`sim.calibrate`, :func:`sim.sensitivity`) takes one ``workers=`` argument instead of four
loose ones. The pool itself is made only while the experiment runs (:meth:`Workers.pool`).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

from sim.errors import ArgumentError, SimError
from sim.options import EXECUTORS, ExecutorName

__all__ = ["Workers", "exit_with_parent", "start_method"]


@dataclass(frozen=True)
class Workers:
    """Where an experiment's runs go, how many at once, and whether a progress bar shows.

    Parameters
    ----------
    kind : {"process", "serial", "dask"} or concurrent.futures.Executor
        ``"process"`` (default): a pool of ``jobs`` worker processes (in this process when
        ``jobs`` is 1); ``"serial"``: one after another in this process; ``"dask"``: a Dask
        cluster at ``address``, or a local one (the ``distributed`` extra); or an executor of
        your own, used as it is and not shut down.
    jobs : int, optional
        Workers (default: one per core).
    address : str, optional
        The Dask scheduler (``tcp://host:8786``); only with ``kind="dask"``.
    progress : bool, optional
        Show a progress bar (default: in an interactive session or a notebook).

    Examples
    --------
    >>> Workers("serial")
    Workers(kind='serial', jobs=None, address=None, progress=None)
    >>> Workers("threads")
    Traceback (most recent call last):
    ...
    sim.errors.ArgumentError: workers: kind must be one of serial, process, dask, got 'threads'
    """

    kind: ExecutorName | Executor = "process"
    jobs: int | None = None
    address: str | None = None
    progress: bool | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.kind, Executor) and self.kind not in EXECUTORS:
            raise ArgumentError(
                f"workers: kind must be one of {', '.join(EXECUTORS)}, got {self.kind!r}"
            )
        jobs = self.jobs
        if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1):
            raise ArgumentError(f"workers: jobs must be a whole number >= 1, got {jobs!r}")
        if self.address and self.kind != "dask":
            raise ArgumentError(f"workers: address {self.address} needs kind 'dask'")
        if self.progress is not None and not isinstance(self.progress, bool):
            raise ArgumentError(
                f"workers: progress must be True, False or None, got {self.progress!r}"
            )

    @classmethod
    def given(cls, workers: Workers | None) -> Workers:
        """``workers`` checked, or the default (a process pool) for None.

        >>> Workers.given("serial")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        sim.errors.ArgumentError: workers: must be a sim.Workers, e.g. sim.Workers('serial'), ...
        """
        if workers is None:
            return cls()
        if not isinstance(workers, Workers):
            example = workers if isinstance(workers, str) else "serial"
            raise ArgumentError(
                f"workers: must be a sim.Workers, e.g. sim.Workers({example!r}), got {workers!r}"
            )
        return workers

    @property
    def count(self) -> int:
        """How many runs go at once: ``jobs``, or one per core."""
        return self.jobs or os.cpu_count() or 1

    @contextmanager
    def pool(self, runs: int | None = None) -> Iterator[Executor | None]:
        """The executor for ``runs`` runs (None: run them in this process), shut down afterwards.

        ``kind="serial"``, and one run or one job of a process pool, run in this process: a pool
        would only add its start-up. A Dask cluster is always used when asked for (its address
        is checked, and a run may need its memory).
        """
        kind = self.kind
        if isinstance(kind, Executor):
            yield kind
        elif kind == "serial" or (kind == "process" and (runs == 1 or self.count == 1)):
            yield None
        elif kind == "process":
            # From the main thread, workers are forked: freezing this process's objects first
            # keeps their garbage collector from walking (and copying) everything they inherit.
            # From another thread (a web server's job), forking could copy a lock another thread
            # holds, and the collector is not this thread's to switch: a fork server starts them.
            main = threading.current_thread() is threading.main_thread()
            context = multiprocessing.get_context(start_method(main))
            if main:
                gc.collect()
                gc.freeze()
            pool = ProcessPoolExecutor(
                max_workers=self.count, mp_context=context, initializer=exit_with_parent
            )
            try:
                yield pool
            finally:
                pool.shutdown(cancel_futures=True)
                if main:
                    gc.unfreeze()
        else:
            with _dask_executor(self.count, self.address) as dask_pool:
                yield dask_pool


def start_method(main_thread: bool) -> str:
    """How a pool's workers start: ``fork``, ``forkserver`` or ``spawn``.

    Forked from the main thread on Linux; else from a fork server where there is one (a fork from
    another thread could copy a lock that thread's neighbours hold); else spawned (macOS forks
    unsafely, Windows cannot fork).
    """
    methods = multiprocessing.get_all_start_methods()
    if main_thread and sys.platform.startswith("linux") and "fork" in methods:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


def exit_with_parent() -> None:
    """In a pool worker: end when the process that started it is gone (killed, say).

    A worker otherwise waits for work for ever once its parent is killed without a chance to
    shut the pool down; a daemon thread checks every half second whether it was orphaned. The
    parent is whatever started the worker (the main process, or a fork server that ends with it).
    The initializer of the pools :meth:`Workers.pool` makes, and of the workbench's job pools.
    """
    import threading
    import time

    parent_pid = os.getppid()

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="exit-with-parent").start()


@contextmanager
def _dask_executor(jobs: int, address: str | None) -> Iterator[Executor]:
    """A Dask client as an executor: on the cluster at ``address``, or a local one."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise SimError(
            "executor: 'dask' needs the distributed extra (pip install 'corridor-sim[distributed]')"
        ) from None
    cluster = None
    try:
        if address:
            client = Client(address, timeout="20s")
        else:
            cluster = LocalCluster(
                n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None
            )
            client = Client(cluster)
    except (OSError, ValueError) as exc:
        where = (
            f"reach the Dask scheduler at {address}" if address else "start a local Dask cluster"
        )
        raise SimError(f"executor: cannot {where}: {exc}") from None
    try:
        yield client.get_executor()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
