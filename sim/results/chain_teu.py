"""TEU by chain and week: a derived table of a run, for following route choice over time."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from sim.results.utilisation import WEEK_H
from sim.scenario.schema import Scenario

__all__ = ["weekly_chain_teu"]


def weekly_chain_teu(
    scenario: Scenario, tables: Mapping[str, Mapping[str, np.ndarray]]
) -> dict[str, np.ndarray]:
    """One row per whole week of the horizon and flow that made consignments in it.

    Columns: ``week`` (1-based, by the week the consignments were created), ``market`` (empty
    outside every market), ``flow`` (the chain chosen), ``chain`` (its family), ``teu`` and
    ``diverted_teu`` (the part that took another chain than it would have on an undisturbed
    corridor).
    """
    cons = tables["consignments"]
    weeks = int(scenario.horizon.length_h // WEEK_H)
    week = (cons["created_h"] // WEEK_H).astype(np.int64)
    inside = week < weeks
    names, flow_index = np.unique(cons["flow"], return_inverse=True)
    cell = flow_index[inside] * weeks + week[inside]
    size = len(names) * weeks
    teu = np.bincount(cell, weights=cons["teu"][inside], minlength=size)
    diverted = np.bincount(
        cell, weights=cons["teu"][inside] * cons["diverted"][inside], minlength=size
    )
    market_of = scenario.choice.market_of()
    rows = np.flatnonzero(teu > 0)
    flows = names[rows // weeks]
    return {
        "week": rows % weeks + 1,
        "market": np.array([market_of.get(f, "") for f in flows], dtype=str),
        "flow": flows.astype(str),
        "chain": np.array([scenario.flows[f].chain_family for f in flows], dtype=str),
        "teu": teu[rows],
        "diverted_teu": diverted[rows],
    }
