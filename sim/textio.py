"""Reading what users type, shared by the network and the scenario readers.

One parser for clock times (``"08:00"``, ``"08:00-17:00"``), one rule for ids, one way to read
a text file: UTF-8, with or without the byte-order mark a spreadsheet writes, no NUL bytes; and one
way to parse TOML, whose every failure (bad syntax, a number too long, nesting too deep) is a
``ValueError`` saying why. Each failure of a file is a :class:`~sim.errors.Problem` naming the
file and, where it can, the line.
"""

from __future__ import annotations

import datetime
import difflib
import json
import re
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sim.errors import Problem, SimError

__all__ = ["ID", "MAX_FILE_BYTES", "MAX_NESTING", "clock_hours", "parse_toml", "read_text"]
__all__ += ["NotTomlError", "did_you_mean", "read_toml", "toml_value"]

#: The deepest a scenario, network or override may nest tables and arrays (the formats need 4).
MAX_NESTING = 32
#: The largest input file read (the shipped network and 2019 scenario are under 200 KB each).
MAX_FILE_BYTES = 64 * 2**20

_CLOCK = re.compile(r"(\d{2}):([0-5]\d)")
#: An id (of a node, link, service, flow, ...): lower case, digits and _, at most 64 characters.
ID = re.compile(r"\A[a-z][a-z0-9_]{0,63}\Z")


def clock_hours(text: str, span: bool = False) -> Any:
    """Hour of ``"HH:MM"`` (to 23:59), or ``(open, close)`` of ``"HH:MM-HH:MM"`` if ``span``.

    Closing must follow opening, at 24:00 at the latest; None if ``text`` is not such a time.

    >>> clock_hours("08:30"), clock_hours("08:00-17:00", span=True)
    (8.5, (8.0, 17.0))
    >>> [clock_hours(t, span=True) for t in ("24:10-24:50", "08:00--17:00", "08:00-17:00-")]
    [None, None, None]
    """
    if not isinstance(text, str):
        return None
    parts = text.split("-") if span else [text]
    matches = [_CLOCK.fullmatch(p) for p in parts]
    hours = [int(m[1]) + int(m[2]) / 60 for m in matches if m]
    if len(hours) != len(parts) or len(hours) != (2 if span else 1) or max(hours) > 24:
        return None
    if span:
        return (hours[0], hours[1]) if hours[1] > hours[0] else None
    return hours[0] if hours[0] < 24 else None


def read_text(path: Path, problems: list[Problem]) -> str | None:
    """The text of ``path`` (UTF-8, a leading byte-order mark dropped), or None after a Problem.

    A byte that is not UTF-8 or a NUL character is refused with its line, and a file over
    :data:`MAX_FILE_BYTES` (a network or scenario is a few hundred KB) before it is read.
    """
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            rule = f"is larger than {MAX_FILE_BYTES // 2**20} MB ({size / 2**20:,.0f} MB)"
            problems.append(Problem(str(path), rule))
            return None
        data = path.read_bytes()
    except OSError as exc:
        problems.append(Problem(str(path), f"cannot be read ({exc.strerror})"))
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.append(
            Problem(str(path), f"is not UTF-8 text (byte {data[exc.start]:#04x})", line=line)
        )
        return None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        problems.append(Problem(str(path), "contains a NUL character", line=line))
        return None
    return text


def _nesting(value: Any) -> int:
    """How many dicts and lists ``value`` nests, one in another (0 for a plain value).

    >>> _nesting({"a": [[1]]}), _nesting([]), _nesting(1)
    (3, 1, 0)
    """
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = list(item.values())
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if depth > MAX_NESTING:
            break
        stack.extend((child, depth + 1) for child in children)
    return deepest


class NotTomlError(ValueError):
    """Text that is not TOML at all (against one that is, but past a limit: a plain ValueError).

    A command-line value that is not TOML is kept as text; one past a limit is refused.
    """


def parse_toml(text: str) -> dict[str, Any]:
    """The TOML document ``text``, or a ``ValueError`` that says in words what is wrong with it.

    Text that is not TOML raises :class:`NotTomlError`, a ``ValueError``.

    Beyond TOML's own syntax it refuses a number too long to convert (Python reads at most 4,300
    digits) and tables or arrays nested more than :data:`MAX_NESTING` deep.

    >>> parse_toml("a = [[[1]]]")
    {'a': [[[1]]]}
    >>> parse_toml("a = " + "[" * 40 + "]" * 40)
    Traceback (most recent call last):
    ValueError: nests tables or arrays more than 32 deep
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise NotTomlError(f"is not valid TOML ({exc})") from None
    except RecursionError:
        data = None
    except ValueError:  # int("9" * 5000): past the interpreter's limit on digits
        raise ValueError("holds a number with more than 4,300 digits") from None
    if data is None or _nesting(data) > MAX_NESTING:
        raise ValueError(f"nests tables or arrays more than {MAX_NESTING} deep")
    return data


def read_toml(path: Path, missing: str = "file not found") -> dict[str, Any]:
    """The TOML file ``path``, or a :class:`~sim.errors.SimError` naming it and what is wrong.

    ``missing`` is the rule when ``path`` is no regular file (gone, a folder, a fifo, a device).
    """
    if not path.is_file():
        raise SimError([Problem(str(path), missing)])
    problems: list[Problem] = []
    text = read_text(path, problems)
    if text is None:
        raise SimError(problems)
    try:
        return parse_toml(text)
    except ValueError as exc:
        raise SimError([Problem(str(path), str(exc))]) from None


def toml_value(v: Any) -> str:
    """``v`` written as a TOML value: booleans, numbers, dates, arrays, inline tables, strings.

    >>> toml_value({"target": "youyiguan", "days": 14.0, "open": [True]})
    '{target = "youyiguan", days = 14.0, open = [true]}'
    """
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, datetime.date):
        return v.isoformat()
    if isinstance(v, list | tuple):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k} = {toml_value(x)}" for k, x in v.items()) + "}"
    # A TOML basic string: JSON's escapes, and DEL (which TOML forbids raw but JSON leaves).
    return json.dumps(str(v), ensure_ascii=False).replace("\x7f", "\\u007f")


def did_you_mean(name: object, known: Iterable[str]) -> str:
    """A `` (did you mean 'x'?)`` hint for an unknown ``name``, or an empty string."""
    close = difflib.get_close_matches(str(name), list(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""
