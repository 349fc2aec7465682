"""Experiments: executors give identical results, folders resume, replications stop when precise."""

from __future__ import annotations

import csv
import json
import signal
import subprocess
import sys
import time
from concurrent.futures import BrokenExecutor, Executor, Future
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from conftest import ROOT, same_rows

import sim
from sim.experiments.replications import summarise

EXAMPLE = ROOT / "scenarios" / "example.toml"


@pytest.fixture(scope="module")
def small():
    return sim.load_scenario(EXAMPLE, overrides={"demand.scale": 0.3})


def test_serial_process_and_dask_give_identical_results_in_the_same_order(small):
    pytest.importorskip("distributed")
    grid = {"services.rail_cq_qinzhou.per_day": [1, 2]}
    serial = sim.sweep(small, grid, n=3, seed=8, workers=sim.Workers("serial"))
    process = sim.sweep(small, grid, n=3, seed=8, workers=sim.Workers("process", jobs=2))
    dask = sim.sweep(small, grid, n=3, seed=8, workers=sim.Workers("dask", jobs=2))
    assert same_rows(serial.rows, process.rows, dask.rows)
    assert [r["point"] for r in serial.rows] == [0, 0, 0, 1, 1, 1]
    reps = [
        sim.replicate(small, n=3, seed=8, workers=sim.Workers(kind, jobs=2)).rows
        for kind in ("serial", "process", "dask")
    ]
    assert same_rows(*reps)


def test_until_halfwidth_stops_once_the_bound_is_met(small):
    bound = 0.06
    reps = sim.replicate(
        small, n=60, seed=2, workers=sim.Workers(jobs=1), until_halfwidth={"departures.road": bound}
    )
    x = reps.values("departures.road")
    s = summarise(x)
    assert (s["ci_high"] - s["ci_low"]) / 2 <= bound * s["mean"]
    earlier = summarise(x[:-1])  # one batch (of 1, with one job) fewer was not precise enough
    assert (earlier["ci_high"] - earlier["ci_low"]) / 2 > bound * earlier["mean"]
    assert 3 < reps.n < 60


def test_a_folder_keeps_every_run_and_refuses_another_experiment(small, tmp_path):
    out = tmp_path / "exp"
    first = sim.replicate(small, n=3, seed=5, workers=sim.Workers(jobs=1), out=out, keep="tables")
    assert sorted(p.name for p in (out / "runs").iterdir()) == [
        *("r0000", "r0000.json", "r0001", "r0001.json", "r0002", "r0002.json")
    ]  # each replication's KPIs, and its tables in a folder
    (out / "runs" / "r0002.json").unlink()  # as if the run had been interrupted there
    again = sim.replicate(small, n=3, seed=5, workers=sim.Workers(jobs=1), out=out, keep="tables")
    assert same_rows(again.rows, first.rows)
    with pytest.raises(sim.SimError, match="holds a different experiment"):
        sim.replicate(small, n=3, seed=6, workers=sim.Workers(jobs=1), out=out)


def _sweep_args(scenario: Path, out: Path) -> list[str]:
    grid = "service_defaults.rail_sea.max_wait_h=60,95,130"
    return [
        "sweep",
        str(scenario),
        "--grid",
        grid,
        "--replications",
        "16",  # 48 runs: far more than can finish between the first file and the signal
        "--jobs",
        "2",
        "--out",
        str(out),
    ]


@pytest.mark.slow
def test_a_sweep_killed_half_way_resumes_to_the_same_table(cli, tmp_path):
    scenario = tmp_path / "quarter.toml"  # the 2019 corridor, three months: a few runs a second
    base = (ROOT / "scenarios" / "baseline_2019.toml").as_posix()
    scenario.write_text(f'extends = "{base}"\nname = "quarter"\n[horizon]\nend = 2019-04-01\n')
    killed, whole = tmp_path / "killed", tmp_path / "whole"
    proc = subprocess.Popen(  # a process of its own: Ctrl-C is what is tested
        [sys.executable, "-m", "sim", *_sweep_args(scenario, killed)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # A shell that starts CI in the background ignores SIGINT, and children inherit that:
        # Python then raises no KeyboardInterrupt and the sweep would run to its end.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.time() + 120
    while time.time() < deadline and not list((killed / "runs").glob("*.json")):
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "run the same command again to resume" in err
    kept = len(list((killed / "runs").glob("*.json")))
    assert 1 <= kept < 48  # interrupted half-way, and no half-written file
    assert not list(killed.rglob("*.tmp"))
    resumed = cli(*_sweep_args(scenario, killed))
    assert resumed.returncode == 0, resumed.stderr
    assert cli(*_sweep_args(scenario, whole)).returncode == 0
    a = (killed / "sweep.csv").read_text().splitlines()
    b = (whole / "sweep.csv").read_text().splitlines()
    assert a == b and len(a) == 1 + 48  # header + 3 points x 16 replications, none lost or doubled
    assert len(list((killed / "runs").glob("*.json"))) == 48
    rows = [json.loads(p.read_text()) for p in sorted((killed / "runs").glob("*.json"))]
    assert all(np.isfinite(r["departures.rail_sea"]) for r in rows)


def test_until_halfwidth_gives_the_same_replications_whatever_the_workers(small):
    bound = {"departures.road": 0.10}
    runs = [
        sim.replicate(
            small, n=20, seed=1, workers=sim.Workers(kind, jobs=jobs), until_halfwidth=bound
        )
        for jobs, kind in ((1, "serial"), (2, "serial"), (4, "serial"), (2, "process"))
    ]
    assert len({r.n for r in runs}) == 1
    assert all(same_rows(r.rows, runs[0].rows) for r in runs)
    with pytest.raises(sim.SimError, match=r"until_halfwidth: unknown KPI 'departures\.raod'"):
        sim.replicate(
            small,
            n=5,
            seed=1,
            workers=sim.Workers(jobs=1),
            until_halfwidth={"departures.raod": 0.1},
        )


def test_run_folders_hold_dates_refuse_bad_places_and_name_broken_files(small, tmp_path):
    import datetime as dt

    dated = sim.load_scenario(EXAMPLE, overrides={"horizon.end": dt.date(2019, 2, 1)})
    sim.replicate(
        dated, n=2, seed=1, workers=sim.Workers(jobs=1), out=tmp_path / "dated"
    )  # a date in the manifest
    sim.replicate(
        dated, n=2, seed=1, workers=sim.Workers(jobs=1), out=tmp_path / "dated"
    )  # and resumed from it
    (tmp_path / "afile").write_text("x")
    with pytest.raises(sim.SimError, match=r"cannot write there|is not a folder"):
        sim.replicate(
            small, n=2, seed=1, workers=sim.Workers(jobs=1), out=tmp_path / "afile" / "sub"
        )
    (tmp_path / "dated" / "runs" / "r0001.json").write_text("{broken")
    with pytest.raises(sim.SimError, match=r"r0001\.json: cannot be read as JSON"):
        sim.replicate(dated, n=2, seed=1, workers=sim.Workers(jobs=1), out=tmp_path / "dated")


def test_a_sweep_cannot_vary_the_seed_and_unknown_kpis_are_refused(cli, small):
    with pytest.raises(sim.SimError, match="grid seed: not a scenario setting"):
        sim.sweep(small, {"seed": [1, 2]}, n=2, workers=sim.Workers(jobs=1))
    out = cli(
        *("sweep", EXAMPLE, "--grid", "demand.scale=0.2,0.3", "--replications", "2"),
        *("--jobs", "1", "--kpi", "departures.nowhere"),
    )
    assert (
        out.returncode == 2
        and "--kpi: no run of this sweep made 'departures.nowhere'" in out.stderr
    )
    with pytest.MonkeyPatch.context() as mp:  # a name no KPI has is refused before any run
        mp.setattr("sim.experiments.sweeps.sweep", lambda *a, **k: pytest.fail("it ran"))
        named = cli("sweep", EXAMPLE, "--grid", "demand.scale=0.2,0.3", "--kpi", "teu.arrived")
    assert named.returncode == 2 and "--kpi: no KPI is called 'teu.arrived'" in named.stderr


def test_sweep_json_is_standard_json(cli):
    grid = ("--grid", "demand.scale=0.5")
    out = cli("sweep", EXAMPLE, *grid, "--replications", "1", "--jobs", "1", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout, parse_constant=lambda c: pytest.fail(f"{c} is not JSON"))
    assert any(v is None for v in data["rows"][0].values())  # an average with no observation


def test_sweep_command_prints_a_row_per_point_and_writes_every_run(cli, tmp_path):
    out = tmp_path / "sweep"
    grid = ("--grid", "demand.scale=0.5,1", "--grid", "choice.model=fixed")  # text kept as text
    res = cli(
        *("sweep", EXAMPLE, *grid, "--replications", "2", "--jobs", "1", "--out", out),
        *("--kpi", "departures.road"),
    )
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0] == "example: 2 points x 2 replications (the same seeds at every point, seed 1)"
    assert lines[2].split() == ["demand.scale", "choice.model", "departures.road", "[95%", "CI]"]
    half, whole = (float(line.split()[2]) for line in lines[4:6])
    assert [line.split()[:2] for line in lines[4:6]] == [["0.5", "fixed"], ["1", "fixed"]]
    assert 0.35 < half / whole < 0.65  # half the trucks for half the freight
    assert lines[-1] == f"wrote {out}/sweep.csv (one row per point and replication, every KPI)"
    with (out / "sweep.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["point"], r["demand.scale"], r["replication"]) for r in rows] == [
        *(("0", "0.5", "0"), ("0", "0.5", "1"), ("1", "1", "0"), ("1", "1", "1"))
    ]
    assert [r["seed"] for r in rows[:2]] == [r["seed"] for r in rows[2:]]


def test_sweep_grid_mistakes_are_named_together(cli):
    res = cli(
        *("sweep", EXAMPLE, "--grid", "demand.scale", "--grid", "x=1"),
        *("--grid", "x=2,3", "--grid", "=1"),
    )
    assert res.returncode == 2
    assert res.stderr.splitlines()[1:] == [
        "--grid: must be KEY=V1,V2,..., got 'demand.scale'",
        "--grid: x: the same key twice",
        "--grid: must be KEY=V1,V2,..., got '=1'",
    ]


class _FailingPool(Executor):
    """A pool whose every task fails with ``error`` (as a Dask client's futures do)."""

    def __init__(self, error: BaseException) -> None:
        self.error = error

    def submit(self, fn, /, *args, **kwargs):
        future: Future[Any] = Future()
        future.set_exception(self.error)
        return future


def test_a_worker_dask_lost_is_a_broken_pool_and_a_look_alike_is_not():
    from sim.experiments.tasks import Task, run_tasks

    distributed = pytest.importorskip("distributed")
    sc = sim.load_scenario(EXAMPLE)
    tasks = [Task("r0", sc, 1)]
    with pytest.raises(BrokenExecutor):
        run_tasks(
            tasks,
            _FailingPool(distributed.KilledWorker("task", SimpleNamespace(address="tcp://w:1"), 3)),
            progress=False,
        )
    look_alike = type("KilledWorker", (RuntimeError,), {})("not Dask's")
    with pytest.raises(RuntimeError, match="not Dask's"):
        run_tasks(tasks, _FailingPool(look_alike), progress=False)


def test_a_run_in_a_thread_leaves_the_collector_alone_and_a_pool_from_it_gives_the_same_rows(
    small,
):
    import gc
    import threading

    seen: list[bool] = []
    rows: dict[str, list[dict[str, float]]] = {}

    def job() -> None:
        sim.run(small, seed=4)
        rows["thread"] = sim.replicate(small, n=2, seed=4, workers=sim.Workers(jobs=2)).rows

    worker = threading.Thread(target=job)
    worker.start()
    while worker.is_alive():
        seen.append(gc.isenabled())
        time.sleep(0.001)
    worker.join()
    assert seen and all(seen)  # a web server's job thread does not switch it for everyone
    main = sim.replicate(small, n=2, seed=4, workers=sim.Workers(jobs=2)).rows
    assert same_rows(rows["thread"], main)  # forked here, started by a fork server there
