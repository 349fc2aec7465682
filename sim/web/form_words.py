"""The what-if form's fields as the planner reads them: labels, hints and messages.

A message names the field the planner filled in ("Closure 1 — start: must be a date or a local
date-time, got '2019-13-01'"), never the file the builder checks nor the ids it gives the
form's rows: the rule and the value are the loader's, word for word, as ``corridor-sim run``
prints them after its ``FILE: KEY:``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sim.errors import Problem, shown
from sim.results.routes import CHAIN_LABELS

__all__ = [
    "CHAINS",
    "builder_fields",
    "field_name",
    "field_order",
    "message",
    "problem_message",
]

#: The chain families whose demand the form scales.
CHAINS = ("rail_sea", "road", "intl_rail", "river_sea")

#: Each field of the form: how its message names it, and its label beside the box.
_FIELDS: dict[str, tuple[str, str]] = {
    "parent": ("Start from", "Start from"),
    "name": ("Name", "Name (its file's name)"),
    "description": ("Question", "Question it asks"),
    "seed": ("Seed", "Seed"),
    "horizon.start": ("Horizon start", "Horizon start (a date)"),
    "horizon.end": ("Horizon end", "Horizon end (the day after the last)"),
    "svc": ("Service", "Service"),
    "svc.capacity_teu": ("Service — capacity", "Capacity, TEU a vehicle"),
    "svc.per_day": ("Service — departures a day", "Departures a day (timetable)"),
    "demand.scale": ("Scale all demand", "Scale all demand"),
    **{
        f"demand.chain_scale.{c}": (f"Scale {label} demand", f"Scale {label} demand")
        for c, label in CHAIN_LABELS.items()
        if c in CHAINS
    },
    "choice.model": ("Route choice", "Route choice"),
}
#: The parts of a closure's row: how a message names each, and its label.
_ROW: dict[str, tuple[str, str]] = {
    "target": ("what", "What"),
    "effect": ("effect", "Effect"),
    "start": ("start", "Start (a date)"),
    "days": ("days", "Days it lasts"),
    "factor": ("slower by", "Slower by, × (slow only)"),
}
_ROW_FIELD = re.compile(r"d(\d+)(?:\.(\w+))?")


def field_name(field: str) -> str:
    """How a message names a field: ``Closure 1 — start`` for ``d1.start``; ``""``: no field.

    >>> field_name("d1.start"), field_name("demand.chain_scale.road"), field_name("d2")
    ('Closure 1 — start', 'Scale road demand', 'Closure 2')
    """
    row = _ROW_FIELD.fullmatch(field)
    if row:
        part = row.group(2)
        return f"Closure {row.group(1)}" + (f" — {_ROW[part][0]}" if part in _ROW else "")
    return _FIELDS[field][0] if field in _FIELDS else field


def field_order(field: str) -> tuple[int, int, int]:
    """Where a field is in the form, top to bottom (to list the problems in that order).

    >>> sorted(["svc", "d1.days", "d1.target", "seed", ""], key=field_order)
    ['', 'seed', 'd1.target', 'd1.days', 'svc']
    """
    order = list(_FIELDS)
    row = _ROW_FIELD.fullmatch(field)
    if row:  # the closures come after the horizon, each row's parts as the form has them
        parts = list(_ROW)
        part = parts.index(row.group(2)) + 1 if row.group(2) in parts else 0
        return (order.index("horizon.end"), int(row.group(1)), part)
    return (order.index(field) if field in order else -1 if not field else len(order), 0, 0)


def message(field: str, text: str) -> str:
    """``text`` (a rule and the value) said of ``field``: ``Seed: must be >= 0, got -1``."""
    name = field_name(field)
    return f"{name}: {text}" if name else text


def problem_message(field: str, problem: Problem, parent: str, key: str = "") -> str:
    """The loader's ``problem`` said of the form's ``field`` (its rule and value as they are).

    ``key`` is what the field sets: a problem of another key the field brought in (a logit
    route choice needs ``choice.markets``, which the ``parent`` lacks) names that key too. A
    problem of no field (a setting of the parent a change broke: its horizon now misses one of
    the parent's closures) names the key, and the parent it comes from.
    """
    got = "" if problem.value is None else f", got {shown(problem.value)}"
    column = problem.column or ""
    if field:
        other = key and column and column != key and not column.startswith(key + ".")
        of = f" ({column}, a setting of {parent})" if other else ""
        return message(field, f"{problem.rule}{got}{of}")
    where = f"{column} (a setting of {parent})" if column else parent
    return f"{where}: {problem.rule}{got}"


def builder_fields(scenario: Any, rows: int) -> dict[str, dict[str, str]]:
    """Per field its ``label``, its ``placeholder`` (an example) and its ``hint``.

    A field a blank keeps as the parent has it says so in its hint, with the parent's value (as
    a grey example in the box it would look like a value filled in); examples start "e.g.".
    """
    data: Mapping[str, Any] = scenario.data
    demand = data.get("demand") or {}
    by_chain = demand.get("chain_scale") or {}
    kept = {
        "seed": scenario.seed,
        "horizon.start": scenario.horizon.start,
        "horizon.end": scenario.horizon.end,
        "demand.scale": demand.get("scale", 1.0),
        **{f"demand.chain_scale.{c}": by_chain.get(c, 1.0) for c in CHAINS},
    }
    out = {f: {"label": label, "placeholder": "", "hint": ""} for f, (_, label) in _FIELDS.items()}
    for f, value in kept.items():
        out[f]["hint"] = f"blank: the parent's, {value}"
    examples = {
        "name": "e.g. youyiguan_closed_feb",
        "description": "e.g. What if Youyiguan closes 30 days in February?",
        "svc.capacity_teu": "e.g. 3",
        "svc.per_day": "e.g. 2",
    }
    for f, example in examples.items():
        out[f]["placeholder"] = example
    out["name"]["hint"] = "lower-case letters, digits and _"
    out["svc.capacity_teu"]["hint"] = out["svc.per_day"]["hint"] = "blank: the service's own"
    for i in range(1, rows + 1):
        for part, (_, label) in _ROW.items():
            out[f"d{i}.{part}"] = {"label": label, "placeholder": "", "hint": ""}
        out[f"d{i}.start"]["placeholder"] = f"e.g. {scenario.horizon.start:%Y}-02-01"
        out[f"d{i}.days"]["placeholder"] = "e.g. 30"
        out[f"d{i}.factor"]["placeholder"] = "e.g. 2"
        out[f"d{i}.factor"]["hint"] = "2: twice as slow"
    return out
