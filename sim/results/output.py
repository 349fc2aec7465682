"""Run output folders: ``kpis.json``, the tables and event log, and ``manifest.json``.

Every file is written atomically (temporary file, then rename), and the manifest last: a folder
with a manifest is complete, and an interrupted run never leaves a half-written file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import json
import platform
import shutil
import subprocess
import sys
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from sim.errors import SimError
from sim.fileio import write_json_atomic
from sim.folders import FolderLock, check_replaceable, clean_stale, staging_path, swap_in
from sim.options import TableFormat
from sim.results.run_result import RunResult
from sim.results.tables import write_table

__all__ = [
    "check_run_folder",
    "code_hash",
    "environment",
    "event_log",
    "file_hashes",
    "manifest",
    "network_hashes",
    "write_run",
    "write_tables",
]

_PACKAGES = ("corridor-sim", "simpy", "numpy", "networkx", "matplotlib", "pandas", "pyarrow")


def event_log(res: RunResult) -> dict[str, np.ndarray]:
    """The process-mining event log: one row per consignment event, in time order.

    Columns: ``consignment`` (case id), ``activity`` (created, ready, depart, arrive, delivered),
    ``time_h``, ``node``, ``service`` and ``vehicle`` (0 where none). ``ready``, ``depart`` and
    ``arrive`` come from the ``legs`` table and are present only when the event log was on.
    """
    cons = res.tables["consignments"]
    done = ~np.isnan(cons["delivered_h"])
    n = len(cons["teu"])
    parts = [
        (
            cons["consignment"],
            np.full(n, "created"),
            cons["created_h"],
            cons["origin"],
            np.full(n, ""),
            np.zeros(n, dtype=np.int64),
        ),
        (
            cons["consignment"][done],
            np.full(done.sum(), "delivered"),
            cons["delivered_h"][done],
            cons["destination"][done],
            np.full(done.sum(), ""),
            np.zeros(done.sum(), dtype=np.int64),
        ),
    ]
    legs = res.tables.get("legs")
    if legs is not None:
        m = len(legs["stage"])
        for activity, time_col, node_col, vehicle in (
            ("ready", "ready_h", "node_from", np.zeros(m, dtype=np.int64)),
            ("depart", "depart_h", "node_from", legs["vehicle"]),
            ("arrive", "arrive_h", "node_to", legs["vehicle"]),
        ):
            parts.append(
                (
                    legs["consignment"],
                    np.full(m, activity),
                    legs[time_col],
                    legs[node_col],
                    legs["service"],
                    vehicle,
                )
            )
    columns = ("consignment", "activity", "time_h", "node", "service", "vehicle")
    log = {c: np.concatenate([p[i] for p in parts]) for i, c in enumerate(columns)}
    order = np.lexsort((log["consignment"], log["time_h"]))
    return {c: v[order] for c, v in log.items()}


def _git_revision() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            cwd=Path(__file__).parent,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def _versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def file_hashes(paths: Iterable[str]) -> list[dict[str, str]]:
    """``[{"path", "sha256"}]`` of each file."""
    return [{"path": p, "sha256": hashlib.sha256(Path(p).read_bytes()).hexdigest()} for p in paths]


#: The files of a network folder that make the network (a README or an editor's file does not).
NETWORK_FILES = ("links.csv", "meta.toml", "nodes.csv")


def network_hashes(folder: str | Path) -> list[dict[str, str]]:
    """:func:`file_hashes` of the network's own files (:data:`NETWORK_FILES`), in name order."""
    return file_hashes(str(Path(folder) / name) for name in NETWORK_FILES)


@functools.cache
def code_hash() -> str:
    """SHA-256 over the package's Python files (path and content): the code that runs."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def environment() -> dict[str, Any]:
    """Package versions, git revision, command line and time: what ran an experiment."""
    return {
        "versions": _versions(),
        "git_revision": _git_revision(),
        "command": sys.argv,
        "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def manifest(res: RunResult, wall_s: float | None = None) -> dict[str, Any]:
    """What made this run: scenario files and hashes, overrides, seed tree, versions, revision."""
    sc = res.scenario
    files = file_hashes(sc.files)
    return {
        "scenario": sc.name,
        "files": files,
        "network": sc.network.path,
        "network_files": network_hashes(sc.network.path),
        "overrides": dict(sc.overrides),
        "seed": res.seed,
        "streams": res.streams,
        "seed_scheme": "numpy SeedSequence(seed, spawn_key=(crc32(stream name),)), PCG64",
        **environment(),
        "wall_s": wall_s,
        "events": res.events,
    }


def write_run(
    res: RunResult,
    out: str | Path,
    wall_s: float | None = None,
    fmt: TableFormat = "npz",
    force: bool = False,
) -> Path:
    """Write one run into folder ``out``; return the folder.

    KPIs, every table and the event log (as ``csv``, ``parquet`` or ``npz``), then the
    manifest. The files are written into a new folder beside ``out``, which then takes its
    place whole: ``out`` never mixes the files of two runs, and a folder with a manifest is
    complete. A non-empty ``out`` that is not an earlier single run's folder (a replications
    folder, other files) is refused unless ``force``.
    """
    folder = check_run_folder(out, force)
    clean_stale(folder)
    fresh = staging_path(folder, "new")
    try:
        write_json_atomic(fresh / "kpis.json", res.kpis())
        for name, columns in res.tables.items():
            write_table(columns, fresh / f"{name}.{fmt}")
        write_table(event_log(res), fresh / f"events.{fmt}")
        write_json_atomic(fresh / "manifest.json", manifest(res, wall_s))
        # an experiment writing into the folder holds its lock: it is not replaced under it
        with FolderLock(folder) if folder.is_dir() else contextlib.nullcontext():
            swap_in(fresh, folder)
    except OSError as exc:
        raise SimError(f"{folder}: cannot be written ({exc.strerror or exc})") from None
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
    return folder


def write_tables(res: RunResult, out: str | Path, fmt: TableFormat | None = None) -> Path:
    """Write a run's tables into folder ``out`` (new, or replaced whole); return the folder.

    ``fmt`` defaults to the fast format here (:func:`sim.results.tables.fast_format`). The
    tables go into a new folder beside ``out`` that then takes its place: ``out`` holds all of
    one run's tables or none.
    """
    from sim.results.tables import fast_format

    folder, fmt = Path(out), fmt or fast_format()
    clean_stale(folder)
    fresh = staging_path(folder, "new")
    try:
        for name, columns in res.tables.items():
            write_table(columns, fresh / f"{name}.{fmt}")
        swap_in(fresh, folder)
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
    return folder


def check_run_folder(out: str | Path, force: bool = False) -> Path:
    """The folder (links resolved) a single run may be written to, or a :class:`SimError`.

    It must be new, empty, an earlier single run's, or (with ``force``) anything that can be
    replaced whole: never a file, nor a folder that is or holds the working folder, the home
    folder or a mount point (:func:`sim.folders.check_replaceable`).
    """
    try:
        folder = Path(out).resolve()
    except (OSError, RuntimeError):  # a loop of symbolic links
        raise SimError(f"--out {out}: is a loop of symbolic links, not a folder") from None
    if folder.exists() and not folder.is_dir():
        raise SimError(f"--out {out}: exists and is not a folder")
    check_replaceable(folder, out)
    if folder.is_dir() and any(folder.iterdir()) and not force and not _single_run(folder):
        raise SimError(
            f"--out {out}: holds files that are not a single run's (a replications folder, or "
            "other files); give a new or empty folder, or --force to replace it whole"
        )
    return folder


def _single_run(folder: Path) -> bool:
    """Whether ``folder`` holds the output of one earlier ``run --out`` (its manifest says so)."""
    try:
        found = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(found, dict) and "seed" in found and "experiment" not in found
