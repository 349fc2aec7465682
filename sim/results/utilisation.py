"""Weekly utilisation of every lane, track and berth: a derived table of a run."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from sim.scenario.schema import Scenario

__all__ = ["WEEK_H", "weekly_utilisation"]

WEEK_H = 168.0


def weekly_utilisation(
    scenario: Scenario, tables: Mapping[str, Mapping[str, np.ndarray]]
) -> dict[str, np.ndarray]:
    """One row per facility, server kind and whole week of the horizon.

    Columns: ``node``, ``server`` (lanes, tracks or berths), ``servers`` (how many), ``week``
    (1-based) and ``busy_share`` (busy server-hours over available server-hours).
    """
    visits = tables["facility_visits"]
    edges = np.arange(0.0, scenario.horizon.length_h + 1e-9, WEEK_H)
    cols: dict[str, list[Any]] = {
        "node": [],
        "server": [],
        "servers": [],
        "week": [],
        "busy_share": [],
    }
    for fid, fac in scenario.facilities.items():
        for server in ("lanes", "tracks", "berths"):
            n = getattr(fac, server)
            sel = (visits["node"] == fid) & (visits["server"] == server)
            if not n or not sel.any():
                continue
            busy = np.zeros(len(edges) - 1)
            for start, end in zip(visits["start_h"][sel], visits["end_h"][sel], strict=True):
                lo, hi = np.clip([start, end], 0.0, edges[-1])
                busy += np.clip(np.minimum(edges[1:], hi) - np.maximum(edges[:-1], lo), 0.0, None)
            weeks = len(busy)
            cols["node"] += [fid] * weeks
            cols["server"] += [server] * weeks
            cols["servers"] += [n] * weeks
            cols["week"] += list(range(1, weeks + 1))
            cols["busy_share"] += (busy / (n * WEEK_H)).tolist()
    return {
        "node": np.array(cols["node"], dtype=str),
        "server": np.array(cols["server"], dtype=str),
        "servers": np.array(cols["servers"], dtype=np.int64),
        "week": np.array(cols["week"], dtype=np.int64),
        "busy_share": np.array(cols["busy_share"], dtype=float),
    }
