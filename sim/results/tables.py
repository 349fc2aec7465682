"""Tables on disk: CSV, Parquet (with the ``analysis`` extra) or compressed numpy (``.npz``).

A table is a dict of equal-length numpy arrays, one per column. CSV keeps the column types by the
values' form (integers, decimals, text) and reads back with the same dtypes; Parquet and ``.npz``
store them, and load back about ten times faster than CSV. Files are written atomically.

Examples
--------
>>> import numpy as np, pathlib, tempfile
>>> t = {"node": np.array(["a", "b"]), "time_h": np.array([1.5, 2.0]), "n": np.array([1, 2])}
>>> path = write_table(t, pathlib.Path(tempfile.mkdtemp()) / "t.csv")
>>> {k: v.dtype.kind for k, v in read_table(path).items()}
{'node': 'U', 'time_h': 'f', 'n': 'i'}
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import numpy as np

from sim.errors import SimError
from sim.fileio import write_bytes_atomic, write_text_atomic
from sim.options import TABLE_FORMATS, TableFormat
from sim.results.table import Table, as_columns

__all__ = ["Table", "as_columns", "fast_format", "read_table", "write_table"]


def _format(path: Path) -> str:
    fmt = path.suffix.lstrip(".").lower()
    if fmt not in TABLE_FORMATS:
        raise SimError(f"{path}: a table file must end in .csv, .parquet or .npz")
    return fmt


def fast_format() -> TableFormat:
    """The format that loads back fast here: ``parquet`` with pyarrow installed, else ``npz``."""
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return "npz"
    return "parquet"


def _float_text(x: float) -> str:
    return repr(float(x))  # always with a decimal point (or nan), so it reads back as a float


def write_table(table: Any, path: str | Path) -> Path:
    """Write a table (dict of columns, or a DataFrame) to ``.csv`` or ``.parquet``, atomically."""
    table = as_columns(table)
    path = Path(path)
    if _format(path) == "npz":
        buffer = io.BytesIO()  # the column names first, then the columns (any name is fine)
        np.savez_compressed(buffer, np.array(list(table), dtype=str), *table.values())
        return write_bytes_atomic(path, buffer.getvalue())
    if _format(path) == "parquet":
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError:
            raise SimError(
                "Parquet needs the analysis extra (pip install 'corridor-sim[analysis]')"
            ) from None
        buffer = pa.BufferOutputStream()
        pq.write_table(pa.table({k: np.asarray(v) for k, v in table.items()}), buffer)
        return write_bytes_atomic(path, buffer.getvalue().to_pybytes())
    columns = [
        [_float_text(x) for x in v] if v.dtype.kind == "f" else v.tolist() for v in table.values()
    ]
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(table)
    writer.writerows(zip(*columns, strict=True))
    return write_text_atomic(path, text.getvalue())


def _column(values: list[str]) -> np.ndarray:
    if values and set(values) <= {"True", "False"}:
        return np.array([v == "True" for v in values], dtype=bool)
    for kind in (int, float):
        try:
            if kind is int and any(
                "." in v or "e" in v.lower() or "n" in v.lower() for v in values
            ):
                continue
            return np.array([kind(v) for v in values], dtype=np.int64 if kind is int else float)
        except ValueError:
            continue
    return np.array(values, dtype=str)


def read_table(path: str | Path) -> dict[str, np.ndarray]:
    """Read a table written by :func:`write_table` back into a dict of numpy arrays."""
    path = Path(path)
    if _format(path) == "npz":
        with np.load(path, allow_pickle=False) as npz:
            names = npz["arr_0"].tolist()
            return {name: npz[f"arr_{i}"] for i, name in enumerate(names, start=1)}
    if _format(path) == "parquet":
        import pyarrow.parquet as pq

        columns = pq.read_table(path)
        return {name: _from_arrow(columns.column(name).to_numpy()) for name in columns.column_names}
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    return {name: _column([r[i] for r in body]) for i, name in enumerate(header)}


def _from_arrow(values: np.ndarray) -> np.ndarray:
    """A column read from Parquet, text as a str array (Arrow gives Python objects)."""
    return values.astype(str) if values.dtype == object else values
