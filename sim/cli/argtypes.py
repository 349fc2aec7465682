"""argparse types that turn bad numbers into a usage error (exit 2), never a traceback."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from sim.errors import SimError
from sim.options import EXECUTORS, MAX_REPLICATIONS

if TYPE_CHECKING:
    from sim.experiments.workers import Workers

__all__ = [
    "add_experiment_options",
    "cap_jobs",
    "check_address",
    "count",
    "positive",
    "positive_at_most",
    "workers_from",
]


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


def add_experiment_options(
    parser: argparse.ArgumentParser, replications: int = 30, json: bool = True
) -> None:
    """Add the options every experiment command has: replications, seed, where to run, JSON."""
    parser.add_argument(
        "--replications",
        type=positive_at_most(MAX_REPLICATIONS),
        default=replications,
        help=f"replications ({replications})",
    )
    parser.add_argument("--seed", type=count, help="experiment seed (default: the scenario's)")
    parser.add_argument("--jobs", type=positive, help="workers (default: one per core)")
    parser.add_argument(
        "--executor",
        choices=EXECUTORS,
        default=None,
        help="where runs go (default: a process pool; dask: the distributed extra)",
    )
    parser.add_argument(
        "--address",
        metavar="URL",
        help="Dask scheduler, tcp://host:8786 (default: a local cluster)",
    )
    if json:
        parser.add_argument(
            "--json", action="store_true", help="print the result as one JSON object"
        )


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


def workers_from(args: argparse.Namespace) -> Workers:
    """Where an experiment command's runs go: ``--jobs``, ``--executor``, ``--address``.

    Local workers beyond the cores only slow a run down: ``--jobs`` is capped at the cores, with
    a note (a Dask scheduler elsewhere is given what was asked). Progress bars show when someone
    watches: stderr is a terminal, and no ``--json`` was asked for.
    """
    from sim.experiments.workers import Workers

    check_address(args.executor, args.address)
    jobs, note = cap_jobs(args.jobs, args.address)
    if note:
        print(note, file=sys.stderr)
    progress = sys.stderr.isatty() and not getattr(args, "json", False)
    return Workers(args.executor or "process", jobs, args.address, progress)


def add_answer_options(parser: argparse.ArgumentParser, what: str, every: str) -> None:
    """Add ``--set`` (a key of ``what``), ``--all`` (``every``) and ``--kpi``.

    The options of a command that answers first and gives its tables on request.
    """
    parser.add_argument(
        "--set",
        action="append",
        metavar="KEY=VALUE",
        help=f"override a key of {what} (value parsed as TOML); repeatable",
    )
    parser.add_argument("--all", action="store_true", help=every)
    parser.add_argument(
        "--kpi",
        action="append",
        metavar="PATTERN",
        help="the KPIs matching a pattern (* and ?: 'border_wait_h.*'); repeatable",
    )
