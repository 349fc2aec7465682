"""The what-if builder: a form's fields become a scenario file that ``extends`` its parent.

Every field holds text that is read as ``corridor-sim run --set`` reads a value (a TOML value,
else a string: :func:`sim.scenario.parse_set_options`) and written under its dotted key. The file
is then checked by :func:`sim.load_scenario`, the loader the command line uses, and each
:class:`~sim.errors.Problem` is shown beside the field whose key it names: the same rule and the
same message as ``corridor-sim run FILE``. A file with problems is not kept.
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.errors import Problem, ScenarioError
from sim.scenario import parse_set_options
from sim.textio import toml_value

__all__ = [
    "DISRUPTION_ROWS",
    "Built",
    "build_scenario",
    "field_keys",
    "parent_disruptions",
    "row_errors",
    "row_ids",
    "toml_text",
]

#: How many closures or slow-downs one form can add.
DISRUPTION_ROWS = 2
#: The chain families whose demand the form scales.
CHAINS = ("rail_sea", "road", "intl_rail", "river_sea")
#: A new scenario's name: it is its file's name too.
NAME_RULE = "must match [a-z][a-z0-9_]*, at most 64 characters (it names the file)"


@dataclass
class Built:
    """What the builder made of a form: the file's text, where it went, and any problems."""

    text: str
    path: Path | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)  # field name -> messages

    @property
    def ok(self) -> bool:
        """Whether the scenario was saved (no problem anywhere)."""
        return not self.errors


def row_ids(taken: Collection[str], rows: int = DISRUPTION_ROWS) -> list[str]:
    """The disruption ids of the form's rows: the first free ``planner_k``, not one in ``taken``.

    A what-if of a what-if keeps its parent's disruptions (the files merge by id), so its rows
    number on after them.

    >>> row_ids({"planner_1", "storm"})
    ['planner_2', 'planner_3']
    """
    out: list[str] = []
    k = 1
    while len(out) < rows:
        if f"planner_{k}" not in taken:
            out.append(f"planner_{k}")
        k += 1
    return out


def field_keys(form: Mapping[str, str], taken: Collection[str] = ()) -> dict[str, str]:
    """Each filled-in field's dotted scenario key, by field name (blank fields set nothing).

    ``taken`` are the parent's disruption ids: the rows' disruptions get other ones.
    """
    keys: dict[str, str] = {}
    for name in ("description", "seed", "horizon.start", "horizon.end", "choice.model"):
        keys[name] = name
    keys["demand.scale"] = "demand.scale"
    keys |= {f"demand.chain_scale.{c}": f"demand.chain_scale.{c}" for c in CHAINS}
    for i, ident in enumerate(row_ids(taken), start=1):
        if form.get(f"d{i}.target", "").strip():
            for part in ("target", "start", "days", "effect", "factor"):
                keys[f"d{i}.{part}"] = f"disruptions.{ident}.{part}"
    service = form.get("svc", "").strip()
    if service:
        for part in ("capacity_teu", "per_day"):
            keys[f"svc.{part}"] = f"services.{service}.{part}"
    return {f: k for f, k in keys.items() if form.get(f, "").strip()}


def _nest(flat: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in flat.items():
        *parents, last = key.split(".")
        node = out
        for p in parents:
            node = node.setdefault(p, {})
        node[last] = value
    return out


def toml_text(data: Mapping[str, Any], header: str = "") -> str:
    """``data`` (nested tables of scalars and lists) as TOML: top-level keys first, then tables.

    >>> print(toml_text({"name": "x", "demand": {"scale": 1.5, "chain_scale": {"road": 2}}}))
    name = "x"
    <BLANKLINE>
    [demand]
    scale = 1.5
    <BLANKLINE>
    [demand.chain_scale]
    road = 2
    <BLANKLINE>
    """
    lines = [header] if header else []

    def emit(table: Mapping[str, Any], prefix: str) -> None:
        scalars = {k: v for k, v in table.items() if not isinstance(v, Mapping)}
        if prefix and scalars:
            lines.append(f"\n[{prefix}]")
        lines.extend(f"{k} = {toml_value(v)}" for k, v in scalars.items())
        for k, v in table.items():
            if isinstance(v, Mapping):
                emit(v, f"{prefix}.{k}" if prefix else k)

    emit(data, "")
    return "\n".join(lines).lstrip("\n") + "\n"


def _problem_field(problem: Problem, keys: Mapping[str, str]) -> str:
    """The field a problem belongs beside: the one whose key is the longest prefix of its key.

    A problem of a whole disruption or service (``give exactly one of end and days``) goes beside
    its row (``d1``, ``svc``); one that belongs to no field, under ``""``.
    """
    column = problem.column or ""
    rows = {k.rsplit(".", 1)[0]: f.split(".")[0] for f, k in keys.items() if _ROW.match(f)}
    places = rows | {k: f for f, k in keys.items()}
    matches = [k for k in places if column == k or column.startswith(k + ".")]
    return places[max(matches, key=len)] if matches else ""


def parent_disruptions(scenario: Any) -> set[str]:
    """The disruption ids a scenario has (in its merged data, and as loaded)."""
    ids = set((scenario.data.get("disruptions") or {}).keys())
    return ids | {d.id for d in scenario.disruptions}


#: Fields that belong to a row of the form (a disruption, the service).
_ROW = re.compile(r"(d\d+|svc)\.")


def row_errors(form: Mapping[str, str], services: Collection[str]) -> dict[str, list[str]]:
    """Rows filled in without what they change: a disruption with no target, no service.

    The form would otherwise drop those fields without a word. ``svc`` must name one of the
    parent's ``services``. Errors are keyed by the row (``d1``, ``svc``).
    """
    from sim.textio import did_you_mean

    errors: dict[str, list[str]] = {}
    filled = [f for f, v in form.items() if v.strip() and _ROW.match(f)]
    for i in range(1, DISRUPTION_ROWS + 1):
        parts = [f for f in filled if f.startswith(f"d{i}.") and f != f"d{i}.effect"]
        if parts and not form.get(f"d{i}.target", "").strip():
            errors[f"d{i}"] = ["pick what to close or slow (the field What)"]
    service = form.get("svc", "").strip()
    if service and service not in services:
        errors["svc"] = [f"svc: unknown service {service!r}{did_you_mean(service, services)}"]
    elif not service and any(f.startswith("svc.") for f in filled):
        errors["svc"] = ["pick a service (the field Service)"]
    return errors


def build_scenario(
    form: Mapping[str, str],
    folder: Path,
    parent: Path,
    taken: frozenset[str] = frozenset(),
    parent_scenario: Any | None = None,
) -> Built:
    """Write the form's scenario into ``folder`` if the loader accepts it, else say why.

    ``form["name"]`` names the scenario and its file (not one of the ``taken`` names); ``parent``
    is the file it extends (``parent_scenario``: that file loaded, else it is loaded here). Errors
    are keyed by field name; those of no field are under ``""``.
    """
    from sim.scenario import load_scenario

    if parent_scenario is None:
        parent_scenario = load_scenario(parent)

    name = form.get("name", "").strip()
    errors: dict[str, list[str]] = {}
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,63}", name):
        errors["name"] = [f"name: {NAME_RULE}, got {name!r}"]
    elif name in taken or (folder / f"{name}.toml").exists():
        errors["name"] = [f"name: a scenario {name!r} exists already: give another name"]
    errors |= row_errors(form, set(parent_scenario.services))
    keys = field_keys(form, parent_disruptions(parent_scenario))
    values = parse_set_options(f"{k}={form[f].strip()}" for f, k in keys.items())
    if "description" in keys:  # free text: never read as TOML
        values["description"] = form["description"].strip()
    extends = Path(os.path.relpath(parent.resolve(), folder.resolve())).as_posix()
    head = {"name": name or "unnamed", "extends": extends}
    header = f"# What-if built in corridor-sim serve from {parent.name}."
    text = toml_text({**head, **_nest(values)}, header)
    if errors:
        return Built(text, errors=errors)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{name}.toml"
    check = folder / f".{name}.checking.toml"
    check.write_text(text, encoding="utf-8")
    try:
        load_scenario(check)
    except ScenarioError as exc:
        for p in exc.problems:
            shown = str(p).replace(str(check), str(target))
            errors.setdefault(_problem_field(p, keys), []).append(shown)
        if not exc.problems:
            errors[""] = [str(exc)]
        check.unlink()
        return Built(text, errors=errors)
    check.replace(target)
    return Built(text, target)
