"""Reading CSV cells with checks: each bad cell becomes a Problem with its file, line and column."""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypedDict

from sim.errors import Problem
from sim.textio import ID, clock_hours, read_text

__all__ = ["COUNTRY", "GAUGES", "ID", "UNREADABLE", "Cells", "NumberRule", "read_rows"]

#: How the problems that leave a file unread begin (checks across the files are then skipped).
UNREADABLE = (
    "file is missing",
    "is not UTF-8 text",
    "is larger than",
    "cannot be read (",
    "contains a NUL character",
    "is not valid TOML",
    "holds a number with more than",
    "nests tables or arrays",
    "cannot be read as CSV",
    "required column is missing",
    "column appears more than once",
    "is not this table",
)

COUNTRY = re.compile(r"\A[A-Z]{2}(-[A-Z]{2})?\Z")
GAUGES = ("1435", "1000", "1520", "1435/1000")


class NumberRule(TypedDict, total=False):
    """Keyword arguments of :meth:`Cells.number` shared by several columns."""

    check: Callable[[float], bool]
    rule: str
    required: bool


class Cells:
    """Parses the cells of one CSV row, recording a Problem for each bad cell."""

    def __init__(self, file: str, line: int, row: dict[str, str], problems: list[Problem]):
        self.file, self.line, self.row, self.problems = file, line, row, problems

    def _fail(self, column: str, rule: str, value: object) -> None:
        self.problems.append(Problem(self.file, rule, self.line, column, value))

    def text(
        self, column: str, required: bool = True, pattern: re.Pattern[str] | None = None
    ) -> str:
        """The stripped text of ``column`` ("" when empty), checked against ``pattern``."""
        value = (self.row.get(column) or "").strip()
        if not value:
            if required:
                self._fail(column, "is required", None)
            return ""
        if pattern is not None and not pattern.match(value):
            self._fail(column, f"must match {pattern.pattern}", value)
        return value

    def choice(self, column: str, allowed: tuple[str, ...]) -> str:
        """The text of ``column``, which must be one of ``allowed``."""
        value = self.text(column)
        if value and value not in allowed:
            self._fail(column, f"must be one of {', '.join(allowed)}", value)
        return value

    def number(
        self,
        column: str,
        check: Callable[[float], bool] = lambda x: True,
        rule: str = "",
        required: bool = True,
        integer: bool = False,
    ) -> Any:
        """The number in ``column`` (None when empty or broken), checked by ``check``.

        Typed ``Any``: the row's record takes it as a number, and a None it may hold is never
        used, since a broken cell's Problem refuses the whole file.
        """
        raw = (self.row.get(column) or "").strip()
        if not raw:
            if required:
                self._fail(column, "is required", None)
            return None
        try:
            if not raw.isascii() or "_" in raw:  # int() and float() read "１２", "١٢" and "1_0"
                raise ValueError(raw)
            value = int(raw) if integer else float(raw)
        except ValueError:
            kind = "an integer" if integer else "a number"
            self._fail(column, f"must be {kind} in ASCII digits", raw)
            return None
        if not math.isfinite(value):
            self._fail(column, "must be a finite number", raw)
            return None
        if not check(value):
            self._fail(column, rule, raw)
            return None
        return value

    def source(self) -> str:
        """The ``source`` column: it must hold a URL or ``assumption: <reason>``."""
        value = self.text("source")
        if value and not ("http://" in value or "https://" in value or "assumption:" in value):
            self._fail("source", "must contain a URL or 'assumption: <reason>'", value)
        return value

    def opening_hours(self) -> tuple[float, float] | None:
        """``HH:MM-HH:MM`` as (open, close) hours, or None for a node open around the clock."""
        raw = self.text("opening_hours", required=False)
        if not raw:
            return None
        hours: tuple[float, float] | None = clock_hours(raw, span=True)
        if hours is None:
            rule = "must be HH:MM-HH:MM, closing after opening and by 24:00"
            self._fail("opening_hours", rule, raw)
        return hours


def read_rows(
    path: Path,
    columns: tuple[str, ...],
    problems: list[Problem],
    optional: tuple[str, ...] = (),
) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line, row) from a CSV file after checking its header; nothing if unreadable.

    A missing or unreadable file, a missing, unknown or repeated column, and a row with cells past
    the last column are recorded in ``problems``; the ``optional`` columns may be left out.
    """
    if not path.is_file():
        problems.append(Problem(str(path), "file is missing"))
        return
    text = read_text(path, problems)
    if text is None:
        return
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = tuple(reader.fieldnames or ())
    except csv.Error as exc:  # a cell over the csv module's field size limit (128 KB)
        problems.append(Problem(str(path), f"cannot be read as CSV ({exc})", 1))
        return
    missing = [c for c in columns if c not in header]
    unknown = [c for c in header if c not in columns + optional]
    twice = sorted({c for c in header if header.count(c) > 1})
    if len(missing) == len(columns):  # another file: say so once, without echoing its first line
        where = f"{path} (a link to {path.resolve()})" if path.is_symlink() else str(path)
        named = f"{len(columns)} columns ({', '.join(columns[:3])}…)"
        rule = f"is not this table: its first line has none of its {named}"
        problems.append(Problem(where, rule, 1))
        return
    for c in missing:
        problems.append(Problem(str(path), "required column is missing", 1, c))
    for c in unknown:
        problems.append(Problem(str(path), "unknown column", 1, c))
    for c in twice:
        problems.append(Problem(str(path), "column appears more than once", 1, c))
    if missing or twice:
        return
    rows = iter(reader)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except csv.Error as exc:
            problems.append(Problem(str(path), f"cannot be read as CSV ({exc})", reader.line_num))
            return
        extra = [c for c in row.pop(None, []) if c.strip()]  # a spreadsheet's blanks are fine
        if extra:  # cells past the last column
            problems.append(
                Problem(str(path), "more cells than columns", reader.line_num, value=extra)
            )
            continue
        yield reader.line_num, row
