"""Build the corridor model from a scenario and run it: the only place that wires SimPy together.

:class:`Corridor` makes one :class:`~sim.model.facilities.FacilityRuntime` per facility, one
:class:`~sim.model.services.ServiceRunner` per service and one arrival process per demand flow,
runs the horizon, checks the invariants and hands the log to a :class:`~sim.results.RunResult`.
"""

from __future__ import annotations

import bisect
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import simpy

from sim.demand import arrival_times
from sim.model.facilities import FacilityRuntime, Windows
from sim.model.invariants import check_invariants
from sim.model.services import Consignment, ServiceRunner
from sim.model.streams import Streams
from sim.results.records import Recorder
from sim.results.run_result import RunResult
from sim.scenario.schema import Flow, Scenario, Service

__all__ = ["Corridor", "run"]


@dataclass
class _FlowRuntime:
    spec: Flow
    chain: list[ServiceRunner]


class Corridor:
    """The corridor of one scenario, ready to run once with one seed."""

    def __init__(self, scenario: Scenario, seed: int, log_events: bool | None = None) -> None:
        self.scenario, self.seed = scenario, int(seed)
        self.env = simpy.Environment()
        self.streams = Streams(self.seed)
        keep_legs = scenario.log_events if log_events is None else log_events
        self.recorder = Recorder(legs=keep_legs)
        self._windows: dict[str, Windows] = {}
        by_target: dict[str, list] = {}
        for d in scenario.disruptions:
            by_target.setdefault(d.target, []).append(d)
        self._windows = {target: Windows(ds) for target, ds in by_target.items()}
        self._no_windows = Windows([])
        self.facilities = {
            fid: FacilityRuntime(
                self.env, spec, self.windows(fid), self.streams[f"clearance:{fid}"], self.recorder
            )
            for fid, spec in scenario.facilities.items()
        }
        net = scenario.network
        self.services = {
            sid: ServiceRunner(self, svc, [net.links[lid] for lid in svc.links])
            for sid, svc in scenario.services.items()
        }
        self.flows = [
            _FlowRuntime(f, [self.services[s] for s in f.chain]) for f in scenario.flows.values()
        ]
        self.consignments: list[Consignment] = []
        self.created_teu = self.delivered_teu = self.in_transit_teu = 0.0
        self._vehicles = 0

    def windows(self, target: str) -> Windows:
        """Closure and slow-down windows of a node or link (empty when it has none)."""
        return self._windows.get(target, self._no_windows)

    # -- bookkeeping called by the services --------------------------------------------------
    def record_departure(self, service: Service, teu: float, extra: bool) -> tuple[int, int]:
        """Log a departure now; return (vehicle id, row index for the arrival time)."""
        self._vehicles += 1
        row = len(self.recorder.columns["departures"]["service"])
        self.recorder.add(
            "departures",
            service.id,
            service.family,
            self._vehicles,
            self.env.now,
            float("nan"),
            teu,
            service.capacity_teu,
            0,
            int(extra),
        )
        return self._vehicles, row

    def record_arrival(self, row: int, teu: float) -> None:
        """Set the arrival time of departure ``row``; its load leaves the vehicles."""
        self.recorder.columns["departures"]["arrive_h"][row] = self.env.now
        self.in_transit_teu -= teu

    def record_cancelled(self, service: Service, teu: float) -> None:
        """Log a slot that did not run (too little load)."""
        self.recorder.add(
            "departures",
            service.id,
            service.family,
            0,
            self.env.now,
            float("nan"),
            teu,
            service.capacity_teu,
            1,
            0,
        )

    def hand_over(
        self, c: Consignment, runner: ServiceRunner, vehicle: int, depart_h: float
    ) -> None:
        """A vehicle has delivered ``c`` to its service's destination: next stage or done."""
        if self.recorder.keep_legs:
            svc = runner.service
            self.recorder.add(
                "legs",
                c.id,
                c.stage,
                svc.id,
                vehicle,
                svc.origin,
                svc.destination,
                c.ready_h,
                depart_h,
                self.env.now,
            )
        c.stage += 1
        chain = c.flow.chain
        if c.stage < len(chain):
            chain[c.stage].enqueue(c)
        else:
            c.delivered_h = self.env.now
            self.delivered_teu += c.teu

    # -- processes ---------------------------------------------------------------------------
    def _arrivals(self, flow: _FlowRuntime) -> Generator[Any, Any, None]:
        env, first = self.env, flow.chain[0]
        rng = self.streams[f"arrivals:{flow.spec.id}"].rng
        sizes = self.streams[f"sizes:{flow.spec.id}"]
        values, cumulative = flow.spec.size_teu, []
        for p in flow.spec.size_p:
            cumulative.append((cumulative[-1] if cumulative else 0.0) + p)
        last = len(values) - 1
        for chunk in arrival_times(flow.spec, self.scenario.horizon, rng):
            for t in chunk.tolist():
                yield env.timeout(t - env.now)
                teu = (
                    values[0]
                    if last == 0
                    else values[min(bisect.bisect(cumulative, sizes.uniform()), last)]
                )
                c = Consignment(len(self.consignments), flow, teu, env.now)
                self.consignments.append(c)
                self.created_teu += teu
                first.enqueue(c)

    def run(self) -> RunResult:
        """Run the horizon once, check the invariants and return the result."""
        env = self.env
        for runner in self.services.values():
            if runner.service.dispatch == "timetable":
                env.process(runner.timetable())
        for flow in self.flows:
            env.process(self._arrivals(flow))
        env.run(until=self.scenario.horizon.length_h)
        self._write_consignments()
        tables = self.recorder.tables()
        queued = sum(r.queued_teu for r in self.services.values())
        check_invariants(self, tables, queued)
        return RunResult(
            self.scenario, self.seed, tables, self.streams.names(), events=_events_processed(env)
        )

    def _write_consignments(self) -> None:
        add = self.recorder.add
        for c in self.consignments:
            f = c.flow.spec
            add(
                "consignments",
                c.id,
                f.id,
                f.origin,
                f.destination,
                f.chain_family,
                f.commodity,
                c.teu,
                c.created_h,
                c.delivered_h,
                c.waiting_h,
                c.moving_h,
                c.handling_h,
                c.border_queue_h,
                c.inspection_h,
                c.missed,
            )


def _events_processed(env: simpy.Environment) -> int:
    """Number of events SimPy scheduled in this run (its event-id counter)."""
    return next(env._eid)  # SimPy keeps this counter private


def run(
    scenario: Scenario, seed: int | None = None, *, log_events: bool | None = None
) -> RunResult:
    """Simulate one replication of ``scenario``.

    Parameters
    ----------
    scenario : Scenario
        From :func:`sim.load_scenario`.
    seed : int, optional
        The run's seed (default: the scenario's ``seed``). The same seed gives the same result to
        the last digit.
    log_events : bool, optional
        Keep the per-consignment ``legs`` table (default: the scenario's ``log.events``). Off is
        faster and lighter; the KPIs do not need it.

    Returns
    -------
    RunResult
        Tables of the run and its KPIs.
    """
    return Corridor(scenario, scenario.seed if seed is None else seed, log_events).run()
