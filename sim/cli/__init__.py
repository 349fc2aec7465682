"""The ``corridor-sim`` command line (also ``python -m sim``).

Input problems (:class:`~sim.errors.SimError`) print one clear message and exit with status 2,
without a traceback; ``--debug`` shows the traceback as well.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from concurrent.futures import BrokenExecutor

from sim import __version__
from sim.answers.text import printable
from sim.cli import (
    calibrate_cmd,
    choice_cmd,
    compare_cmd,
    network_cmd,
    plot_cmd,
    run_cmd,
    sensitivity_cmd,
    serve_cmd,
    sweep_cmd,
    validate_cmd,
)
from sim.errors import ModelError, SimError

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="corridor-sim",
        description="Simulate the Chongqing–ASEAN freight corridor (New International Land-Sea "
        "Trade Corridor).",
    )
    parser.add_argument("--version", action="version", version=f"corridor-sim {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of input errors")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    run_cmd.add_parser(commands)
    validate_cmd.add_parser(commands)
    calibrate_cmd.add_parser(commands)
    compare_cmd.add_parser(commands)
    sweep_cmd.add_parser(commands)
    sensitivity_cmd.add_parser(commands)
    choice_cmd.add_parser(commands)
    plot_cmd.add_parser(commands)
    network_cmd.add_parser(commands)
    serve_cmd.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except ModelError:
        raise  # a broken invariant is a bug in the model, not a user error: keep the traceback
    except SimError as exc:
        if args.debug:
            raise
        print(f"corridor-sim: error:\n{printable(str(exc))}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and the like
        return 0
    except OSError as exc:  # a path given on the command line cannot be read or written
        if args.debug or not exc.filename:
            raise  # not about a file: a bug or the machine, keep the traceback
        print(f"corridor-sim: error:\n{exc.filename}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except (KeyboardInterrupt, BrokenExecutor) as exc:  # Ctrl-C, or a worker killed
        out = getattr(args, "out", None)
        kept = f"; finished runs are kept in {out}: run the same command again to resume"
        what = "interrupted" if isinstance(exc, KeyboardInterrupt) else f"a worker died ({exc})"
        print(f"corridor-sim: {what}{kept if out else ''}", file=sys.stderr)
        return 130 if isinstance(exc, KeyboardInterrupt) else 1
