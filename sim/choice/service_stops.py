"""The stops of each service as a vehicle runs them, at their expected times.

This is the static part of a chain's cost: what a vehicle of a service does on each link (travel,
a gauge change) and at the facility at its far end (clearance at a border post or lock, handling
at a terminal, the dwell in the yard at the end), and the spread of those times over a chain.
:class:`~sim.choice.costs.ChainCoster` walks these stops at run time.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from sim.scenario.operating_rules import dwell_at_end, gauge_changes, off_server_h, stops
from sim.scenario.schema import Flow, Scenario, Service
from sim.scenario.vocabulary import CLEARING_KINDS

__all__ = ["Stop", "chain_spread_h", "service_stops"]


@dataclass(frozen=True)
class Stop:
    """One leg of a service: a link, then maybe a facility at its far end."""

    link: str
    travel_h: float
    gauge_change_h: float
    node: str | None  # a clearing facility (border post, lock) or the final terminal
    service_h: float  # expected clearance + inspection + transfer, or handling at the terminal
    opening: tuple[float, float] | None
    queues: bool  # a border post or lock: its queue counts when the state is live


def service_stops(scenario: Scenario, svc: Service) -> list[Stop]:
    """The legs of ``svc`` as a vehicle runs them (:mod:`~sim.scenario.operating_rules`)."""
    net, facilities = scenario.network, scenario.facilities
    links = [net.links[lid] for lid in svc.links]
    changes = gauge_changes(svc, links)
    out = []
    for i, (link, fac, change) in enumerate(
        zip(links, stops(svc, facilities), changes, strict=True)
    ):
        service_h, opening, queues = 0.0, None, False
        if fac is not None:  # it stops: clearance at a post or lock, else handling
            queues = fac.kind in CLEARING_KINDS
            work_h = (
                fac.clearance_h + fac.inspection_share * fac.inspection_h
                if queues
                else fac.handling_for(svc.vehicle)
            )
            service_h, opening = work_h + off_server_h(fac, svc.vehicle), fac.opening_hours
        last = i == len(links) - 1
        end = facilities.get(svc.destination) if last else None
        dwell_h = dwell_at_end(svc, facilities)[0] if last else 0.0
        service_h += dwell_h  # at the end, the boxes sit in the yard and customs
        stop_at = fac if fac is not None else end if dwell_h > 0 else None
        out.append(
            Stop(
                link.id,
                link.time_from(svc.path[i]),
                scenario.gauge_change_h if change else 0.0,
                stop_at.id if stop_at is not None else None,
                service_h,
                opening,
                queues,
            )
        )
    return out


def chain_spread_h(scenario: Scenario, flow: Flow, stops_of: Mapping[str, list[Stop]]) -> float:
    """Standard deviation of the moving and clearance time of a flow's chain (hours).

    ``stops_of`` holds the :func:`service_stops` of every service of the chain.
    """
    var = 0.0
    for sid in flow.chain:
        for stop in stops_of[sid]:
            link = scenario.network.links[stop.link]
            var += (stop.travel_h * link.time_cv) ** 2
            fac = (
                scenario.facilities.get(stop.node)
                if stop.queues and stop.node is not None
                else None
            )
            if fac is not None:
                var += (fac.clearance_h * fac.clearance_cv) ** 2
                p = fac.inspection_share
                var += p * (1 - p) * fac.inspection_h**2
        svc = scenario.services[sid]
        mean_h, cv = dwell_at_end(svc, scenario.facilities)
        var += (mean_h * cv) ** 2
    return math.sqrt(var)
