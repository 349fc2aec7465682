"""The scenario library: every scenario file, its question, what it changes from its parent.

Scenarios come from the repository's ``scenarios/`` folder and the workspace's own
(``<workspace>/scenarios/``, written by the builder). A scenario is named by its file's stem, unique
over both folders. Loaded scenarios are cached until one of their files changes.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.errors import SimError
from sim.textio import read_toml

__all__ = ["Entry", "Library"]


@dataclass
class Entry:
    """One scenario of the library."""

    key: str  # the file's stem
    path: Path
    own: bool  # written in the workspace
    scenario: Any | None  # None when the file does not load
    error: str = ""

    @property
    def parent(self) -> str | None:
        """The parent's key (the file it ``extends``), if any."""
        if self.scenario is None or len(self.scenario.files) < 2:
            return None
        return Path(self.scenario.files[-2]).stem


def _chain(path: Path) -> list[Path]:
    """The files of ``path``'s ``extends`` chain that can be read (a failed load's files)."""
    files: list[Path] = []
    current: Path | None = path
    while current is not None and current not in files and len(files) < 64:
        files.append(current)
        try:
            parent = read_toml(current).get("extends")
        except SimError:  # gone, no regular file, too big, not TOML: the load says why
            break
        current = current.parent / parent if isinstance(parent, str) else None
    return files


def _stamp(path: Path, scenario: Any | None) -> tuple[float, ...] | None:
    """When the files of a scenario (a failed one: its chain as far as it reads) last changed.

    None if one of them is gone: the scenario is loaded again (and says what is missing).
    """
    files = scenario.files if scenario is not None else _chain(path)
    try:
        return tuple(Path(f).stat().st_mtime for f in files)
    except OSError:
        return None


class Library:
    """The scenarios in ``folders`` (the last one: the workspace's)."""

    def __init__(self, shipped: Path | None, own: Path) -> None:
        self.shipped, self.own = shipped, own
        self._cache: dict[Path, tuple[tuple[float, ...] | None, Any, str]] = {}
        self._lock = threading.Lock()

    def _files(self) -> list[tuple[Path, bool]]:
        found: dict[str, tuple[Path, bool]] = {}
        for folder, own in ((self.shipped, False), (self.own, True)):
            if folder is not None and folder.is_dir():
                for path in sorted(folder.glob("*.toml")):
                    if not path.name.startswith("."):
                        found.setdefault(path.stem, (path.resolve(), own))
        return list(found.values())

    def _load(self, path: Path) -> tuple[Any, str]:
        from sim.scenario import load_scenario

        with self._lock:
            cached = self._cache.get(path)
            if cached is not None and _stamp(path, cached[1]) == cached[0]:
                return cached[1], cached[2]
            try:
                scenario, error = load_scenario(path), ""
            except (SimError, OSError) as exc:
                scenario, error = None, str(exc)
            self._cache[path] = (_stamp(path, scenario), scenario, error)
            return scenario, error

    def entries(self) -> list[Entry]:
        """Every scenario, shipped ones first, each folder by name."""
        out = []
        for path, own in self._files():
            scenario, error = self._load(path)
            out.append(Entry(path.stem, path, own, scenario, error))
        return out

    def get(self, key: str) -> Entry | None:
        """The scenario named ``key``, or None."""
        for path, own in self._files():
            if path.stem == key:
                scenario, error = self._load(path)
                return Entry(key, path, own, scenario, error)
        return None

    def names(self) -> frozenset[str]:
        """Every scenario's key."""
        return frozenset(p.stem for p, _ in self._files())

    def diff(self, entry: Entry) -> list[tuple[str, Any, Any]]:
        """What ``entry`` changes from its parent: ``(key, parent's value, its value)``."""
        from sim.scenario import scenario_diff

        parent = self.get(entry.parent) if entry.parent else None
        if entry.scenario is None or parent is None or parent.scenario is None:
            return []
        skip = {"name", "description"}
        return [d for d in scenario_diff(parent.scenario, entry.scenario) if d[0] not in skip]
