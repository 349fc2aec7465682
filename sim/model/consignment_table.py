"""The ``consignments`` table of a run, built once at its end from the consignments and the legs.

A vehicle leg's parts (moving, queueing at posts, clearance, handling, a stall at a closed
origin or link, and the dwell after it) are the same for every consignment it carried, so the
run logs them once per leg (:class:`LegRecord`) and they are spread over the loads here, with
numpy. Text columns are built from integer codes (a consignment's flow) and a lookup.
"""

from __future__ import annotations

from itertools import chain
from operator import attrgetter
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from sim.errors import ModelError
from sim.model.consignment import Consignment, LegParts

if TYPE_CHECKING:
    from sim.model.chooser import MarketRuntime
    from sim.model.services import FlowRuntime

__all__ = ["LegRecord", "consignment_table"]

#: Consignment attributes copied as they are, with their column names.
_OWN_COLUMNS = {
    "consignment": "id",
    "teu": "teu",
    "created_h": "created_h",
    "delivered_h": "delivered_h",
    "waiting_h": "waiting_h",
    "transfer_wait_h": "transfer_wait_h",
    "missed_connections": "missed",
    "rolled": "rolled",
    "planned_h": "planned_h",
    "rechosen": "rechosen",
}
_INT = {"consignment", "missed_connections", "rolled", "rechosen"}


class LegRecord(NamedTuple):
    """One vehicle leg: the consignments it carried (ids), its parts, and the dwell after it."""

    ids: list[int]
    parts: LegParts
    dwell_h: float


def consignment_table(
    consignments: list[Consignment],
    flows: list[FlowRuntime],
    markets: list[MarketRuntime],
    legs: list[LegRecord],
) -> dict[str, np.ndarray]:
    """Columns of the ``consignments`` table (see :mod:`sim.model.records`).

    ``consignments[i]`` must have id ``i``; ``flows`` are the run's flows (``.spec``,
    ``.market``), ``markets`` its choosers (``.name``, ``.alternatives``).
    """
    n = len(consignments)
    out: dict[str, np.ndarray] = {
        name: np.fromiter(
            map(attrgetter(attr), consignments), np.int64 if name in _INT else float, count=n
        )
        for name, attr in _OWN_COLUMNS.items()
    }
    if n and not (out["consignment"] == np.arange(n)).all():
        raise ModelError("consignment ids are not their places in the run's list")
    out.update(_spread_legs(n, legs))
    out["waiting_h"] = out["waiting_h"] + out.pop("stall_first_h")
    out["transfer_wait_h"] = out["transfer_wait_h"] + out.pop("stall_later_h")

    code = {id(f): i for i, f in enumerate(flows)}
    flow = np.fromiter((code[id(c.flow)] for c in consignments), dtype=np.int64, count=n)
    planned = np.fromiter((c.planned for c in consignments), dtype=np.int64, count=n)
    planned_flow = flow.copy()
    for market in markets:
        alternatives = np.array([code[id(a)] for a in market.alternatives], dtype=np.int64)
        chose = (planned >= 0) & np.isin(flow, alternatives)
        planned_flow[chose] = alternatives[planned[chose]]
    specs = [f.spec for f in flows]
    labels = {
        "flow": [s.id for s in specs],
        "origin": [s.origin for s in specs],
        "destination": [s.destination for s in specs],
        "chain": [s.chain_family for s in specs],
        "commodity": [s.commodity for s in specs],
        "market": [f.market for f in flows],
    }
    for name, values in labels.items():
        out[name] = np.array(values, dtype=str)[flow] if flows else np.array([], dtype=str)
    out["planned_flow"] = out["flow"][:0] if not flows else np.array(labels["flow"])[planned_flow]
    out["diverted"] = (planned_flow != flow).astype(np.int64)
    return out


def _spread_legs(n: int, legs: list[LegRecord]) -> dict[str, np.ndarray]:
    """Each consignment's sum of the parts of the legs it rode.

    A stall on its first leg is a wait for its first departure, on a later one a wait at a
    transfer.
    """
    ids = np.fromiter(chain.from_iterable(leg.ids for leg in legs), dtype=np.int64)
    sizes = np.fromiter((len(leg.ids) for leg in legs), dtype=np.int64, count=len(legs))
    parts = np.array([(*leg.parts, leg.dwell_h) for leg in legs], dtype=float).reshape(-1, 6)
    per = np.repeat(parts, sizes, axis=0)  # one row per consignment and leg, in leg order
    first = np.zeros(len(ids), dtype=bool)
    first[np.unique(ids, return_index=True)[1]] = True  # legs are logged in time order

    def total(column: int, rows: np.ndarray | slice = slice(None)) -> np.ndarray:
        return np.bincount(ids[rows], weights=per[rows, column], minlength=n)

    return {
        "stall_first_h": total(0, first),
        "stall_later_h": total(0, ~first),
        "moving_h": total(1),
        "border_queue_h": total(2),
        "inspection_h": total(3),
        "handling_h": total(4),
        "dwell_h": total(5),
    }
