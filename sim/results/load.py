"""Reading a run folder (written by ``corridor-sim run --out``) back into a RunResult.

Tables are read when first used, and the KPIs come from the folder's ``kpis.json``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from sim.errors import SimError
from sim.fileio import nan_for_null, read_json
from sim.model.records import TABLE_COLUMNS, column_dtype
from sim.results.run_result import RunResult
from sim.results.tables import read_table
from sim.scenario.schema import Scenario

__all__ = ["TableFiles", "load_kpis", "load_run", "load_runs"]


def _manifest(folder: Path) -> dict[str, Any]:
    path = folder / "manifest.json"
    if not path.is_file():
        raise SimError(f"{folder}: not a run folder (no manifest.json; see corridor-sim run --out)")
    manifest = read_json(path, "not a run folder of corridor-sim run --out")
    if not isinstance(manifest, dict):
        raise SimError(f"{path}: not a run folder's manifest (not a JSON object)")
    return manifest


def _scenario(folder: Path, files: Any, overrides: Any, network: Any = None) -> Scenario:
    """The scenario of a run folder, from its files, refused if one changed since the run.

    ``network`` is the hashes of the network's files, where the manifest has them (folders
    written before they were kept have none): a changed network file is refused too.
    """
    from sim.results.output import file_hashes
    from sim.scenario import load_scenario

    path = folder / "manifest.json"
    if (
        not isinstance(files, list)
        or not files
        or not all(isinstance(f, dict) and {"path", "sha256"} <= f.keys() for f in files)
    ):
        raise SimError(f"{path}: files must list the scenario files and their sha256")
    for entry in files:
        if not Path(entry["path"]).is_file():
            raise SimError(f"{entry['path']}: the run's scenario file is gone (see {path})")
    kept = (
        [f for f in network if isinstance(f, dict) and {"path", "sha256"} <= f.keys()]
        if isinstance(network, list)
        else []
    )
    for entry in kept:
        if not Path(entry["path"]).is_file():
            raise SimError(f"{entry['path']}: the run's network file is gone (see {path})")
    files = [*files, *kept]
    for entry, hashed in zip(files, file_hashes([f["path"] for f in files]), strict=True):
        if hashed["sha256"] != entry["sha256"]:
            raise SimError(
                f"{entry['path']}: changed since the run in {folder} (its SHA-256 differs from "
                "the manifest's): run it again, or restore the file"
            )
    scenario = load_scenario(files[-1 - len(kept)]["path"], overrides=overrides)
    if kept:  # the network the scenario loads now is the one the run was made on
        made_on = Path(kept[0]["path"]).parent.resolve()
        loads = Path(scenario.network.path).resolve()
        if loads != made_on:
            raise SimError(
                f"{path}: the run was made on the network in {made_on}, but its scenario now "
                f"loads {loads} (a relative network override read from another folder?): run it "
                "again"
            )
    return scenario


#: Tables a run folder may lack: the log is optional, and older folders lack the rest.
_OPTIONAL_TABLES = ("legs", "unserved", "line_visits", "capacity_changes")


def _tables(folder: Path) -> TableFiles:
    tables = TableFiles(folder)
    for name in TABLE_COLUMNS:
        if tables.path(name) is None and name not in _OPTIONAL_TABLES:
            raise SimError(f"{folder}: the {name} table ({name}.npz, .parquet or .csv) is missing")
    return tables


def load_kpis(folder: str | Path) -> list[dict[str, float]]:
    """The KPIs of every run in ``folder``, in replication order (one for a single run's folder).

    Every replication the last call used, whether or not it kept its tables
    (``corridor-sim run --keep``): summaries over replications come from here, figures from
    the runs :func:`load_runs` reads.
    """
    folder = Path(folder)
    if _manifest(folder).get("experiment") is None:
        path = folder / "kpis.json"
        if not path.is_file():
            raise SimError(f"{folder}: the run has no kpis.json: run it again")
        return [nan_for_null(read_json(path, "run it again"))]
    files = sorted((folder / "runs").glob("r[0-9]*.json"))
    n = _used(folder)
    files = [p for p in files if n is None or int(p.stem[1:]) < n]
    if not files:
        raise SimError(f"{folder}: no replication finished: run them again")
    return [nan_for_null(read_json(p, "delete it to run it again")) for p in files]


def _used(folder: Path) -> int | None:
    """How many replications the folder's last call used (``replications.json``), if it says."""
    used = folder / "replications.json"
    if not used.is_file():
        return None
    n = read_json(used, "run the replications again").get("n")
    return n if isinstance(n, int) else None


def load_run(folder: str | Path) -> RunResult:
    """The run in ``folder``: its scenario (from the manifest's files and overrides) and tables.

    A replications folder (``corridor-sim run --replications N --out DIR``) gives its first
    replication; :func:`load_runs` gives them all.

    Raises
    ------
    SimError
        If the folder is not a complete run folder (no manifest, a missing table).
    """
    return load_runs(folder, first_only=True)[0]


def load_runs(folder: str | Path, first_only: bool = False) -> list[RunResult]:
    """Every run in ``folder``, in replication order (one for a single run's folder).

    Replications run before replications kept their tables are left out.

    Raises
    ------
    SimError
        If the folder is not a complete run folder, or holds no run with tables.
    """
    folder = Path(folder)
    manifest = _manifest(folder)
    experiment = manifest.get("experiment")
    if experiment is None:
        if "files" not in manifest or "seed" not in manifest:
            raise SimError(f"{folder}: not a run folder of corridor-sim run --out")
        scenario = _scenario(
            folder, manifest["files"], manifest.get("overrides"), manifest.get("network_files")
        )
        kpis = (
            read_json(folder / "kpis.json", "run it again")
            if (folder / "kpis.json").is_file()
            else None
        )
        return [
            RunResult(
                scenario,
                manifest["seed"],
                _tables(folder),
                manifest.get("streams", []),
                manifest.get("events", 0),
                kpis=nan_for_null(kpis) if isinstance(kpis, dict) else None,
            )
        ]
    if not isinstance(experiment, dict) or experiment.get("grid") not in ({}, None):
        raise SimError(f"{folder}: holds a sweep or an analysis, not replications of one scenario")
    scenario = _scenario(
        folder, experiment.get("files"), experiment.get("overrides"), experiment.get("network")
    )
    from sim.model.streams import replication_seeds

    # The replications the last call used (older folders: every one kept), with their KPIs:
    # a tables folder without its KPIs is a run cut short between the two.
    kept = sorted(
        p
        for p in (folder / "runs").glob("r[0-9]*")
        if p.is_dir() and p.with_suffix(".json").is_file()
    )
    n = _used(folder)
    kept = [p for p in kept if n is None or int(p.name[1:]) < n]
    if first_only:
        kept = kept[:1]
    if not kept:
        raise SimError(
            f"{folder}: no replication kept its tables (run with --keep kpis, or before tables "
            "were kept): run them again into a new --out with --keep first or --keep tables"
        )
    seeds = replication_seeds(int(experiment["seed"]), int(kept[-1].name[1:]) + 1)
    runs = []
    for run_dir in kept:
        kpis = read_json(run_dir.with_suffix(".json"), "delete it to run it again")
        runs.append(
            RunResult(
                scenario,
                seeds[int(run_dir.name[1:])],
                _tables(run_dir),
                [],
                kpis=nan_for_null(kpis) if isinstance(kpis, dict) else None,
            )
        )
    return runs


class TableFiles(Mapping[str, dict[str, np.ndarray]]):
    """The tables of a run folder, each read from its file the first time it is asked for.

    A figure that needs the departures only reads the departures.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._read: dict[str, dict[str, np.ndarray]] = {}

    def path(self, name: str) -> Path | None:
        """The file holding table ``name`` (the fastest format there is), or None."""
        for fmt in ("npz", "parquet", "csv"):
            path = self.folder / f"{name}.{fmt}"
            if path.is_file():
                return path
        return None

    def __getitem__(self, name: str) -> dict[str, np.ndarray]:
        if name not in self._read:
            path = self.path(name) if name in TABLE_COLUMNS else None
            if path is None:
                raise KeyError(name)
            # typed by the log's schema: a CSV cannot tell the type of an empty column
            self._read[name] = {
                column: values.astype(column_dtype(column), copy=False)
                for column, values in read_table(path).items()
            }
        return self._read[name]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in TABLE_COLUMNS and self.path(name) is not None

    def __iter__(self) -> Iterator[str]:
        return (name for name in TABLE_COLUMNS if self.path(name) is not None)

    def __len__(self) -> int:
        return sum(1 for _ in self)
