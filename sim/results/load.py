"""Reading a run folder (written by ``corridor-sim run --out``) back into a RunResult."""

from __future__ import annotations

from pathlib import Path

from sim.errors import SimError
from sim.fileio import read_json
from sim.options import TABLE_FORMATS
from sim.results.records import TABLE_COLUMNS
from sim.results.run_result import RunResult
from sim.results.tables import read_table

__all__ = ["load_run"]


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
    tables = {}
    for name in TABLE_COLUMNS:
        found = [
            folder / f"{name}.{fmt}"
            for fmt in TABLE_FORMATS
            if (folder / f"{name}.{fmt}").is_file()
        ]
        if found:
            tables[name] = read_table(found[0])
        elif name not in ("legs", "unserved"):  # the log, and a table older folders lack
            raise SimError(f"{folder}: {name}.csv (or .parquet) is missing")
    return RunResult(
        scenario, manifest["seed"], tables, manifest.get("streams", []), manifest.get("events", 0)
    )
