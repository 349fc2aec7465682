"""Shared fixtures: paths to the shipped data, editable copies of it, and the CLI in-process."""

from __future__ import annotations

import csv
import os
import shutil
import sys
import threading
from pathlib import Path
from typing import NamedTuple

import pytest
from hypothesis import HealthCheck, settings

# No per-example deadline and no health check about speed or size: on a loaded machine (CI shares
# its cores) slow generation is not a bug, and hypothesis would fail the suite for it at random.
# Per-test @settings inherit this profile (it is loaded before the test modules are imported).
_SLOWNESS = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example]
settings.register_profile(
    "corridor", deadline=None, suppress_health_check=_SLOWNESS, print_blob=True
)
settings.load_profile("corridor")


def _untraced_when_forked() -> None:
    """In a process forked from the suite (a pool's worker): stop coverage's tracing there.

    A forked worker inherits the tracer but ends with ``os._exit``, so what it measures is never
    saved; tracing it only made the runs it does (the same code the suite measures in this
    process) three to five times slower.
    """
    cov = sys.modules.get("coverage")
    if cov is not None and cov.Coverage.current() is not None:
        sys.settrace(None)
        threading.settrace(None)


os.register_at_fork(after_in_child=_untraced_when_forked)

ROOT = Path(__file__).resolve().parents[1]
NETWORK_DIR = ROOT / "networks" / "chongqing_asean"


class CliResult(NamedTuple):
    """What one ``corridor-sim`` command gave: its exit status and what it printed."""

    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(capsys, monkeypatch):
    """``cli("run", SCENARIO, ...)``: the command line, run in this process through ``main``.

    Returns a :class:`CliResult`. A usage error (argparse exits 2), ``--help`` and ``--version``
    raise SystemExit, which is caught and turned into the status as the shell would see it. Output
    printed before the call is dropped; figures the command left open are closed, and the current
    folder is restored (``cwd=`` runs the command from another folder).
    """
    from sim.cli import main

    def call(*args: object, cwd: Path | str | None = None) -> CliResult:
        capsys.readouterr()
        open_before = _figure_numbers()
        with monkeypatch.context() as patch:
            if cwd is not None:
                patch.chdir(cwd)
            try:
                code = main([str(a) for a in args])
            except SystemExit as exc:
                if exc.code is None or isinstance(exc.code, int):
                    code = exc.code or 0
                else:  # sys.exit("message"): printed to stderr, status 1
                    print(exc.code, file=sys.stderr)
                    code = 1
        out, err = capsys.readouterr()
        _close_figures(keep=open_before)
        return CliResult(code, out, err)

    return call


def _figure_numbers() -> set[int]:
    plt = sys.modules.get("matplotlib.pyplot")
    return set(plt.get_fignums()) if plt else set()


def _close_figures(keep: set[int]) -> None:
    plt = sys.modules.get("matplotlib.pyplot")
    for number in set(plt.get_fignums()) - keep if plt else ():
        plt.close(number)


@pytest.fixture(scope="session")
def network():
    """The shipped Chongqing–ASEAN network, loaded once."""
    import sim

    return sim.load_network(NETWORK_DIR)


@pytest.fixture
def network_copy(tmp_path: Path) -> Path:
    """An editable copy of the shipped network folder."""
    target = tmp_path / "net"
    shutil.copytree(NETWORK_DIR, target)
    return target


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows of a CSV file."""
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def write_csv(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    """Write rows under header."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)


def same_rows(*sets: list[dict]) -> bool:
    """Whether lists of KPI rows are equal to the digit (a NaN, no observation, equals a NaN)."""
    from sim.fileio import json_text

    return len({json_text(rows) for rows in sets}) == 1


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A workbench workspace holding a small scenario (the example, a fifth of its demand)."""
    from webkit import small_workspace

    return small_workspace(tmp_path)
