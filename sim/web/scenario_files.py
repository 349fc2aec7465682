"""A job's scenario files: portable copies (paths made absolute), kept in the job's folder.

A downloaded scenario runs from any folder, and a finished job's pages and downloads do not
depend on its scenario files staying where and as they were: at submit, each scenario's
``extends`` chain is copied into ``<job>/scenario/<i>/<k>/`` (``k``: root first), each copy's
``extends`` naming the copy of its parent and its ``network`` made absolute.
The only paths in a scenario file are those two keys.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

from sim.errors import SimError

__all__ = ["portable_toml", "snapshot"]

#: A top-level ``extends`` or ``network`` line (its key bare or quoted, any spacing).
_KEY = re.compile(r"""^[ \t]*(["']?)(extends|network)\1[ \t]*=""")
#: A table header: top-level keys end here.
_TABLE = re.compile(r"^[ \t]*\[")


def portable_toml(path: Path, extends: Path | None = None) -> str:
    """The text of scenario file ``path`` with its top-level ``extends`` and ``network`` absolute.

    ``extends`` names the parent file to point at instead of the one the file names. Only those
    two lines change (comments and the rest stay as written).
    """
    text = path.read_text(encoding="utf-8")
    top = tomllib.loads(text)
    values: dict[str, str] = {}
    if isinstance(top.get("extends"), str):
        values["extends"] = (extends or path.parent / top["extends"]).resolve().as_posix()
    if isinstance(top.get("network"), str):
        values["network"] = (path.parent / top["network"]).resolve().as_posix()
    out, in_top = [], True
    for line in text.splitlines(keepends=True):
        in_top = in_top and not _TABLE.match(line)
        m = _KEY.match(line) if in_top else None
        if m and m.group(2) in values:
            line = f"{m.group(2)} = {json.dumps(values.pop(m.group(2)))}\n"
        out.append(line)
    result = "".join(out)
    wanted = {k: v for k, v in top.items() if k in ("extends", "network") and isinstance(v, str)}
    made = {k: v for k, v in tomllib.loads(result).items() if k in wanted}
    if values or made.keys() != wanted.keys():
        raise SimError(f"{path}: could not make its extends and network absolute")
    return result


def snapshot(path: Path, folder: Path) -> Path:
    """Copy scenario ``path`` and its ``extends`` chain into ``folder``; the copy of ``path``."""
    from sim.scenario.merge import load_chain

    parent: Path | None = None
    for k, file in enumerate(load_chain(path).files):
        copy = folder / str(k) / file.name
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_text(portable_toml(file, parent), encoding="utf-8")
        parent = copy
    assert parent is not None
    return parent
