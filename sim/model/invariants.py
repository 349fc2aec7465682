"""Invariants checked at the end of every run; a broken one is a bug and raises ModelError.

- Conservation: every TEU created is delivered, waiting in a queue or on a vehicle.
- Capacity: no vehicle carries more than its capacity; no facility serves more vehicles at once
  than it has lanes, tracks or berths.
- Time: no clock runs backwards (created <= delivered; arrive <= start <= end; depart <= arrive).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.errors import ModelError
from sim.model.records import BREAKDOWN_COLUMNS

if TYPE_CHECKING:
    from sim.model.corridor import Corridor

__all__ = ["check_invariants"]

_EPS = 1e-9


def _conservation(corridor: Corridor, queued_teu: float) -> None:
    held = corridor.delivered_teu + queued_teu + corridor.in_transit_teu + corridor.dwelling_teu
    if not math.isclose(corridor.created_teu, held, rel_tol=1e-9, abs_tol=1e-6):
        raise ModelError(
            f"t={corridor.env.now:.3f} h: TEU not conserved: created {corridor.created_teu:.3f}, "
            f"delivered {corridor.delivered_teu:.3f} + queued {queued_teu:.3f} + on vehicles "
            f"{corridor.in_transit_teu:.3f} + in yards {corridor.dwelling_teu:.3f} = {held:.3f}"
        )


def _first_bad(mask: np.ndarray) -> int | None:
    idx = np.flatnonzero(mask)
    return int(idx[0]) if len(idx) else None


def _capacity(corridor: Corridor, tables: dict[str, dict[str, np.ndarray]]) -> None:
    dep = tables["departures"]
    i = _first_bad((dep["teu"] > dep["capacity_teu"] + _EPS) & (dep["cancelled"] == 0))
    if i is not None:
        raise ModelError(
            f"t={dep['depart_h'][i]:.3f} h: vehicle {dep['vehicle'][i]} of "
            f"{dep['service'][i]} carries {dep['teu'][i]} TEU > capacity "
            f"{dep['capacity_teu'][i]}"
        )
    visits = tables["facility_visits"]
    for node, fac in corridor.facilities.items():
        for server, servers in fac.servers.items():
            mask = (visits["node"] == node) & (visits["server"] == server)
            if not mask.any():
                continue
            times = np.concatenate([visits["start_h"][mask], visits["end_h"][mask]])
            steps = np.concatenate([np.ones(mask.sum()), -np.ones(mask.sum())])
            order = np.lexsort((steps, times))  # at equal times, departures before arrivals
            busy = np.cumsum(steps[order])
            j = int(np.argmax(busy))
            if busy[j] > servers.capacity:
                raise ModelError(
                    f"t={times[order][j]:.3f} h: {node} serves {int(busy[j])} vehicles "
                    f"at once on {servers.capacity} {server}"
                )


def _monotone(tables: dict[str, dict[str, np.ndarray]]) -> None:
    checks: list[tuple[str, str, str, str]] = [
        ("consignments", "created_h", "delivered_h", "consignment"),
        ("departures", "depart_h", "arrive_h", "vehicle"),
        ("facility_visits", "arrive_h", "start_h", "vehicle"),
        ("facility_visits", "start_h", "end_h", "vehicle"),
        ("legs", "ready_h", "depart_h", "consignment"),
        ("legs", "depart_h", "arrive_h", "consignment"),
    ]
    for table, early, late, entity in checks:
        if table not in tables:
            continue
        t: dict[str, Any] = tables[table]
        i = _first_bad(t[late] < t[early] - _EPS)  # NaN (not yet happened) compares False
        if i is not None:
            raise ModelError(
                f"t={t[early][i]:.3f} h: {table} row {i} ({entity} {t[entity][i]}): "
                f"{late} {t[late][i]:.3f} is before {early} {t[early][i]:.3f}"
            )
    cons = tables["consignments"]
    for part in BREAKDOWN_COLUMNS:
        i = _first_bad(cons[part] < -_EPS)
        if i is not None:
            raise ModelError(
                f"consignment {cons['consignment'][i]}: negative {part} {cons[part][i]}"
            )


def check_invariants(
    corridor: Corridor, tables: dict[str, dict[str, np.ndarray]], queued_teu: float
) -> None:
    """Raise :class:`~sim.errors.ModelError` (with time and entity) if the run broke a rule."""
    _conservation(corridor, queued_teu)
    _capacity(corridor, tables)
    _monotone(tables)
