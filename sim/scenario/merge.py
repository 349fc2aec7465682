"""Scenario files as raw tables: read TOML, follow ``extends``, apply overrides, keep provenance.

The order is fixed and documented: the root of the ``extends`` chain is read first, each child is
merged over its parent (tables merge key by key, scalars and arrays replace), and the overrides
(``--set key=value`` or the ``overrides`` mapping of :func:`sim.load_scenario`) are applied last.
For every dotted key the file that last wrote it is remembered, so that a problem is reported
against the file that holds the bad value; overrides are reported as file ``--set``. The typed
reading of the merged table is :mod:`sim.scenario.checker`'s.
"""

from __future__ import annotations

import copy
import dataclasses
import itertools
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.errors import Problem, ScenarioError
from sim.textio import NotTomlError, did_you_mean, parse_toml, read_text

__all__ = ["OVERRIDE_SOURCE", "RawScenario", "apply_overrides", "did_you_mean", "diff_tables"]
__all__ += ["flatten", "load_chain", "lookup", "merge", "parse_set_options"]

#: The "file" that problems in overrides are reported against.
OVERRIDE_SOURCE = "--set"
#: Tables whose keys are ids: an override may change an entry but not invent one field by field.
_COLLECTIONS = {"services": "service", "demand.flows": "flow", "disruptions": "disruption"}

#: How an override adds an entry the files do not have: the whole table in one ``--set``.
_HOW_TO_ADD = {
    "disruptions": '; to add one, set it whole: --set \'disruptions.{0}={{target = "NODE", '
    'start = 2019-02-01, days = 14}}\' (effect = "slow" and factor for a slow-down)',
    "demand.flows": "; to add one, set it whole: --set 'demand.flows.{0}={{...}}'",
}


@dataclass
class RawScenario:
    """A merged raw table and where its keys came from.

    ``origin`` maps each dotted key to the file that last set it; ``files`` are the chain's files
    resolved and ``labels`` as named in messages, root first.
    """

    data: dict[str, Any]
    origin: dict[str, str]
    files: tuple[Path, ...]
    labels: tuple[str, ...]

    def file_of(self, key: str) -> str:
        """The file that set ``key`` (or its nearest enclosing table); the loaded file if none."""
        while key:
            if key in self.origin:
                return self.origin[key]
            key = key.rpartition(".")[0]
        return self.labels[-1]

    def shows(self, label: str) -> bool:
        """Whether errors may print values from file ``label``.

        Yes for the loaded file's folder (and below) and ``--set``; no for a parent elsewhere,
        which may hold what is not the user's to see.
        """
        if label not in self.labels:
            return True
        return self.files[self.labels.index(label)].is_relative_to(self.files[-1].parent)


def lookup(table: Mapping[str, Any], key: str) -> dict[str, Any]:
    """The table at dotted ``key`` inside ``table``, or an empty dict if there is none."""
    found: Any = table
    for part in key.split("."):
        found = found.get(part) if isinstance(found, Mapping) else None
    return found if isinstance(found, dict) else {}


def _merge_into(
    target: dict[str, Any],
    child: Mapping[str, Any],
    prefix: str,
    origin: dict[str, str],
    file: str,
) -> None:
    for key, value in child.items():
        dotted, is_table = f"{prefix}{key}", isinstance(value, Mapping)
        if not (is_table and isinstance(target.get(key), dict)):
            if isinstance(target.get(key), dict):  # a table replaced whole: forget its keys
                for old in [k for k in origin if k.startswith(dotted + ".")]:
                    del origin[old]
            target[key] = {} if is_table else copy.deepcopy(value)
        origin[dotted] = file
        if is_table:
            _merge_into(target[key], value, dotted + ".", origin, file)


def merge(base: Mapping[str, Any], child: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``child`` over ``base``: tables merge recursively, scalars and arrays replace.

    Examples
    --------
    >>> merge({"a": {"x": 1, "y": [1, 2]}, "b": 1}, {"a": {"y": [3]}, "c": 2})
    {'a': {'x': 1, 'y': [3]}, 'b': 1, 'c': 2}

    """
    out: dict[str, Any] = {}
    _merge_into(out, base, "", {}, "")
    _merge_into(out, child, "", {}, "")
    return out


def _read_toml(path: Path, label: str, referrer: tuple[str, str] | None) -> dict[str, Any]:
    if not path.is_file():
        if referrer is None:
            raise ScenarioError([Problem(label, "scenario file not found")])
        rule = f"parent scenario file not found: {label}"
        raise ScenarioError([Problem(referrer[0], rule, column="extends", value=referrer[1])])
    problems: list[Problem] = []
    text = read_text(path, problems)
    if text is None:
        raise ScenarioError([dataclasses.replace(p, file=label) for p in problems])
    try:
        return parse_toml(text)
    except ValueError as exc:
        raise ScenarioError([Problem(label, str(exc))]) from None


def load_chain(path: str | Path) -> RawScenario:
    """Read the file ``path`` and its ``extends`` ancestors and merge them, root first.

    A missing or invalid file, or a cycle in the chain, raises :class:`ScenarioError`.
    """
    chain: list[tuple[Path, str, dict[str, Any]]] = []
    current = Path(path)
    referrer: tuple[str, str] | None = None  # (the file, its extends) that named the current one
    while True:
        label = os.path.normpath(current)
        try:
            resolved = current.resolve()
        except (OSError, RuntimeError):  # a loop of symbolic links
            rule = "is a loop of symbolic links, not a scenario file"
            where = referrer[0] if referrer else label
            raise ScenarioError(
                [Problem(where, rule, column="extends" if referrer else None, value=str(current))]
            ) from None
        if referrer is not None and any(resolved == seen for seen, _, _ in chain):
            names = " -> ".join([lbl for _, lbl, _ in chain] + [label])
            rule = f"extends makes a cycle: {names}"
            raise ScenarioError([Problem(referrer[0], rule, column="extends", value=referrer[1])])
        table = _read_toml(current, label, referrer)
        chain.append((resolved, label, table))
        parent = table.pop("extends", None)
        if parent is None:
            break
        if not isinstance(parent, str) or not parent:
            rule = "must be the path of the parent scenario file"
            raise ScenarioError([Problem(label, rule, column="extends", value=parent)])
        current, referrer = current.parent / parent, (label, parent)
    data: dict[str, Any] = {}
    origin: dict[str, str] = {}
    for _, label, table in reversed(chain):
        _merge_into(data, table, "", origin, label)
    files = tuple(resolved for resolved, _, _ in reversed(chain))
    return RawScenario(data, origin, files, tuple(label for _, label, _ in reversed(chain)))


def _override_problem(
    key: str, parts: list[str], value: Any, data: dict[str, Any]
) -> Problem | None:
    """Why the override ``key`` cannot be applied, or None if it can."""

    def fail(rule: str) -> Problem:
        return Problem(OVERRIDE_SOURCE, rule, column=key, value=value)

    if not all(parts):
        return fail("must be a dotted key such as services.<id>.capacity_teu")
    for prefix, noun in _COLLECTIONS.items():
        entry_id, _, field = key.removeprefix(prefix + ".").partition(".")
        entries = lookup(data, prefix)
        if key.startswith(prefix + ".") and field and entry_id not in entries:
            hint = did_you_mean(entry_id, entries) or _HOW_TO_ADD.get(prefix, "").format(entry_id)
            return fail(f"unknown {noun} {entry_id!r}{hint}")
    table = data
    for i, part in enumerate(parts[:-1]):
        inner = table.get(part, {})
        if not isinstance(inner, dict):
            return fail(f"cannot set a key inside {'.'.join(parts[: i + 1])!r}: not a table")
        table = inner
    return None


def apply_overrides(raw: RawScenario, overrides: Mapping[str, Any]) -> list[Problem]:
    """Apply dotted-key ``overrides`` to ``raw`` in place; return the ones that could not apply.

    A dotted key creates intermediate tables as needed; a table value is merged like a child file.
    Two keys where one lies inside the other (``services.a`` and ``services.a.per_day``) conflict.
    """
    problems: list[Problem] = []
    keys = sorted(str(k) for k in overrides)
    for outer, inner in itertools.pairwise(keys):
        if inner.startswith(outer + "."):
            rule = f"conflicts with override {outer!r}"
            problems.append(Problem(OVERRIDE_SOURCE, rule, column=inner, value=overrides[inner]))
    for key, value in overrides.items():
        parts = str(key).split(".")
        problem = _override_problem(str(key), parts, value, raw.data)
        if problem is not None:
            problems.append(problem)
            continue
        table, prefix = raw.data, ""
        for part in parts[:-1]:
            if part not in table:
                table[part] = {}
                raw.origin[prefix + part] = OVERRIDE_SOURCE
            table, prefix = table[part], f"{prefix}{part}."
        _merge_into(table, {parts[-1]: value}, prefix, raw.origin, OVERRIDE_SOURCE)
    return problems


def parse_set_options(items: Iterable[str]) -> dict[str, Any]:
    """Parse repeated ``--set key=value`` options into an overrides mapping.

    Each value is read as a TOML value (``3``, ``1.5``, ``true``, ``"x"``, ``[1, 2]``,
    ``2019-02-01``); anything that is not valid TOML is kept as a plain string.

    Raises
    ------
    ScenarioError
        If an option has no ``=`` or an empty key, or a key is given twice.

    Examples
    --------
    >>> parse_set_options(["demand.scale=1.2", "name=busy year", "services.a.days=['mon']"])
    {'demand.scale': 1.2, 'name': 'busy year', 'services.a.days': ['mon']}

    """
    out: dict[str, Any] = {}
    problems: list[Problem] = []
    for item in items:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not key or key in out:
            rule = "must be key=value" if not sep or not key else "is given twice"
            problems.append(Problem(OVERRIDE_SOURCE, rule, column=key or None, value=item))
            continue
        try:
            parsed = parse_toml("v = " + text)
            out[key] = parsed["v"] if list(parsed) == ["v"] else text.strip()
        except NotTomlError:  # not a TOML value: kept as text
            out[key] = text.strip()
        except ValueError as exc:  # a value that parses but is too long or too deep
            problems.append(Problem(OVERRIDE_SOURCE, str(exc), column=key, value=text))
            out[key] = text.strip()
    if problems:
        raise ScenarioError(problems)
    return out


def flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Dotted key -> value for every non-table value in ``table`` (arrays are values)."""
    out: dict[str, Any] = {}
    for key, value in table.items():
        if isinstance(value, Mapping):
            out.update(flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def diff_tables(base: Mapping[str, Any], alt: Mapping[str, Any]) -> list[tuple[str, Any, Any]]:
    """Sorted ``(dotted key, base value, alt value)`` where two tables differ (None if absent)."""
    flat_base, flat_alt = flatten(base), flatten(alt)
    keys = sorted(flat_base.keys() | flat_alt.keys())
    return [
        (key, flat_base.get(key), flat_alt.get(key))
        for key in keys
        if key not in flat_base or key not in flat_alt or flat_base[key] != flat_alt[key]
    ]
