"""A run week by week: departures and TEU carried per service family, as a tidy table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from sim.results.tables import Table
from sim.scenario.schema import Scenario
from sim.scenario.vocabulary import SERVICE_FAMILIES

__all__ = ["weekly", "weekly_departures"]

WEEK_H = 168.0


def weekly_departures(
    scenario: Scenario, tables: Mapping[str, Mapping[str, np.ndarray]]
) -> dict[str, np.ndarray]:
    """One row per whole week of the horizon and service family that ran a vehicle in it.

    Columns: ``week`` (1-based), ``week_start`` (its first day, ISO date), ``family``,
    ``departures`` (vehicles that left that week), ``teu`` (what they carried) and
    ``load_factor`` (``teu`` over their capacity). Weeks of the warm-up are included.
    """
    dep = tables["departures"]
    ran = dep["cancelled"] == 0
    weeks = int(scenario.horizon.length_h // WEEK_H)
    week = (dep["depart_h"][ran] // WEEK_H).astype(np.int64)
    index = {f: i for i, f in enumerate(SERVICE_FAMILIES)}
    family = np.array([index[f] for f in dep["family"][ran].tolist()], dtype=np.int64)
    inside = week < weeks
    cell = family[inside] * weeks + week[inside]
    size = len(SERVICE_FAMILIES) * weeks
    count = np.bincount(cell, minlength=size)
    teu = np.bincount(cell, weights=dep["teu"][ran][inside], minlength=size)
    capacity = np.bincount(cell, weights=dep["capacity_teu"][ran][inside], minlength=size)
    rows = np.flatnonzero(count > 0)
    rows = rows[np.lexsort((rows // weeks, rows % weeks))]  # by week, then family
    start = scenario.horizon.start
    return {
        "week": rows % weeks + 1,
        "week_start": np.array(
            [(start + dt.timedelta(days=7 * int(w))).isoformat() for w in rows % weeks], dtype=str
        ),
        "family": np.array([SERVICE_FAMILIES[f] for f in rows // weeks], dtype=str),
        "departures": count[rows],
        "teu": teu[rows],
        "load_factor": teu[rows] / capacity[rows],
    }


def weekly(runs: Sequence[Any]) -> Table:
    """:func:`weekly_departures` of several runs (replications), one tidy table.

    A ``replication`` column (0, 1, ...) comes first; give it the runs of a replications folder
    (:func:`sim.results.load.load_runs`). ``.to_frame()`` makes it a DataFrame.
    """
    parts = [weekly_departures(r.scenario, r.tables) for r in runs]
    out: dict[str, np.ndarray] = {
        "replication": np.concatenate(
            [np.full(len(p["week"]), i, dtype=np.int64) for i, p in enumerate(parts)]
        )
    }
    for column in parts[0] if parts else ():
        out[column] = np.concatenate([p[column] for p in parts])
    return Table.of(out)
