"""A real Dask cluster: a scheduler and two worker processes, used through ``--address``.

Replications, a sweep and a sensitivity analysis sent to the cluster give, to the last digit,
what the process pool gives on this machine.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT

pytest.importorskip("distributed")

EXAMPLE = ROOT / "scenarios" / "example.toml"
SMALL = ("--set", "demand.scale=0.2", "--set", "horizon.end=2019-03-01")
FACTORS = """
[factors.demand]
label = "demand (x)"
keys = ["demand.scale"]
low = 0.1
high = 0.3
mode = "set"
reason = "assumption: a test range"

[factors.rail_capacity]
label = "rail capacity"
keys = ["services.rail_cq_qinzhou.capacity_teu"]
low = 0.8
high = 1.2
mode = "scale"
reason = "assumption: a test range"
"""


def _dask(*args: str, log: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "distributed.cli.dask_" + args[0], *args[1:]]
    return subprocess.Popen(command, stdout=log.open("wb"), stderr=subprocess.STDOUT)


@pytest.fixture(scope="module")
def address(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("cluster")
    file = folder / "scheduler.json"
    scheduler = _dask(
        "scheduler",
        "--scheduler-file",
        str(file),
        "--port",
        "0",
        "--no-dashboard",
        log=folder / "scheduler.log",
    )
    workers = [
        _dask(
            "worker",
            "--scheduler-file",
            str(file),
            "--nworkers",
            "1",
            "--nthreads",
            "1",
            "--no-dashboard",
            log=folder / f"worker{i}.log",
        )
        for i in range(2)
    ]
    try:
        from distributed import Client

        deadline = time.monotonic() + 60
        while not file.is_file() and time.monotonic() < deadline:
            time.sleep(0.2)
        url = json.loads(file.read_text(encoding="utf-8"))["address"]
        with Client(url, timeout=30) as client:
            client.wait_for_workers(2, timeout=60)
        yield url
    finally:
        for process in [*workers, scheduler]:
            process.terminate()
        for process in [*workers, scheduler]:
            process.wait(timeout=30)


def _runs(folder: Path) -> dict[str, object]:
    return {p.name: json.loads(p.read_text()) for p in sorted((folder / "runs").glob("*.json"))}


def test_replications_a_sweep_and_a_sensitivity_analysis_on_a_cluster_match_the_pool(
    cli, tmp_path, address
):
    (tmp_path / "factors.toml").write_text(FACTORS, encoding="utf-8")
    jobs = {
        "replications": ("run", EXAMPLE, *SMALL, "--replications", "4"),
        "sweep": ("sweep", EXAMPLE, "--grid", "demand.scale=0.1,0.2", "--replications", "2"),
        "sensitivity": (
            *("sensitivity", EXAMPLE, "--factors", tmp_path / "factors.toml"),
            *("--kpi", "departures.rail_sea", "--samples", "2", "--replications", "1"),
        ),
    }
    for name, args in jobs.items():
        on_pool = tmp_path / f"{name}_pool"
        on_cluster = tmp_path / f"{name}_cluster"
        pool = cli(*args, "--jobs", "2", "--out", on_pool)
        assert pool.returncode == 0, pool.stderr
        cluster = cli(*args, "--executor", "dask", "--address", address, "--out", on_cluster)
        assert cluster.returncode == 0, cluster.stderr
        assert _runs(on_cluster) == _runs(on_pool), name  # every run's KPIs, to the last digit
        assert len(_runs(on_pool)) >= 4
        assert cluster.stdout.replace(str(on_cluster), "") == pool.stdout.replace(str(on_pool), "")
