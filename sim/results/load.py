"""Reading a run folder (written by ``corridor-sim run --out``) back into a RunResult.

Tables are read when first used, and the KPIs come from the folder's ``kpis.json``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

import numpy as np

from sim.errors import SimError
from sim.fileio import nan_for_null, read_json
from sim.results.records import TABLE_COLUMNS, column_dtype
from sim.results.run_result import RunResult
from sim.results.tables import read_table

__all__ = ["TableFiles", "load_run"]


def load_run(folder: str | Path) -> RunResult:
    """The run in ``folder``: its scenario (from the manifest's files and overrides) and tables.

    Raises
    ------
    SimError
        If the folder is not a complete run folder (no manifest, a missing table).
    """
    from sim.results.output import file_hashes
    from sim.scenario import load_scenario

    folder = Path(folder)
    path = folder / "manifest.json"
    if not path.is_file():
        raise SimError(f"{folder}: not a run folder (no manifest.json; see corridor-sim run --out)")
    manifest = read_json(path, "not a run folder of corridor-sim run --out")
    if not isinstance(manifest, dict):
        raise SimError(f"{path}: not a run folder's manifest (not a JSON object)")
    if "files" not in manifest or "seed" not in manifest or "experiment" in manifest:
        raise SimError(
            f"{folder}: holds replications' KPIs only; plots need one run's tables "
            "(corridor-sim run SCENARIO --out DIR)"
        )
    files = manifest["files"]
    if (
        not isinstance(files, list)
        or not files
        or not all(isinstance(f, dict) and {"path", "sha256"} <= f.keys() for f in files)
    ):
        raise SimError(f"{path}: files must list the scenario files and their sha256")
    for entry in files:
        if not Path(entry["path"]).is_file():
            raise SimError(f"{entry['path']}: the run's scenario file is gone (see {path})")
    for entry, now in zip(files, file_hashes([f["path"] for f in files]), strict=True):
        if now["sha256"] != entry["sha256"]:
            raise SimError(
                f"{entry['path']}: changed since the run in {folder} (its SHA-256 differs from "
                "the manifest's): run it again, or restore the file"
            )
    scenario = load_scenario(files[-1]["path"], overrides=manifest.get("overrides"))
    tables = TableFiles(folder)
    for name in TABLE_COLUMNS:
        if tables.path(name) is None and name not in ("legs", "unserved"):
            # the log is optional, and older folders lack the unserved vehicles
            raise SimError(f"{folder}: the {name} table ({name}.npz, .parquet or .csv) is missing")
    kpis_file = folder / "kpis.json"
    kpis = read_json(kpis_file, "run the scenario again") if kpis_file.is_file() else None
    return RunResult(
        scenario,
        manifest["seed"],
        tables,
        manifest.get("streams", []),
        manifest.get("events", 0),
        kpis=nan_for_null(kpis) if isinstance(kpis, dict) else None,
    )


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
