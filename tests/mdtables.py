"""Reading the Markdown of ``docs/``: sections by heading, tables as rows, names in backticks."""

from __future__ import annotations

import re
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs"


def read(name: str) -> str:
    """The text of ``docs/<name>``."""
    return (DOCS / name).read_text(encoding="utf-8")


def headings(text: str) -> list[str]:
    """Every heading's title, in order (``## `[horizon]` `` gives ``[horizon]``)."""
    return [m[1].strip().strip("`") for m in re.finditer(r"^#{1,6} (.+)$", text, re.M)]


def section(text: str, title: str) -> str:
    """The text under the first heading ``title`` (backticks ignored), its subsections included.

    It ends at the next heading of the same or a higher level.
    """
    for m in re.finditer(r"^(#{1,6}) (.+)$", text, re.M):
        if m[2].strip().strip("`") == title:
            rest = text[m.end() :]
            following = re.search(rf"^#{{1,{len(m[1])}}} ", rest, re.M)
            return rest[: following.start()] if following else rest
    raise AssertionError(f"no heading {title!r}")


def table(text: str) -> list[dict[str, str]]:
    """The first Markdown table in ``text``: one dict per row, header -> cell (stripped).

    Give it a section without subsections (or whose first table is its own).
    """
    lines = [ln for ln in text.splitlines() if ln.startswith("|")]
    if len(lines) < 2:
        raise AssertionError(f"no table in:\n{text[:300]}")
    start = text.splitlines().index(lines[0])
    block = []
    for ln in text.splitlines()[start:]:
        if not ln.startswith("|"):
            break
        block.append(ln)
    header = _cells(block[0])
    return [dict(zip(header, _cells(ln), strict=True)) for ln in block[2:]]


def _cells(line: str) -> list[str]:
    """The cells of a table line; ``\\|`` inside a cell is kept."""
    parts = re.split(r"(?<!\\)\|", line.strip())[1:-1]
    return [p.strip() for p in parts]


def code(cell: str) -> list[str]:
    """The names in backticks in a cell, in order."""
    return re.findall(r"`([^`]+)`", cell)


def keys(text: str, title: str, column: str = "key") -> list[str]:
    """The first backticked name of ``column`` in each row of the table under ``title``."""
    return [code(row[column])[0] for row in table(section(text, title))]
