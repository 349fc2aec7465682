"""Atomic file writes (a reader never sees a half-written file), and reading JSON back.

Each write goes to a temporary file in the target's folder, is flushed to disk, then renamed over
the target (``os.replace`` is atomic on POSIX and Windows). An interrupted write leaves the old
file, or none, never a truncated one. Only a regular file or a new path is written: a device, a
fifo, a socket or a symbolic link in the target's place is refused, never replaced.
"""

from __future__ import annotations

import json
import math
import os
import stat
import tempfile
from pathlib import Path
from typing import Any

from sim.errors import SimError

__all__ = [
    "check_writable_file",
    "json_text",
    "nan_for_null",
    "read_json",
    "write_bytes_atomic",
    "write_json_atomic",
    "write_text_atomic",
]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def check_writable_file(path: str | Path) -> Path:
    """``path`` as a :class:`Path` if an output may be written there, else a :class:`SimError`.

    It must be new or a regular file: a folder, a device, a fifo, a socket or a symbolic link
    (to anything) is refused, so that writing an output never replaces one.

    >>> check_writable_file("/dev/null")
    Traceback (most recent call last):
    sim.errors.SimError: /dev/null: is a device, not a regular file; give a file name to write
    """
    target = Path(path)
    try:
        mode = target.lstat().st_mode
    except (FileNotFoundError, NotADirectoryError):  # new (a parent that is a file: said later)
        return target
    except OSError as exc:
        raise SimError(f"{target}: cannot be looked at ({exc.strerror})") from None
    if stat.S_ISREG(mode):
        return target
    kind = (
        "a folder"
        if stat.S_ISDIR(mode)
        else "a symbolic link"
        if stat.S_ISLNK(mode)
        else "a fifo"
        if stat.S_ISFIFO(mode)
        else "a socket"
        if stat.S_ISSOCK(mode)
        else "a device"
    )
    raise SimError(f"{target}: is {kind}, not a regular file; give a file name to write")


def write_bytes_atomic(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically, creating parent folders; return the path.

    ``path`` must be new or a regular file (:func:`check_writable_file`).
    """
    target = check_writable_file(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # as an ordinary new file (mkstemp makes it private)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically; return the path."""
    return write_bytes_atomic(path, text.encode("utf-8"))


def _finite(obj: Any) -> Any:
    """``obj`` with every NaN or infinite float made None (JSON has no NaN)."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_finite(v) for v in obj]
    return obj


def _plain(obj: Any) -> Any:
    """A numpy number as a Python one; anything else JSON cannot hold (a date) as text."""
    if hasattr(obj, "item") and not hasattr(obj, "__len__"):  # a numpy scalar
        return _finite(obj.item())
    return str(obj)


def json_text(obj: Any, indent: int | None = 2) -> str:
    """``obj`` as standard JSON.

    A number with no value (NaN: a KPI with no observation) is ``null``; numpy numbers are
    numbers; dates and other objects are written as text.
    """
    return json.dumps(
        _finite(obj), indent=indent, ensure_ascii=False, default=_plain, allow_nan=False
    )


def nan_for_null(values: dict[str, Any]) -> dict[str, Any]:
    """A KPI mapping read from JSON, with ``null`` back as NaN."""
    return {k: math.nan if v is None else v for k, v in values.items()}


def write_json_atomic(path: str | Path, obj: Any) -> Path:
    """Write ``obj`` as indented standard JSON to ``path`` atomically; return the path."""
    return write_text_atomic(path, json_text(obj) + "\n")


def read_json(path: str | Path, hint: str = "") -> Any:
    """The JSON in ``path``; a file that cannot be read or parsed is a :class:`SimError`.

    ``hint`` tells the user what to do about it ("delete it to run it again").
    """
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        tail = f"; {hint}" if hint else ""
        raise SimError(f"{path}: cannot be read as JSON ({exc}){tail}") from None
