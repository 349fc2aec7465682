"""Reading typed values out of a merged scenario table, one Problem per broken rule.

A table's format is a *key spec*: each key's kind (``"float"``, ``"strs"``, ...), its default (or
:data:`REQUIRED`) and its rule, a predicate with the sentence a user reads when it fails. The
record types of :mod:`sim.scenario.schema` carry their own keys' specs as field metadata
(:func:`file_key`), and :func:`spec_of` reads them back, so each default is written once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import numbers
import tomllib
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, TypeVar, dataclass_transform

from sim.errors import Problem
from sim.scenario.merge import RawScenario
from sim.textio import ID, did_you_mean

if TYPE_CHECKING:
    from sim.network import Network

__all__ = ["REQUIRED", "Checker", "Key", "Rule", "at_least", "file_key", "is_kind", "one_of"]
__all__ += ["Kind", "Spec", "record", "spec_of", "within"]

#: The kinds of value a key may hold.
Kind = Literal["str", "int", "float", "bool", "date", "when", "strs", "floats", "ints", "table"]
#: A rule: a predicate on a value of the key's kind, and the sentence a user reads if it fails.
Rule = tuple[Callable[[Any], Any], str]
#: The default that marks a key as required.
REQUIRED: Any = object()
WHAT = {"str": "a string", "int": "an integer", "float": "a number", "bool": "true or false"}
WHAT |= {"date": "a date (YYYY-MM-DD)", "when": "a date or a local date-time"}
WHAT |= {"strs": "a list of strings", "floats": "a list of numbers", "table": "a table"}
WHAT |= {"ints": "a list of integers"}


def is_kind(kind: str, v: Any) -> bool:
    """Whether ``v`` is of ``kind`` (a bool is never a number, a float never an int)."""
    if kind in ("strs", "floats", "ints"):
        return isinstance(v, list | tuple) and all(is_kind(kind[:-1], x) for x in v)
    if kind == "table":
        return isinstance(v, dict)
    if kind in ("str", "bool"):
        return isinstance(v, str if kind == "str" else bool)
    if kind in ("int", "float"):
        number = isinstance(v, numbers.Integral if kind == "int" else numbers.Real)
        return number and not isinstance(v, bool) and (kind == "int" or -1e308 < v < 1e308)
    is_date = isinstance(v, dt.date) and not isinstance(v, dt.datetime)
    return is_date or (kind == "when" and isinstance(v, dt.datetime) and v.tzinfo is None)


def _unquote_hint(kind: Kind, value: Any) -> str:
    """A hint to drop the quotes around a date, number or true/false written as text."""
    if not isinstance(value, str) or kind not in ("date", "when", "int", "float", "bool"):
        return ""
    if not value.isprintable() or len(value) > 64:
        return ""
    try:
        parsed = tomllib.loads(f"v = {value.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        return ""
    if is_kind(kind, parsed):
        return f" (write it without quotes: {value.strip()})"
    return ""


def at_least(low: float, strict: bool = False) -> Rule:
    """Rule ``x >= low`` (``x > low`` if strict)."""
    return (lambda x: x > low if strict else x >= low), f"must be {'>' if strict else '>='} {low:g}"


def within(low: float, high: float, strict_low: bool = False, unit: str = "") -> Rule:
    """Rule ``low <= x <= high`` (``low < x`` if strict): a range with its bounds in words."""
    text = f"must be in {'(' if strict_low else '['}{low:g}, {high:g}]{unit}"
    return (lambda x: (x > low if strict_low else x >= low) and x <= high), text


def one_of(*choices: str) -> Rule:
    """Rule ``x in choices``."""
    return (lambda x: isinstance(x, str) and x in choices), f"must be one of {', '.join(choices)}"


class Key(NamedTuple):
    """How a key of a scenario file is read: its kind, default (or REQUIRED) and rule."""

    kind: Kind
    default: Any
    rule: Rule | None = None


#: A table's format: each key's :class:`Key`.
Spec = dict[str, Key]


def file_key(
    kind: Kind, rule: Rule | None = None, *, file_default: Any = None, **field_args: Any
) -> Any:
    """A dataclass field that is also a key of the scenario file, read as ``kind`` by ``rule``.

    ``field_args`` go to :func:`dataclasses.field` (``default=``, ``default_factory=``); a field
    without a default is a required key. ``file_default`` is the key's default where the file
    writes it otherwise than the field holds it (weekday names for weekday numbers).
    """
    meta = {"kind": kind, "rule": rule, "file_default": file_default}
    return dataclasses.field(metadata={"key": meta}, **field_args)


def _converted(kind: Kind, value: Any) -> Any:
    """A value of ``kind`` as the records hold it: numbers as int or float, lists as tuples."""
    if kind == "int":
        return int(value)
    if kind == "float":
        return float(value)
    if kind == "floats":
        return tuple(float(x) for x in value)
    if kind == "strs":
        return tuple(value)
    return value


_T = TypeVar("_T")


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field, file_key))
def record(cls: type[_T] | None = None, /, *, eq: bool = True) -> Any:
    """``@dataclass(frozen=True)`` for a record of a checked scenario, whose fields may be keys.

    Type checkers then read :func:`file_key` as they read :func:`dataclasses.field`.
    """

    def make(c: type[_T]) -> type[_T]:
        return dataclasses.dataclass(frozen=True, eq=eq)(c)

    return make if cls is None else make(cls)


def spec_of(cls: type, *, defaults: bool = True) -> Spec:
    """The key spec of a record type of :mod:`sim.scenario.schema`: its :func:`file_key` fields.

    Its default is the field's (or its ``file_default``), REQUIRED if the field has none; with
    ``defaults=False`` every key defaults to None, "not given" (facility keys: the network's
    value stays).
    """
    out: Spec = {}
    for f in dataclasses.fields(cls):
        meta = f.metadata.get("key")
        if meta is None:
            continue
        if not defaults:
            default = None
        elif meta["file_default"] is not None:
            default = meta["file_default"]
        elif f.default is not dataclasses.MISSING:
            default = f.default
        elif f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        else:
            default = REQUIRED
        out[f.name] = Key(meta["kind"], default, meta["rule"])
    return out


class Checker:
    """Reads typed values out of the merged table, recording a Problem per broken rule."""

    def __init__(self, raw: RawScenario, problems: list[Problem]) -> None:
        self.raw, self.problems = raw, problems
        #: The scenario's network, once it is loaded (None: not named, or not found).
        self.network: Network | None = None

    def fail(self, key: str, rule: str, value: Any = None) -> None:
        """Record that ``key`` breaks ``rule`` with ``value``, against the file that set it.

        A value from a parent file outside the loaded file's folder is not shown.
        """
        file = self.raw.file_of(key)
        if value is not None and not self.raw.shows(file):
            value, rule = None, f"{rule} (its value is not shown: the file is outside the folder)"
        self.problems.append(Problem(file, rule, column=key, value=value))

    def read(self, prefix: str, table: Mapping[str, Any], spec: Spec) -> dict[str, Any]:
        """Each key of ``spec`` read from ``table`` (None where broken); unknown keys reported."""
        dot = f"{prefix}." if prefix else ""
        for name in sorted(table.keys() - spec.keys()):
            value = None if isinstance(table[name], Mapping) else table[name]
            self.fail(dot + name, "unknown key" + did_you_mean(name, spec), value)
        out: dict[str, Any] = {}
        for name, (kind, default, rule) in spec.items():
            value, out[name] = table.get(name), None
            if name not in table:
                out[name] = None if default is REQUIRED else default
                if default is REQUIRED:
                    self.fail(dot + name, "is required")
            elif not is_kind(kind, value):
                self.fail(dot + name, f"must be {WHAT[kind]}{_unquote_hint(kind, value)}", value)
            elif rule is not None and not rule[0](value):
                self.fail(dot + name, rule[1], value)
            else:
                out[name] = _converted(kind, value)
        return out

    def entries(
        self, key: str, table: dict[str, Any], spec: Spec
    ) -> Iterator[tuple[str, str, dict[str, Any]]]:
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
        self.fail(key, f"unknown {noun}{did_you_mean(value, known)}", value)
        return None
