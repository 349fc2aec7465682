"""Errors raised by corridor-sim.

Every problem with a user's input is reported as one :class:`Problem` naming the file, where in it
(line and column for CSV, dotted key for TOML), the rule that was broken and the offending value.
All problems found in one input are gathered into a single exception, so that a user fixes them in
one pass instead of one per run.

Examples
--------
>>> err = NetworkError([Problem("links.csv", "distance_km must be > 0", line=4,
...                             column="distance_km", value="-3")])
>>> print(err)
links.csv:4: distance_km: distance_km must be > 0, got '-3'

"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "ArgumentError",
    "ModelError",
    "NetworkError",
    "Problem",
    "ScenarioError",
    "SimError",
    "shown",
]


@dataclass(frozen=True)
class Problem:
    """One broken rule in one place of one input file.

    Parameters
    ----------
    file : str
        The file the problem is in.
    rule : str
        The rule that was broken, in words (``"must be > 0"``).
    line : int, optional
        1-based line number (CSV files; the header is line 1).
    column : str, optional
        CSV column or dotted TOML key.
    value : object, optional
        The offending value, shown with ``repr`` (dates and times in ISO form), cut to
        :data:`SHOWN_CHARS` characters.

    """

    file: str
    rule: str
    line: int | None = None
    column: str | None = None
    value: object = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        key = f" {_cut(self.column)}:" if self.column else ""
        got = "" if self.value is None else f", got {shown(self.value)}"
        return f"{where}:{key} {_cut(self.rule)}{got}"


#: The longest value (and rule) an error message shows; longer ones are cut with their length.
SHOWN_CHARS = 200
#: The most problems an error message lists (each once); the rest are counted.
SHOWN_PROBLEMS = 50


def _cut(text: str) -> str:
    if len(text) <= SHOWN_CHARS:
        return text
    return f"{text[: SHOWN_CHARS - 20]}... ({len(text):,} characters)"


def shown(value: object) -> str:
    """A value as an error message shows it: ``repr``, dates in ISO form, cut to a readable length.

    >>> import datetime
    >>> shown(datetime.date(9999, 12, 31)), shown("x" * 500)[-16:]
    ('9999-12-31', '(502 characters)')
    """
    if isinstance(value, datetime.date):  # datetimes too
        return value.isoformat()
    return _cut(repr(value))


class SimError(Exception):
    """Base class of every error corridor-sim raises on purpose.

    The command-line interface catches exactly this class, prints the message and exits with
    status 2; anything else is a bug and keeps its traceback. The message lists each problem
    once, at most :data:`SHOWN_PROBLEMS` of them (``problems`` keeps them all).

    >>> many = [Problem("f.toml", "x")] * 3 + [Problem("f.toml", str(i)) for i in range(60)]
    >>> print(SimError(many))  # doctest: +ELLIPSIS
    f.toml: x
    f.toml: 0
    ...
    f.toml: 48
    ... and 11 more problems
    """

    def __init__(self, problems: Iterable[Problem] | str) -> None:
        if isinstance(problems, str):
            self.problems: tuple[Problem, ...] = ()
            message = problems
        else:
            self.problems = tuple(problems)
            lines = list(dict.fromkeys(str(p) for p in self.problems))  # each once, in order
            message = "\n".join(lines[:SHOWN_PROBLEMS])
            if len(lines) > SHOWN_PROBLEMS:
                message += f"\n... and {len(lines) - SHOWN_PROBLEMS:,} more problems"
        super().__init__(message)


class NetworkError(SimError):
    """A network folder (nodes.csv, links.csv, meta.toml) breaks one or more rules."""


class ScenarioError(SimError):
    """A scenario file or override breaks one or more rules."""


class ArgumentError(SimError, ValueError):
    """A function of the API was called with a bad argument (``n=0``, an unknown kind of workers).

    It is a :class:`SimError`, so the command line reports it as one message (exit 2), and a
    :class:`ValueError`, as Python code expects of a bad argument.
    """


class ModelError(SimError):
    """The simulation broke one of its own invariants (a bug in the model, not in the input)."""
