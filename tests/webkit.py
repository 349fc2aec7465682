"""Helpers of the workbench's tests: a small workspace, a test client, the CLI's messages."""

from __future__ import annotations

import contextlib
import io
import time
from pathlib import Path
from typing import Any

from conftest import ROOT

EXAMPLE = ROOT / "scenarios" / "example.toml"
SMALL = {"demand.scale": "0.2", "horizon.end": "2019-02-15"}  # a fast run of the example


def cli_errors(path: Path, *args: str) -> tuple[int, list[str]]:
    """Exit status and message lines of ``corridor-sim run PATH ARGS``."""
    import sim.cli

    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            status = sim.cli.main(["run", str(path), *args])
        except SystemExit as exc:  # argparse
            status = int(exc.code or 0)
    lines = err.getvalue().splitlines()
    return status, [line for line in lines if line and not line.startswith("corridor-sim: error")]


def small_workspace(folder: Path) -> Path:
    """A workspace holding a small scenario (the example, a fifth of its demand, 6 weeks)."""
    from sim.web.builder import build_scenario

    built = build_scenario({"name": "small", **SMALL}, folder / "scenarios", EXAMPLE)
    assert built.ok, built.errors
    return folder


def web_client(workspace: Path, start_jobs: bool = True, **options: Any) -> Any:
    """A Starlette test client of the workbench over ``workspace`` (serial runs)."""
    from starlette.testclient import TestClient

    from sim.web.app import create_app

    app = create_app(workspace, ROOT / "scenarios", "serial", start_jobs=start_jobs)
    return TestClient(app, base_url=options.pop("base_url", "http://localhost"), **options)


def wait(queue: Any, timeout: float = 60.0) -> None:
    """Wait until no job of ``queue`` is queued or running."""
    end = time.monotonic() + timeout
    while not queue.idle():
        assert time.monotonic() < end, "jobs did not finish"
        time.sleep(0.1)
