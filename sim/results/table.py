"""The table type every result hands out: named numpy columns that look and slice like a frame."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import numpy as np

from sim.errors import SimError

__all__ = ["Table", "as_columns"]

#: Rows shown by ``repr`` and in a notebook; :meth:`Table.head` shows any number.
PREVIEW_ROWS = 5
#: Characters in a line of ``repr`` before the remaining columns are cut to "...".
REPR_WIDTH = 100


def as_columns(table: Any) -> dict[str, np.ndarray]:
    """A table (dict of arrays or lists, or a pandas DataFrame) as a dict of numpy arrays."""
    if hasattr(table, "to_dict") and hasattr(table, "columns"):  # a DataFrame
        table = {str(c): table[c].to_numpy() for c in table.columns}
    out = {}
    for k, v in table.items():
        arr = np.asarray(v)
        out[k] = arr.astype(str) if arr.dtype == object else arr  # text, not Python objects
    return out


def _cell(value: Any) -> str:
    if isinstance(value, float | np.floating):
        return "nan" if np.isnan(value) else f"{value:,.6g}"
    return str(value)


class Table(dict[str, np.ndarray]):
    """A table as it comes out of corridor-sim: equal-length numpy arrays, one a column.

    It is a dict of columns (``t["teu"]`` is an array) that answers like a data frame:
    ``len(t)`` and ``t.shape`` count rows, ``t.head()`` shows the first ones, a notebook draws
    it as an HTML table, and :meth:`to_pandas` makes it a pandas DataFrame.

    Examples
    --------
    >>> t = Table.of({"week": [1, 2, 3], "teu": [10.0, 12.5, 9.0]})
    >>> len(t), t.shape, t.columns
    (3, (3, 2), ['week', 'teu'])
    >>> float(t.head(2)["teu"].sum())
    22.5
    """

    def __init__(self, columns: Mapping[str, np.ndarray] | None = None) -> None:
        super().__init__(columns or {})

    @classmethod
    def of(cls, columns: dict[str, Any]) -> Table:
        """The table of ``columns`` (lists, arrays, or a DataFrame), as numpy arrays."""
        return cls(as_columns(columns))

    @property
    def columns(self) -> list[str]:
        """The column names, in order."""
        return list(self)

    def __len__(self) -> int:
        """The number of rows (as for a DataFrame; ``len(t.columns)`` counts the columns)."""
        return len(next(iter(self.values()))) if dict.__len__(self) else 0

    def __bool__(self) -> bool:
        """True when the table has any column (``if table:`` keeps its dict meaning)."""
        return dict.__len__(self) > 0

    @property
    def shape(self) -> tuple[int, int]:
        """``(rows, columns)``."""
        return len(self), dict.__len__(self)

    def head(self, n: int = PREVIEW_ROWS) -> Table:
        """The first ``n`` rows."""
        return Table({k: v[:n] for k, v in self.items()})

    def to_pandas(self) -> Any:
        """The table as a pandas DataFrame (needs the ``analysis`` extra)."""
        try:
            import pandas as pd
        except ImportError:
            raise SimError("to_pandas needs pandas: pip install 'corridor-sim[analysis]'") from None
        return pd.DataFrame(dict(self))

    def to_frame(self) -> Any:
        """The same as :meth:`to_pandas` (the name pandas gives a Series' conversion)."""
        return self.to_pandas()

    def _preview(self) -> tuple[list[str], list[list[str]], str]:
        rows, cols = self.shape
        body = [[_cell(v[i]) for v in self.values()] for i in range(min(rows, PREVIEW_ROWS))]
        more = f" (first {PREVIEW_ROWS} shown)" if rows > PREVIEW_ROWS else ""
        return self.columns, body, f"{rows:,} rows x {cols} columns{more}"

    def __repr__(self) -> str:
        names, body, size = self._preview()
        widths = [max([len(n), *(len(r[i]) for r in body)]) for i, n in enumerate(names)]
        shown = len(names)  # as many columns as fit a terminal's line, then "..."
        while shown > 1 and sum(widths[:shown]) + 2 * shown > REPR_WIDTH:
            shown -= 1
        more = ["..."] if shown < len(names) else []

        def line(cells: list[str]) -> str:
            return "  ".join(
                [*(c.rjust(w) for c, w in zip(cells[:shown], widths, strict=False)), *more]
            )

        lines = [line(names), *(line(r) for r in body)]
        return "\n".join([f"Table: {size}", *lines])

    def _repr_html_(self) -> str:
        names, body, size = self._preview()
        head = "".join(f"<th>{html.escape(n)}</th>" for n in names)
        rows = "".join(
            "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in body
        )
        return (
            f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
            f"<p>{html.escape(size)}</p>"
        )
