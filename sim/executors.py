"""Where replications run, and a folder that keeps every finished one.

:func:`executor_for` makes the executor an experiment asks for: ``"serial"`` (in this process),
``"process"`` (a pool of worker processes, the default), ``"dask"`` (a Dask distributed cluster at
an address, or a local one; needs the ``distributed`` extra), or any
``concurrent.futures.Executor``.
:func:`run_tasks` runs (key, scenario, seed) tasks on it and returns their KPIs by key; with a
:class:`RunStore`, each result is written to the folder as it finishes, and tasks already there are
not run again, so an interrupted experiment resumes where it stopped.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import BrokenExecutor, Executor, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tqdm import tqdm

from sim.errors import SimError
from sim.fileio import nan_for_null, read_json, write_json_atomic
from sim.options import EXECUTORS

__all__ = ["RunStore", "executor_for", "interactive", "run_tasks"]


@contextmanager
def executor_for(
    kind: str | Executor | None, jobs: int | None = None, address: str | None = None
) -> Iterator[Executor | None]:
    """The executor of an experiment, shut down afterwards if made here (None: run in process)."""
    jobs = jobs or os.cpu_count() or 1
    if address and kind != "dask":
        raise SimError(f"executor: --address {address} needs --executor dask")
    if isinstance(kind, Executor):
        yield kind
    elif kind == "serial" or (kind is None and jobs == 1):
        yield None
    elif kind in (None, "process"):
        # Workers are forked from this process: freezing its objects first keeps their garbage
        # collector from walking (and copying) everything they inherit.
        gc.collect()
        gc.freeze()
        pool = ProcessPoolExecutor(max_workers=jobs, initializer=_exit_with_parent)
        try:
            yield pool
        finally:
            pool.shutdown(cancel_futures=True)
            gc.unfreeze()
    elif kind == "dask":
        with _dask_executor(jobs, address) as pool:
            yield pool
    else:
        raise SimError(f"executor: must be one of {', '.join(EXECUTORS)}, got {kind!r}")


@contextmanager
def _dask_executor(jobs: int, address: str | None) -> Iterator[Executor]:
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


def _run_one(scenario: Any, seed: int, tables_to: str | None = None) -> dict[str, float]:
    """One replication's KPIs (module-level, so that worker processes can import it).

    With ``tables_to``, its tables are written into that folder first (whole, or not at all).
    """
    from sim.experiments import run

    res = run(scenario, seed, log_events=False)
    if tables_to is not None:
        from sim.results.output import write_tables

        write_tables(res, tables_to)
    return res.kpis()


class RunStore:
    """A folder holding one experiment: ``manifest.json`` and one JSON file per finished run.

    The manifest says what the experiment is (scenario and network files with their hashes,
    overrides, grid, seed, package version and git revision); opening a folder that holds another
    experiment is refused rather than mixed. With ``keep_tables``, each run also keeps its tables
    in ``runs/<key>/``, written before its KPIs: a run with KPIs has its tables.
    """

    def __init__(
        self,
        folder: str | Path,
        identity: dict[str, Any],
        manifest: dict[str, Any],
        keep_tables: bool = False,
    ):
        self.folder = Path(folder)
        self.keep_tables = keep_tables
        identity = json.loads(json.dumps(identity, default=str))  # as the file will hold it
        path = self.folder / "manifest.json"
        try:
            if self.folder.exists() and not self.folder.is_dir():
                raise SimError(f"--out {folder}: exists and is not a folder")
            self.folder.mkdir(parents=True, exist_ok=True)
            if path.is_file():  # resuming: the first manifest stays, the experiment must match
                if read_json(path, "delete it to run it again").get("experiment") != identity:
                    raise SimError(
                        f"{folder}: holds a different experiment (other inputs or code; "
                        "see its manifest.json): give another --out"
                    )
            else:
                write_json_atomic(path, {"experiment": identity, **manifest})
        except OSError as exc:
            raise SimError(f"--out {folder}: cannot write there ({exc.strerror})") from None

    def _path(self, key: str) -> Path:
        return self.folder / "runs" / f"{key}.json"

    def tables_dir(self, key: str) -> str | None:
        """Where run ``key`` keeps its tables (``runs/<key>/``), or None if the store keeps none."""
        return str(self.folder / "runs" / key) if self.keep_tables else None

    def get(self, key: str) -> dict[str, float] | None:
        """The stored KPIs of run ``key``, or None."""
        path = self._path(key)
        if not path.is_file():
            return None
        return nan_for_null(read_json(path, "delete it to run it again"))

    def put(self, key: str, kpis: dict[str, float]) -> None:
        """Keep the KPIs of run ``key`` (atomically)."""
        write_json_atomic(self._path(key), kpis)


def _exit_with_parent() -> None:
    """In a pool worker: end when the process that started it is gone (killed, say).

    A worker otherwise waits for work for ever once its parent is killed without a chance to
    shut the pool down; a daemon thread checks every half second whether it was orphaned. The
    parent is whatever started the worker (the main process, or a fork server that ends with it).
    """
    parent_pid = os.getppid()

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="exit-with-parent").start()


def interactive() -> bool:
    """Whether this is an interactive session: a notebook, or Python's prompt."""
    return "ipykernel" in sys.modules or hasattr(sys, "ps1") or bool(sys.flags.interactive)


def _progress_bar() -> type[tqdm]:
    """A notebook's progress widget where there is one (ipywidgets installed), else text."""
    if "ipykernel" in sys.modules:
        try:
            import ipywidgets  # noqa: F401
            from tqdm.notebook import tqdm as widget
        except ImportError:
            return tqdm
        return widget
    return tqdm


def run_tasks(
    tasks: Sequence[tuple[str, Any, int]],
    pool: Executor | None,
    store: RunStore | None = None,
    progress: bool | None = None,
    desc: str = "replications",
) -> dict[str, dict[str, float]]:
    """Run (key, scenario, seed) tasks; return KPIs by key. Stored runs are not run again."""
    done = {k: row for k, _, _ in tasks if store and (row := store.get(k)) is not None}
    todo = [t for t in tasks if t[0] not in done]
    if progress is None:
        progress = interactive()
    bar = _progress_bar()(
        total=len(tasks),
        initial=len(done),
        desc=desc,
        unit="run",
        file=sys.stderr,
        disable=not progress,
        leave=False,
    )
    with bar:
        where = {key: store.tables_dir(key) if store else None for key, _, _ in todo}
        if pool is None:
            for key, scenario, seed in todo:
                done[key] = _finish(store, key, _run_one(scenario, seed, where[key]), bar)
        else:
            futures = {pool.submit(_run_one, sc, seed, where[key]): key for key, sc, seed in todo}
            try:
                for future in as_completed(futures):
                    key = futures[future]
                    done[key] = _finish(store, key, future.result(), bar)
            except Exception as exc:
                if type(exc).__name__ == "KilledWorker":  # Dask lost the worker running it
                    raise BrokenExecutor(str(exc)) from exc
                raise
            finally:
                for future in futures:  # nothing left running behind an error or Ctrl-C
                    future.cancel()
    return done


def _finish(store: RunStore | None, key: str, row: dict[str, float], bar: tqdm) -> dict:
    if store is not None:
        store.put(key, row)
    bar.update()
    return row
