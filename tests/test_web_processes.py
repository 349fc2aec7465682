"""The workbench's processes done safely: one pool per job, and nothing blocking the event loop."""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import threading
import time
from types import SimpleNamespace

import pytest

pytest.importorskip("starlette", reason="the web extra is not installed")

from webkit import wait, web_client


@pytest.fixture
def pools(monkeypatch):
    """Every process pool made while the test runs (its start method) and every one shut down."""
    seen = SimpleNamespace(made=[], shut=[])
    make, shut = (
        concurrent.futures.ProcessPoolExecutor.__init__,
        concurrent.futures.ProcessPoolExecutor.shutdown,
    )

    def counted_init(self, *args, **kwargs):
        context = kwargs.get("mp_context")
        seen.made.append(
            context.get_start_method() if context else multiprocessing.get_start_method()
        )
        make(self, *args, **kwargs)

    def counted_shutdown(self, *args, **kwargs):
        seen.shut.append(self)
        shut(self, *args, **kwargs)

    monkeypatch.setattr(concurrent.futures.ProcessPoolExecutor, "__init__", counted_init)
    monkeypatch.setattr(concurrent.futures.ProcessPoolExecutor, "shutdown", counted_shutdown)
    return seen


def test_a_job_of_several_batches_runs_them_all_on_one_pool_from_a_fork_server(workspace, pools):
    from sim.web.jobs import JobQueue

    queue = JobQueue(workspace / "runs")
    small = str(workspace / "scenarios" / "small.toml")
    job = queue.submit("run", [small], 4, 1, executor="process", jobs=2)  # two batches of two
    queue.start()
    try:
        wait(queue, timeout=300)
    finally:
        queue.stop()
    assert queue.get(job.id).state == "done", queue.get(job.id).error
    assert job.finished_runs(queue.root) == 4
    assert pools.made == ["forkserver"]  # one pool for both batches, not forked from the server
    assert len(pools.shut) == 1  # and shut down when the job ended


def test_a_cancelled_or_failed_job_shuts_its_pool_down(workspace, pools, monkeypatch):
    import sim
    from sim.web.job_run import run_job
    from sim.web.jobs import Job

    used = []

    def batch(scenario, n, seed, workers, out, keep):  # no run: the pool each batch is given
        used.append(workers.kind)
        if len(used) == 2 and fail:
            raise RuntimeError("a worker died")
        return SimpleNamespace(kpis=dict)

    monkeypatch.setattr(sim, "replicate", batch)
    small = str(workspace / "scenarios" / "small.toml")
    job = Job("j0001-small", "run", [small], 6, 1, executor="process", jobs=2)
    fail = False
    assert run_job(job, workspace / "runs", lambda: len(used) >= 2) is False  # cancelled
    assert len(used) == 2 and used[0] is used[1]  # both batches on the job's one pool
    assert len(pools.made) == 1 and pools.shut == [used[0]]
    used.clear()
    fail = True
    with pytest.raises(RuntimeError, match="a worker died"):
        run_job(job, workspace / "runs", lambda: False)
    assert len(pools.made) == 2 and pools.shut[-1] is used[0] and len(pools.shut) == 2


def test_a_page_waiting_on_the_librarys_lock_does_not_hold_up_the_others(workspace):
    with web_client(workspace, start_jobs=False) as client:
        library = client.app.state.wb.library
        held, done = threading.Event(), threading.Event()

        def hold() -> None:  # as while a scenario loads (the warm-up after a start)
            with library._lock:
                held.set()
                done.wait(8)

        holder = threading.Thread(target=hold)
        holder.start()
        assert held.wait(60)
        answers = []
        waiting = threading.Thread(target=lambda: answers.append(client.get("/")))
        waiting.start()  # the library page waits on the lock ...
        time.sleep(0.5)
        start = time.monotonic()
        status = client.get("/jobs")  # ... and another page is served meanwhile
        took = time.monotonic() - start
        assert not answers, "the library page did not wait on the lock"
        done.set()
        waiting.join(60)
        holder.join(60)
    assert status.status_code == 200 and took < 4, f"another page waited {took:.1f} s"
    assert answers[0].status_code == 200 and "small" in answers[0].text


def test_no_handler_that_reads_files_or_loads_scenarios_runs_in_the_event_loop():
    """Every route is a plain function (run in a thread) or awaits only its form (in_threads)."""
    import inspect

    from sim.web import app, downloads, job_pages

    async_ones = {
        name
        for module in (app, downloads, job_pages)
        for name, f in vars(module).items()
        if inspect.iscoroutinefunction(f) and f.__module__ == module.__name__
    }
    assert async_ones == {"plotly_js", "form_of"}
