"""Published times of the corridor's chains (``seeds/published_transit.toml``), read and checked.

Examples
--------
>>> times = published_transit("seeds/published_transit.toml")
>>> times[0].label, times[0].days
('Chongqing → Singapore, rail-sea', (8.0, 8.0))
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import NamedTuple

from sim.errors import SimError

__all__ = ["PublishedTime", "published_transit"]


class PublishedTime(NamedTuple):
    """A chain's published time: ``days`` is the (low, high) range, or None with no figure."""

    origin: str
    destination: str
    chain: str
    label: str
    days: tuple[float, float] | None
    source: str


def published_transit(path: str | Path) -> list[PublishedTime]:
    """Every chain of the file at ``path``, in its order; a bad entry is one clear SimError."""
    from sim.errors import Problem
    from sim.textio import read_text

    problems: list[Problem] = []
    text = read_text(Path(path), problems)
    if text is None:
        raise SimError("; ".join(str(p) for p in problems))
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SimError(f"{path}: not TOML ({exc})") from None
    out = []
    for key, entry in (data.get("chains") or {}).items():
        where = f"{path}: chains.{key}"
        try:
            days = [float(x) for x in entry.get("days", [])]
            fields = [str(entry[k]) for k in ("origin", "destination", "chain", "label", "source")]
        except (KeyError, TypeError, ValueError) as exc:
            raise SimError(
                f"{where}: needs origin, destination, chain, label, source, days ({exc})"
            ) from None
        if days and not (len(days) == 2 and 0 < days[0] <= days[1]):
            raise SimError(f"{where}.days: must be [low, high] with 0 < low <= high, got {days}")
        origin, destination, chain, label, source = fields
        span = (days[0], days[1]) if days else None
        out.append(PublishedTime(origin, destination, chain, label, span, source))
    return out
