"""The options shared by the library, the command line and the workbench: names and rules.

Kept in a module of their own with no heavy imports, so that ``corridor-sim --help`` can list
them without loading numpy or the executors.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from typing import Literal, get_args

from sim.errors import SimError

__all__ = [
    "EXECUTORS",
    "KEEP",
    "KINDS",
    "MAX_REPLICATIONS",
    "SENSITIVITY_METHODS",
    "TABLE_FORMATS",
    "ExecutorName",
    "Keep",
    "PlotKind",
    "SensitivityMethod",
    "TableFormat",
    "cap_jobs",
    "check_address",
    "count",
    "positive",
    "positive_at_most",
]

#: Where the runs of an experiment go: this process, a process pool, or a Dask cluster.
ExecutorName = Literal["serial", "process", "dask"]
EXECUTORS: tuple[str, ...] = get_args(ExecutorName)

#: File formats of a run's tables: CSV for spreadsheets, Parquet (the ``analysis`` extra) or
#: compressed numpy (``npz``) to load back fast.
TableFormat = Literal["csv", "parquet", "npz"]
TABLE_FORMATS: tuple[str, ...] = get_args(TableFormat)

#: What a replications folder keeps of each replication besides its KPIs: no tables (``kpis``),
#: the first replication's tables (``first``, the default: enough for the figures of one run,
#: about 5 MB), or every replication's (``tables``, about 5 MB each).
Keep = Literal["kpis", "first", "tables"]
KEEP: tuple[str, ...] = get_args(Keep)

#: Global sensitivity methods: Morris elementary effects, or Sobol indices (both from SALib).
SensitivityMethod = Literal["morris", "sobol"]
SENSITIVITY_METHODS: tuple[str, ...] = get_args(SensitivityMethod)

#: The figures one can ask for by name (``corridor-sim plot --kind``).
PlotKind = Literal[
    "throughput",
    "transit",
    "queues",
    "map",
    "marey",
    "utilisation",
    "cumulative",
    "chains",
    "d2d-parts",
]
KINDS: tuple[PlotKind, ...] = get_args(PlotKind)

#: The most replications one experiment may ask for (the command line, a scenario, sim.replicate).
MAX_REPLICATIONS = 10_000


def count(text: str) -> int:
    """Argparse type: a whole number >= 0 (seeds) -- see :func:`positive` for counts."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {value}")
    return value


def positive(text: str) -> int:
    """Argparse type: a whole number >= 1 (replications, jobs)."""
    value = count(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


def positive_at_most(high: int) -> Callable[[str], int]:
    """Argparse type: a whole number from 1 to ``high`` (a count that could run for ever)."""

    def parse(text: str) -> int:
        value = positive(text)
        if value > high:
            raise argparse.ArgumentTypeError(f"must be <= {high:,}, got {value:,}")
        return value

    return parse


def check_address(executor: str | None, address: str | None) -> None:
    """A SimError if a Dask scheduler ``address`` is given with another executor than dask.

    >>> check_address("process", "tcp://h:8786")
    Traceback (most recent call last):
    sim.errors.SimError: --address tcp://h:8786: needs --executor dask
    """
    if address and executor != "dask":
        raise SimError(f"--address {address}: needs --executor dask")


def cap_jobs(jobs: int | None, address: str | None) -> tuple[int | None, str]:
    """``jobs`` capped at this machine's cores, and the note saying so (else ``""``).

    Local workers beyond the cores only slow a run down; a Dask scheduler elsewhere
    (``address``) is given what was asked.
    """
    cores = os.cpu_count() or 1
    if jobs is None or jobs <= cores or address is not None:
        return jobs, ""
    return cores, f"note: --jobs {jobs} is more than the {cores} cores here; using {cores}"
