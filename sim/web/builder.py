"""The what-if builder: a form's fields become a scenario file that ``extends`` its parent.

Every field holds text that is read as ``corridor-sim run --set`` reads a value (a TOML value,
else a string: :func:`sim.scenario.parse_set_options`) and written under its dotted key. The file
is then checked by :func:`sim.load_scenario`, the loader the command line uses, and each
:class:`~sim.errors.Problem` is shown beside the field whose key it names: the same rule and
value as ``corridor-sim run FILE`` gives, said of the form's field (:mod:`sim.web.form_words`),
not of the file checked or the ids the form's rows get. Every problem of a form is found at once,
a bad name with the rest. A file with problems is not kept.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.errors import Problem, ScenarioError
from sim.scenario import parse_set_options
from sim.textio import toml_value
from sim.web.form_words import CHAINS, field_order, message, problem_message

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
#: A new scenario's name: it is its file's name too.
NAME_RULE = (
    "must be lower-case letters, digits and _, starting with a letter, at most 64 characters "
    "(it names the file)"
)
#: The parts of a closure's row, and what each sets of its disruption.
ROW_PARTS = ("target", "start", "days", "effect", "factor")


@dataclass
class Built:
    """What the builder made of a form: the file's text, where it went, and any problems."""

    text: str
    path: Path | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)  # field -> messages, form order

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


def field_keys(
    form: Mapping[str, str], taken: Collection[str] = (), blank: bool = False
) -> dict[str, str]:
    """Each filled-in field's dotted scenario key, by field name (blank fields set nothing).

    ``taken`` are the parent's disruption ids: the rows' disruptions get other ones. With
    ``blank``, the keys of the blank fields too (of a row with a target, of the service picked):
    where a problem of a key the form left out, such as a closure's missing start, belongs.
    """
    keys: dict[str, str] = {}
    for name in ("description", "seed", "horizon.start", "horizon.end", "choice.model"):
        keys[name] = name
    keys["demand.scale"] = "demand.scale"
    keys |= {f"demand.chain_scale.{c}": f"demand.chain_scale.{c}" for c in CHAINS}
    for i, ident in enumerate(row_ids(taken), start=1):
        if form.get(f"d{i}.target", "").strip():
            for part in ROW_PARTS:
                keys[f"d{i}.{part}"] = f"disruptions.{ident}.{part}"
    service = form.get("svc", "").strip()
    if service:
        for part in ("capacity_teu", "per_day"):
            keys[f"svc.{part}"] = f"services.{service}.{part}"
    return {f: k for f, k in keys.items() if form.get(f, "").strip() or (blank and _ROW.match(f))}


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

    A problem of a whole disruption or service goes beside its row (``d1``, ``svc``); one that
    belongs to no field, under ``""``.
    """
    column = problem.column or ""
    rows = {k.rsplit(".", 1)[0]: f.split(".")[0] for f, k in keys.items() if _ROW.match(f)}
    places = rows | {k: f for f, k in keys.items()}
    matches = [k for k in places if column == k or column.startswith(k + ".")]
    if matches:
        return places[max(matches, key=len)]
    # A key of the same table as a field's, which the form does not set (``choice.markets``
    # a logit route choice needs): the field that set its table.
    table = column.rsplit(".", 1)[0]
    return next((f for f, k in keys.items() if "." in k and k.rsplit(".", 1)[0] == table), "")


def _in_words(problem: Problem, field: str, form: Mapping[str, str]) -> tuple[str, Problem]:
    """A problem of the file as the form sees it: a row without an end is one without days.

    The form asks how many days a closure lasts, not when it ends: the loader's "needs exactly
    one of end and days" of a row is its blank Days.
    """
    blank_days = not form.get(f"{field}.days", "").strip()
    if re.fullmatch(r"d\d+", field) and "end and days" in problem.rule and blank_days:
        return f"{field}.days", Problem(problem.file, "is required: how many days it lasts")
    return field, problem


def parent_disruptions(scenario: Any) -> set[str]:
    """The disruption ids a scenario has (in its merged data, and as loaded)."""
    ids = set((scenario.data.get("disruptions") or {}).keys())
    return ids | {d.id for d in scenario.disruptions}


#: Fields that belong to a row of the form (a disruption, the service).
_ROW = re.compile(r"(d\d+|svc)\.")


def row_errors(form: Mapping[str, str], services: Collection[str]) -> dict[str, list[str]]:
    """Rows filled in without what they change: a disruption with no target, no service.

    The form would otherwise drop those fields without a word. ``svc`` must name one of the
    parent's ``services``. Errors are keyed by the field to fill in (``d1.target``, ``svc``).
    """
    from sim.textio import did_you_mean

    errors: dict[str, list[str]] = {}
    filled = [f for f, v in form.items() if v.strip() and _ROW.match(f)]
    for i in range(1, DISRUPTION_ROWS + 1):
        parts = [f for f in filled if f.startswith(f"d{i}.") and f != f"d{i}.effect"]
        if parts and not form.get(f"d{i}.target", "").strip():
            errors[f"d{i}.target"] = [message(f"d{i}.target", "pick what to close or slow")]
    service = form.get("svc", "").strip()
    if service and service not in services:
        unknown = f"unknown service {service!r}{did_you_mean(service, services)}"
        errors["svc"] = [message("svc", unknown)]
    elif not service and any(f.startswith("svc.") for f in filled):
        errors["svc"] = [message("svc", "pick the service to change")]
    return errors


def _name_errors(name: str, folder: Path, taken: Collection[str]) -> dict[str, list[str]]:
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,63}", name):
        return {"name": [message("name", f"{NAME_RULE}, got {name!r}")]}
    if name in taken or (folder / f"{name}.toml").exists():
        return {"name": [message("name", f"a scenario {name!r} exists already: give another")]}
    return {}


def build_scenario(
    form: Mapping[str, str],
    folder: Path,
    parent: Path,
    taken: frozenset[str] = frozenset(),
    parent_scenario: Any | None = None,
) -> Built:
    """Write the form's scenario into ``folder`` if the loader accepts it, else say why.

    ``form["name"]`` names the scenario and its file (not one of the ``taken`` names); ``parent``
    is the file it extends (``parent_scenario``: that file loaded, else it is loaded here). Every
    problem is found, the name's with the loader's: errors are keyed by field name, in the form's
    order; those of no field are under ``""``.
    """
    from sim.scenario import load_scenario

    if parent_scenario is None:
        parent_scenario = load_scenario(parent)

    name = form.get("name", "").strip()
    errors = _name_errors(name, folder, taken)
    errors |= row_errors(form, set(parent_scenario.services))
    ids = parent_disruptions(parent_scenario)
    keys = field_keys(form, ids)
    if "svc" in errors:  # no such service: its fields have nothing to change
        keys = {f: k for f, k in keys.items() if not f.startswith("svc.")}
    values = parse_set_options(f"{k}={form[f].strip()}" for f, k in keys.items())
    if "description" in keys:  # free text: never read as TOML
        values["description"] = form["description"].strip()
    extends = Path(os.path.relpath(parent.resolve(), folder.resolve())).as_posix()
    header = f"# What-if built in corridor-sim serve from {parent.name}."
    text = toml_text({"name": name or "unnamed", "extends": extends, **_nest(values)}, header)
    # The loader checks the file whatever the name: a bad name hides no other problem.
    checked = (
        text
        if "name" not in errors
        else toml_text({"name": "unnamed", "extends": extends, **_nest(values)}, header)
    )
    folder.mkdir(parents=True, exist_ok=True)
    check = folder / f".checking-{uuid.uuid4().hex}.toml"  # hidden: not in the library
    check.write_text(checked, encoding="utf-8")
    try:
        load_scenario(check)
    except ScenarioError as exc:
        every = field_keys(form, ids, blank=True)
        for p in exc.problems:
            where, p = _in_words(p, _problem_field(p, every), form)
            said = problem_message(where, p, parent.stem, every.get(where, ""))
            if said not in errors.setdefault(where, []):
                errors[where].append(said)
        if not exc.problems:
            errors.setdefault("", []).append(str(exc).replace(str(check), "the what-if"))
    except BaseException:
        check.unlink(missing_ok=True)
        raise
    if errors:
        check.unlink()
        ordered = {f: errors[f] for f in sorted(errors, key=field_order) if errors[f]}
        return Built(text, errors=ordered)
    target = folder / f"{name}.toml"
    check.replace(target)
    return Built(text, target)
