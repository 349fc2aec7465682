"""``corridor-sim serve``: the planner's workbench in the browser (the ``web`` extra).

The web libraries are imported inside the handler only, so ``corridor-sim --help`` stays light.
"""

from __future__ import annotations

import argparse
import socket
import sys
from pathlib import Path

from sim.errors import SimError
from sim.options import EXECUTORS, check_address, positive
from sim.shipped import shipped_file

__all__ = ["add_parser", "listen", "url"]


def url(host: str, port: int) -> str:
    """The workbench's address in a browser (an IPv6 host in brackets).

    >>> url("::1", 8000)
    'http://[::1]:8000/'
    >>> url("127.0.0.1", 8000)
    'http://127.0.0.1:8000/'
    """
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def listen(host: str, port: int) -> socket.socket:
    """A socket listening on ``host:port``; a SimError (naming the address) if it cannot be had."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family)
    except OSError as exc:
        raise SimError(
            f"serve: cannot listen on {url(host, port)}: {exc.strerror or exc}"
        ) from None


def _serve(args: argparse.Namespace) -> int:
    try:
        import uvicorn

        from sim.web.app import create_app
    except ImportError as exc:
        raise SimError(
            f"serve: needs the web extra (pip install 'corridor-sim[web]'): {exc.name} is missing"
        ) from None
    check_address(args.executor, args.address)
    if args.port > 65535:
        raise SimError(f"--port: must be <= 65535, got {args.port}")
    if args.scenarios is None:
        library = shipped_file("scenarios", "give the scenario library: --scenarios DIR")
    elif Path(args.scenarios).is_dir():
        library = Path(args.scenarios)
    else:
        raise SimError(f"--scenarios {args.scenarios}: no such folder (the scenario library)")
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(
            f"warning: serving on {args.host}: anyone who reaches this machine can run "
            "experiments and read the workspace (the workbench has no login)",
            file=sys.stderr,
        )
    sock = listen(args.host, args.port)  # before saying where: a port in use is an error first
    app = create_app(args.workspace, library, args.executor, args.address, host=args.host)
    print(f"corridor-sim workbench on {url(args.host, args.port)} (workspace {args.workspace})")
    with sock:
        uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[sock])
    return 0


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``serve`` to the top-level parser."""
    p = commands.add_parser(
        "serve", help="the planner's workbench in the browser: build, run, watch, compare"
    )
    p.add_argument(
        "--workspace",
        metavar="DIR",
        default="workspace",
        help="where built scenarios and runs are kept (workspace)",
    )
    p.add_argument(
        "--scenarios",
        metavar="DIR",
        help="the scenario library to start from (the repository's scenarios/)",
    )
    p.add_argument("--port", type=positive, default=8000, help="port (8000)")
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (127.0.0.1: this machine only; another one warns)",
    )
    p.add_argument(
        "--executor",
        choices=EXECUTORS,
        default="process",
        help="where runs go by default (process: a pool on this machine)",
    )
    p.add_argument(
        "--address", metavar="URL", help="Dask scheduler, tcp://host:8786 (with --executor dask)"
    )
    p.set_defaults(handler=_serve)
