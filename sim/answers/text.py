"""Plain text for the terminal: tables, and text a file gave us made safe to print."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

from sim.textio import toml_value

__all__ = ["format_table", "printable", "question_line"]

#: Control characters but tab and newline (C0, DEL, C1): escape sequences start with them.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    r"""``text`` without control characters, so that a file's text cannot drive the terminal.

    >>> printable("2019 corridor\x1b[2J\x1b]0;owned\x07")
    '2019 corridor[2J]0;owned'
    """
    return _CONTROL.sub("", text)


def question_line(scenario: Any) -> str | None:
    """``Question: <description>``, saying what ``--set`` changed after it; None with neither.

    The description is the file's words, written for its own values: an override that changes
    one of them is named after it, so the question never states a value the run did not use.
    """
    text = scenario.description or ""
    if scenario.overrides:
        changed = ", ".join(f"{k} = {toml_value(v)}" for k, v in sorted(scenario.overrides.items()))
        text += f"{' (' if text else ''}changed by --set: {changed}{')' if text else ''}"
    return f"Question: {text}" if text else None


def _cell(value: object, digits: int) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return "n/a" if math.isnan(value) else f"{value:,.{digits}f}"
    return printable(str(value))


def format_table(
    headers: Sequence[str], rows: Sequence[Sequence[object]], digits: Sequence[int] | None = None
) -> str:
    """Return rows under headers, columns aligned; numbers right-aligned.

    Floats are shown with ``digits[i]`` decimals in column ``i`` (default 1).

    Examples
    --------
    >>> print(format_table(["id", "km"], [["a", 1.25], ["bb", 10.0]]))
    id    km
    --  ----
    a    1.2
    bb  10.0
    """
    places = list(digits) if digits is not None else [1] * len(headers)
    text = [[_cell(v, places[i]) for i, v in enumerate(row)] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in text)]) for i, h in enumerate(headers)]
    numeric = [
        bool(rows) and all(isinstance(r[i], int | float) for r in rows if r[i] is not None)
        for i in range(len(headers))
    ]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            c.rjust(w) if num else c.ljust(w)
            for c, w, num in zip(cells, widths, numeric, strict=True)
        ).rstrip()

    out = [line(headers), line(["-" * w for w in widths])]
    out += [line(r) for r in text]
    return "\n".join(out)
