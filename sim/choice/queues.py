"""What a consignment waits behind: the queues of a run, and the full loads ahead of it.

:class:`LiveState` is what a running model knows that the empty corridor does not (TEU already
waiting for a vehicle, vehicles queueing at a border post); :func:`full_loads_ahead` and
:func:`nominal_rates_teu_h` turn a queue and the planned demand into departures to wait for.
"""

from __future__ import annotations

from typing import Protocol

from sim.scenario.schema import Scenario, Service

__all__ = ["LiveState", "full_loads_ahead", "nominal_rates_teu_h"]


class LiveState(Protocol):
    """What a run knows now that the empty corridor does not."""

    def first_wait_h(
        self, service: Service, t: float, teu: float, ready_h: float, ahead_teu: float | None
    ) -> float:
        """Expected hours from ``t`` until a consignment of ``teu`` leaves on ``service``.

        ``ready_h < t`` means the consignment has been in the queue since ``ready_h`` with
        ``ahead_teu`` in front of it; ``ahead_teu=None`` means it joins the queue now.
        """

    def queue_h(self, node: str, vehicle: str) -> float:
        """Expected hours a vehicle arriving now at ``node`` queues before its clearance."""


def full_loads_ahead(ahead_teu: float, teu: float, capacity_teu: float) -> int:
    """Full vehicle loads that leave before a consignment with ``ahead_teu`` in front of it.

    Examples
    --------
    >>> full_loads_ahead(4.0, 1.0, 5.0), full_loads_ahead(5.0, 1.0, 5.0), full_loads_ahead(0, 2, 5)
    (0, 1, 0)

    """
    return int((ahead_teu + teu - 1e-9) // capacity_teu)


def nominal_rates_teu_h(scenario: Scenario) -> dict[str, float]:
    """Expected TEU per hour boarding each service, from the flows' own demand (fixed chains)."""
    rates = dict.fromkeys(scenario.services, 0.0)
    for flow in scenario.flows.values():
        for sid in flow.chain:
            rates[sid] += flow.teu_per_year / 8760.0
    return rates
