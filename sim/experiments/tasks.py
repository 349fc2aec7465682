"""Running an experiment's tasks on its workers, keeping each finished run in its folder.

:func:`run_tasks` runs (key, scenario, seed) tasks on the executor of a
:class:`~sim.experiments.workers.Workers` and returns their KPIs by key; with a
:class:`~sim.experiments.run_folder.RunStore`, each result is written to the folder as it
finishes, and tasks already there are not run again, so an interrupted experiment resumes where it
stopped.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from concurrent.futures import BrokenExecutor, Executor, as_completed
from typing import TYPE_CHECKING, Any, NamedTuple

from tqdm import tqdm

from sim.experiments.run_folder import RunStore

if TYPE_CHECKING:
    from sim.scenario import Scenario

__all__ = ["Task", "interactive", "run_tasks"]


class Task(NamedTuple):
    """One run of an experiment: its key in the run folder, its scenario and its seed."""

    key: str
    scenario: Scenario
    seed: int


def _run_one(scenario: Scenario, seed: int, tables_to: str | None = None) -> dict[str, float]:
    """One replication's KPIs (module-level, so that worker processes can import it).

    With ``tables_to``, its tables are written into that folder first (whole, or not at all).
    """
    from sim.experiments.single import run

    res = run(scenario, seed, log_events=False)
    if tables_to is not None:
        from sim.results.output import write_tables

        write_tables(res, tables_to)
    return res.kpis()


def interactive() -> bool:
    """Whether this is an interactive session: a notebook, or Python's prompt."""
    return "ipykernel" in sys.modules or hasattr(sys, "ps1") or bool(sys.flags.interactive)


def _killed_worker() -> tuple[type[BaseException], ...]:
    """Dask's ``KilledWorker`` class, if Dask is loaded (it is whenever a Dask pool runs)."""
    distributed = sys.modules.get("distributed")
    killed = getattr(distributed, "KilledWorker", None)
    return (killed,) if isinstance(killed, type) and issubclass(killed, BaseException) else ()


def _progress_bar() -> type[tqdm[Any]]:
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
    tasks: Sequence[Task],
    pool: Executor | None,
    store: RunStore | None = None,
    progress: bool | None = None,
    desc: str = "replications",
) -> dict[str, dict[str, float]]:
    """Run the tasks on ``pool`` (None: in this process); return their KPIs by key.

    Runs already in ``store`` are read back, not run again.
    """
    done = {t.key: row for t in tasks if store and (row := store.get(t.key)) is not None}
    todo = [t for t in tasks if t.key not in done]
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
        where = {t.key: store.tables_dir(t.key) if store else None for t in todo}
        if pool is None:
            for t in todo:
                done[t.key] = _finish(store, t.key, _run_one(t.scenario, t.seed, where[t.key]), bar)
        else:
            futures = {pool.submit(_run_one, t.scenario, t.seed, where[t.key]): t.key for t in todo}
            try:
                for future in as_completed(futures):
                    key = futures[future]
                    done[key] = _finish(store, key, future.result(), bar)
            except Exception as exc:
                if isinstance(exc, _killed_worker()):  # Dask lost the worker running it
                    raise BrokenExecutor(str(exc)) from exc
                raise
            finally:
                for future in futures:  # nothing left running behind an error or Ctrl-C
                    future.cancel()
    return done


def _finish(
    store: RunStore | None, key: str, row: dict[str, float], bar: tqdm[Any]
) -> dict[str, float]:
    if store is not None:
        store.put(key, row)
    bar.update()
    return row
