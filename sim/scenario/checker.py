"""Reading typed values out of a merged scenario table, one Problem per broken rule."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from sim.errors import Problem
from sim.scenario import merge as mg
from sim.textio import ID

__all__ = ["Checker"]


class Checker:
    """Reads typed values out of the merged table, recording a Problem per broken rule."""

    def __init__(self, raw: mg.RawScenario, problems: list[Problem]) -> None:
        self.raw, self.problems, self.network = raw, problems, None

    def fail(self, key: str, rule: str, value: Any = None) -> None:
        """Record that ``key`` breaks ``rule`` with ``value``, against the file that set it.

        A value from a parent file outside the loaded file's folder is not shown.
        """
        file = self.raw.file_of(key)
        if value is not None and not self.raw.shows(file):
            value, rule = None, f"{rule} (its value is not shown: the file is outside the folder)"
        self.problems.append(Problem(file, rule, column=key, value=value))

    def read(self, prefix: str, table: Mapping[str, Any], spec: dict) -> dict[str, Any]:
        """Each key of ``spec`` read from ``table`` (None where broken); unknown keys reported."""
        dot = f"{prefix}." if prefix else ""
        for name in sorted(table.keys() - spec.keys()):
            value = None if isinstance(table[name], Mapping) else table[name]
            self.fail(dot + name, "unknown key" + mg.did_you_mean(name, spec), value)
        out = {}
        for name, (kind, default, rule) in spec.items():
            value, out[name] = table.get(name), None
            if name not in table:
                out[name] = None if default is mg.REQUIRED else default
                if default is mg.REQUIRED:
                    self.fail(dot + name, "is required")
            elif not mg.is_kind(kind, value):
                self.fail(dot + name, f"must be {mg.WHAT[kind]}", value)
            elif rule is not None and not rule[0](value):
                self.fail(dot + name, rule[1], value)
            else:
                convert = {"int": int, "float": float, "strs": tuple}.get(kind, lambda v: v)
                out[name] = tuple(map(float, value)) if kind == "floats" else convert(value)
        return out

    def entries(self, key: str, table: dict[str, Any], spec: dict) -> Iterator[tuple]:
        """(id, dotted key, values read by ``spec``) of each entry of a table of tables."""
        for entry_id, entry in table.items():
            if not ID.match(entry_id):
                rule = "id must match [a-z][a-z0-9_]*, at most 64 characters"
                self.fail(f"{key}.{entry_id}", rule, entry_id)
            if not isinstance(entry, dict):
                self.fail(f"{key}.{entry_id}", "must be a table", entry)
            else:
                yield entry_id, f"{key}.{entry_id}", self.read(f"{key}.{entry_id}", entry, spec)

    def known(self, key: str, value: Any, known: Mapping[str, Any] | None, noun: str) -> Any:
        """``value`` if it is one of ``known`` (or cannot be checked), else None and a problem."""
        if value is None or known is None or value in known:
            return value
        self.fail(key, f"unknown {noun}{mg.did_you_mean(value, known)}", value)
        return None
