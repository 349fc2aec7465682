"""One consignment as it moves through the model, and the parts of a vehicle leg it rides."""

from __future__ import annotations

import math
from typing import Any, NamedTuple

__all__ = ["Consignment", "LegParts"]


class Consignment:
    """One consignment: its flow, size, timestamps and the waits it lives through (hours).

    The rest of its door-to-door breakdown comes from the log of the vehicle legs it rode
    (:meth:`~sim.model.corridor.Corridor.hand_over`), spread over their loads when the run ends.
    """

    __slots__ = (
        "chose_h",
        "created_h",
        "delivered_h",
        "expected_at_h",
        "flow",
        "id",
        "missed",
        "planned",
        "planned_h",
        "ready_h",
        "rechosen",
        "rolled",
        "stage",
        "teu",
        "transfer_wait_h",
        "waiting_h",
    )

    def __init__(self, cid: int, flow: Any, teu: float, now: float) -> None:
        self.id, self.flow, self.teu = cid, flow, teu
        self.created_h = self.ready_h = now
        self.delivered_h = math.nan
        self.stage = self.missed = self.rolled = 0
        self.waiting_h = self.transfer_wait_h = 0.0
        self.planned = -1  # route choice: the chain it would take on an undisturbed corridor
        self.planned_h = self.expected_at_h = self.chose_h = math.nan
        self.rechosen = 0


class LegParts(NamedTuple):
    """The hours every consignment on one vehicle leg spends in each part of the trip."""

    stall_h: float  # held at a closed origin or link: a wait for the departure
    moving_h: float
    border_queue_h: float
    inspection_h: float
    handling_h: float
