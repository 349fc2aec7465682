"""The options every experiment command shares, and where its runs go.

Their values are checked by the rules of :mod:`sim.options`, which the workbench's forms share:
a bad number is a usage error (exit 2), never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from sim.options import (
    EXECUTORS,
    MAX_REPLICATIONS,
    cap_jobs,
    check_address,
    count,
    positive,
    positive_at_most,
)

if TYPE_CHECKING:
    from sim.experiments.workers import Workers

__all__ = ["add_answer_options", "add_experiment_options", "workers_from"]


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
