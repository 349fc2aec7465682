"""An experiment's run folder: what the experiment is, and every run it finished.

:func:`experiment_store` opens (or makes) the folder of an experiment, takes it for this writer
alone, and checks that it holds this experiment and no other; :class:`RunStore` keeps each
finished run there, so an interrupted experiment resumes where it stopped.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.errors import SimError
from sim.fileio import nan_for_null, read_json, write_json_atomic
from sim.folders import FolderLock, clean_temporary_files
from sim.options import Keep

if TYPE_CHECKING:
    from sim.scenario import Scenario

__all__ = ["FIRST_KEY", "RunStore", "experiment_store"]

#: The key of a replications folder's first replication (``runs/r0000``).
FIRST_KEY = "r0000"


class RunStore:
    """A folder holding one experiment: ``manifest.json`` and one JSON file per finished run.

    The manifest says what the experiment is (scenario and network files with their hashes,
    overrides, grid, seed, package version and git revision); opening a folder that holds another
    experiment is refused rather than mixed. ``keep`` says which runs also keep their tables in
    ``runs/<key>/`` (:data:`~sim.options.Keep`: none, the first replication's, or every run's),
    written before their KPIs: a run with KPIs has its tables.

    The store holds the folder's :class:`~sim.folders.FolderLock` from before it reads the
    manifest until :meth:`close` (or the end of a ``with`` block): a second writer is refused,
    and the temporary files a killed writer left are cleaned once the lock is taken.
    """

    def __init__(
        self,
        folder: str | Path,
        identity: dict[str, Any],
        manifest: dict[str, Any],
        keep: Keep = "kpis",
    ):
        self.folder = Path(folder)
        self.keep = keep
        self._lock: FolderLock | None = None
        identity = json.loads(json.dumps(identity, default=str))  # as the file will hold it
        path = self.folder / "manifest.json"
        try:
            if self.folder.exists() and not self.folder.is_dir():
                raise SimError(f"--out {folder}: exists and is not a folder")
            self.folder.mkdir(parents=True, exist_ok=True)
            self._lock = FolderLock(self.folder)
            clean_temporary_files(self.folder)
            clean_temporary_files(self.folder / "runs")
            if path.is_file():  # resuming: the first manifest stays, the experiment must match
                if read_json(path, "delete it to run it again").get("experiment") != identity:
                    raise SimError(
                        f"{folder}: holds a different experiment (other inputs or code; "
                        "see its manifest.json): give another --out"
                    )
            else:
                write_json_atomic(path, {"experiment": identity, **manifest})
        except OSError as exc:
            self.close()
            raise SimError(f"--out {folder}: cannot write there ({exc.strerror})") from None
        except SimError:
            self.close()
            raise

    def close(self) -> None:
        """Let go of the folder: another writer may take it from now on."""
        if self._lock is not None:
            self._lock.release()

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _path(self, key: str) -> Path:
        return self.folder / "runs" / f"{key}.json"

    def tables_dir(self, key: str) -> str | None:
        """Where run ``key`` keeps its tables (``runs/<key>/``), or None if it keeps none."""
        kept = self.keep == "tables" or (self.keep == "first" and key == FIRST_KEY)
        return str(self.folder / "runs" / key) if kept else None

    def get(self, key: str) -> dict[str, float] | None:
        """The stored KPIs of run ``key``, or None (to run it).

        A run this store keeps tables of, kept earlier without them (under a narrower ``keep``),
        runs again: the same seed gives the same run, now with its tables.
        """
        path = self._path(key)
        tables = self.tables_dir(key)
        if not path.is_file() or (tables is not None and not Path(tables).is_dir()):
            return None
        return nan_for_null(read_json(path, "delete it to run it again"))

    def put(self, key: str, kpis: dict[str, float]) -> None:
        """Keep the KPIs of run ``key`` (atomically); a failed write is a :class:`SimError`."""
        try:
            write_json_atomic(self._path(key), kpis)
        except OSError as exc:  # a full disk: what is kept stays, and running again resumes
            raise SimError(
                f"--out {self.folder}: cannot keep run {key} there ({exc.strerror}); the runs "
                "kept so far are whole: free some room and run the same command to resume"
            ) from None


def experiment_store(
    out: str | Path, scenario: Scenario, seed: int, grid: Any, keep: Keep = "kpis"
) -> RunStore:
    """The run folder of an experiment: what it is (inputs and code), and what ran it.

    ``grid`` is what else tells this experiment from another on the same inputs: a sweep's grid,
    a calibration's or sensitivity analysis's list of points (anything JSON can hold). ``keep``
    says which runs keep their tables too (replications: for figures and reports).
    """
    from sim import __version__
    from sim.results.output import code_hash, environment, file_hashes, network_hashes

    env = environment()
    net = Path(scenario.network.path)
    identity = {
        "scenario": scenario.name,
        "files": file_hashes(scenario.files),
        "network": network_hashes(net),
        "overrides": dict(scenario.overrides),
        "seed": seed,
        "grid": dict(grid) if isinstance(grid, Mapping) else grid,
        "corridor_sim": __version__,
        "code_sha256": code_hash(),  # the package's source as it is, committed or not
    }
    seeding = (
        "replication i runs with numpy SeedSequence(seed).spawn(n)[i].generate_state(1)[0]; "
        "each random source of a run with SeedSequence(run seed, spawn_key=(crc32(name),))"
    )
    return RunStore(out, identity, {"seed_scheme": seeding, **env}, keep)
