"""Reading what users type, shared by the network and the scenario readers.

One parser for clock times (``"08:00"``, ``"08:00-17:00"``), one rule for ids, and one way to read
a text file: UTF-8,
with or without the byte-order mark a spreadsheet writes, no NUL bytes. Each failure is a
:class:`~sim.errors.Problem` naming the file and, where it can, the line.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sim.errors import Problem

__all__ = ["ID", "clock_hours", "read_text"]

_CLOCK = re.compile(r"(\d{2}):([0-5]\d)")
#: An id (of a node, link, service, flow, ...): lower case, digits and _, at most 64 characters.
ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


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

    A byte that is not UTF-8 or a NUL character is refused with its line.
    """
    data = path.read_bytes()
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
