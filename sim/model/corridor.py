"""Build the corridor model from a scenario and run it: the only place that wires SimPy together.

:class:`Corridor` makes one :class:`~sim.model.facilities.FacilityRuntime` per facility, one
:class:`~sim.model.services.ServiceRunner` per service (its flows' arrivals join its queue when it
looks) and, under route choice, one :class:`~sim.model.chooser.MarketRuntime` per market (its
arrivals handled between events, :mod:`sim.model.environment`), runs the horizon, checks the
invariants and returns its log (:class:`~sim.model.records.RunLog`).
"""

from __future__ import annotations

import gc
import multiprocessing
import threading

from sim.choice import ChainCoster
from sim.model.chooser import MarketRuntime
from sim.model.consignment import Consignment, LegParts
from sim.model.consignment_table import LegRecord, consignment_table
from sim.model.environment import CountingEnvironment
from sim.model.facilities import FacilityRuntime, Windows
from sim.model.feed import ArrivalFeed
from sim.model.invariants import check_invariants
from sim.model.lines import LineRuntime
from sim.model.random_disruptions import draw_random_disruptions
from sim.model.records import Recorder, RunLog
from sim.model.services import FlowRuntime, ServiceRunner
from sim.model.streams import Streams
from sim.model.supply import SupplyResponse
from sim.scenario.operating_rules import dwell_at_end
from sim.scenario.schema import Disruption, Scenario, Service

__all__ = ["Corridor", "run"]


class Corridor:
    """The corridor of one scenario, ready to run once with one seed."""

    def __init__(self, scenario: Scenario, seed: int, log_events: bool | None = None) -> None:
        self.scenario, self.seed = scenario, int(seed)
        self.env = CountingEnvironment()
        self.streams = Streams(self.seed)
        keep_legs = scenario.log_events if log_events is None else log_events
        self.recorder = Recorder(legs=keep_legs)
        by_target: dict[str, list[Disruption]] = {}
        drawn = draw_random_disruptions(scenario, self.streams)
        for random, disruptions in ((0, scenario.disruptions), (1, drawn)):
            for d in disruptions:
                by_target.setdefault(d.target, []).append(d)
                self.recorder.add(
                    "disruptions",
                    id=d.id,
                    target=d.target,
                    start_h=d.start_h,
                    end_h=d.end_h,
                    effect=d.effect,
                    random=random,
                )
        self._windows = {target: Windows(ds) for target, ds in by_target.items()}
        self._no_windows = Windows([])
        self.facilities = {
            fid: FacilityRuntime(
                spec,
                self.windows(fid),
                self.streams[f"clearance:{fid}"],
                scenario.horizon,
                self.streams[f"background:{fid}"].rng if spec.background_per_day > 0 else None,
            )
            for fid, spec in scenario.facilities.items()
        }
        net = scenario.network
        self.lines = {
            lid: LineRuntime(
                link,
                self.windows(lid),
                scenario.horizon.length_h,
                self.streams[f"line:{lid}"].rng if link.other_trains_per_day > 0 else None,
            )
            for lid, link in net.links.items()
            if link.paths_per_day is not None
        }
        self.services = {
            sid: ServiceRunner(self, svc, [net.links[lid] for lid in svc.links])
            for sid, svc in scenario.services.items()
        }
        self.flows = [
            FlowRuntime(f, [self.services[s] for s in f.chain]) for f in scenario.flows.values()
        ]
        self.consignments: list[Consignment] = []
        self.leg_log: list[LegRecord] = []
        self._next_id = 0
        self.markets = self._markets([*scenario.disruptions, *drawn])
        first_of: dict[str, list[FlowRuntime]] = {}
        for flow in self.flows:
            if not flow.market:  # a market's arrivals come through its chooser
                first_of.setdefault(flow.chain[0].service.id, []).append(flow)
        for sid, flows in first_of.items():
            self.services[sid].feed = ArrivalFeed.for_flows(flows, scenario.horizon, self.streams)
        self.created_teu = self.delivered_teu = self.in_transit_teu = 0.0
        self.dwelling_teu = 0.0  # in a yard or customs between two services
        self._vehicles = 0

    def _markets(self, disruptions: list[Disruption]) -> list[MarketRuntime]:
        """Under a logit choice, one chooser per market (none under fixed chains)."""
        choice = self.scenario.choice
        self.coster: ChainCoster | None = None
        if choice.model != "logit":
            return []
        self.coster = coster = ChainCoster(self.scenario, disruptions)
        by_id = {f.spec.id: f for f in self.flows}
        markets = []
        for name, members in choice.markets.items():
            alternatives = [by_id[fid] for fid in members]
            for alt in alternatives:
                alt.market = name
            markets.append(MarketRuntime(self, coster, name, alternatives))
        return markets

    def windows(self, target: str) -> Windows:
        """Closure and slow-down windows of a node or link (empty when it has none)."""
        return self._windows.get(target, self._no_windows)

    # -- bookkeeping called by the services --------------------------------------------------
    def record_departure(
        self, service: Service, teu: float, extra: bool, rolled_teu: float = 0.0
    ) -> tuple[int, int]:
        """Log a departure now; return (vehicle id, row index for the arrival time).

        ``rolled_teu``: what was ready for this timetabled departure but left behind, full.
        """
        self._vehicles += 1
        row = self.recorder.row_count("departures")
        self._log_departure(service, self._vehicles, teu, False, extra, rolled_teu)
        return self._vehicles, row

    def record_arrival(self, row: int, teu: float) -> None:
        """Set the arrival time of departure ``row``; its load leaves the vehicles."""
        self.recorder.update("departures", row, arrive_h=self.env.now)
        self.in_transit_teu -= teu

    def record_cancelled(self, service: Service, teu: float) -> None:
        """Log a slot that did not run (too little load)."""
        self._log_departure(service, 0, teu, True, False, 0.0)

    def _log_departure(
        self,
        service: Service,
        vehicle: int,
        teu: float,
        cancelled: bool,
        extra: bool,
        rolled_teu: float,
    ) -> None:
        """A row of the departures table, leaving now (its arrival time is set on arrival)."""
        self.recorder.add(
            "departures",
            service=service.id,
            family=service.family,
            vehicle=vehicle,
            vehicle_kind=service.vehicle,
            depart_h=self.env.now,
            arrive_h=float("nan"),
            teu=teu,
            capacity_teu=service.capacity_teu,
            cancelled=int(cancelled),
            extra=int(extra),
            rolled_teu=rolled_teu,
        )

    def hand_over(
        self,
        load: list[Consignment],
        runner: ServiceRunner,
        vehicle: int,
        depart_h: float,
        parts: LegParts,
    ) -> None:
        """A vehicle has brought ``load`` to its service's destination: next stage, or delivered.

        The leg's parts and the dwell that follows are logged once for the whole load.
        """
        now, svc = self.env.now, runner.service
        if self.recorder.keep_legs:
            for c in load:
                self.recorder.add(
                    "legs",
                    consignment=c.id,
                    stage=c.stage,
                    service=svc.id,
                    vehicle=vehicle,
                    node_from=svc.origin,
                    node_to=svc.destination,
                    ready_h=c.ready_h,
                    depart_h=depart_h,
                    arrive_h=now,
                )
        mean_h, cv = dwell_at_end(svc, self.scenario.facilities)
        dwells = mean_h > 0 and bool(load)  # only at a facility
        dwell_h = 0.0
        if dwells:  # yard, customs: a draw a load (0 h is still a wait)
            dwell_h = self.streams[f"dwell:{svc.destination}"].positive(mean_h, cv)
            teu = sum(c.teu for c in load)
            self.dwelling_teu += teu
            self.env.timeout(dwell_h).callbacks.append(lambda _: self._pass_on(load, teu))
        self.leg_log.append(LegRecord([c.id for c in load], parts, dwell_h))
        for c in load:
            c.stage += 1
        if not dwells:
            self._pass_on(load, 0.0)

    def _pass_on(self, load: list[Consignment], dwelt_teu: float) -> None:
        """Hand ``load`` (its stage already advanced) to its next services, or deliver it."""
        now = self.env.now
        self.dwelling_teu -= dwelt_teu
        onward: dict[ServiceRunner, list[Consignment]] = {}
        for c in load:
            chain = c.flow.chain
            if c.stage < len(chain):
                c.ready_h = now
                onward.setdefault(chain[c.stage], []).append(c)
            else:
                c.delivered_h = now
                self.delivered_teu += c.teu
        for next_runner, arrived in onward.items():
            next_runner.enqueue(arrived)

    # -- processes ---------------------------------------------------------------------------
    def next_id(self) -> int:
        """A new consignment id."""
        self._next_id += 1
        return self._next_id - 1

    def run(self) -> RunLog:
        """Run the horizon once, check the invariants and return its log."""
        env = self.env
        for runner in self.services.values():
            if runner.service.dispatch == "timetable":
                env.process(runner.timetable())
            if runner.service.responds:
                env.process(SupplyResponse(runner).process())
        for runner in self.services.values():
            runner.dispatch()  # plan the first departures of services that leave when full
        horizon_h = self.scenario.horizon.length_h
        env.add_arrivals(list(self.markets), horizon_h)
        for market in self.markets:
            env.process(market.reviews())
        env.run(until=horizon_h)
        for runner in self.services.values():
            runner.sync()  # every arrival of the horizon becomes a consignment
        for facility in self.facilities.values():
            for table, block in facility.log(horizon_h).items():
                self.recorder.extend(table, block)
        for line in self.lines.values():
            self.recorder.extend("line_visits", line.log(horizon_h))
        self._write_consignments()
        tables = self.recorder.tables()
        queued = sum(r.queued_teu for r in self.services.values())
        check_invariants(self, tables, queued)
        return RunLog(self.scenario, self.seed, tables, self.streams.names(), env.count_events())

    def release(self) -> None:
        """Let go of the run's bulk (consignments, queues, logs, arrival feeds) once it is over.

        The model's objects refer to each other (services to the corridor, SimPy processes to
        the environment), so without this only a full cyclic collection would free a finished
        run, and serial replications would pile up tens of MB each until one happened.
        """
        self.consignments, self.leg_log = [], []
        self.recorder = Recorder(legs=False)
        for runner in self.services.values():
            runner.queue.clear()
            runner.feed = None
        for market in self.markets:
            market.feed = ArrivalFeed([])
        self.facilities = {}
        self.lines = {}

    def _write_consignments(self) -> None:
        self.recorder.extend(
            "consignments",
            consignment_table(self.consignments, self.flows, self.markets, self.leg_log),
        )


def run(scenario: Scenario, seed: int | None = None, *, log_events: bool | None = None) -> RunLog:
    """Simulate one replication of ``scenario`` and return its log.

    The public entry point is :func:`sim.run`, which reads the log as a
    :class:`~sim.results.RunResult`.
    """
    # A run makes many long-lived objects and few reference cycles: the cyclic garbage collector
    # would traverse them again and again for nothing (20% of a year's run time, more as demand
    # grows). It stays off until the run is over and its corridor let go of; then everything the
    # run made is still in the youngest generation, and one young collection frees its cycles
    # (a full collection would be needed once they had been promoted).
    # The collector is switched for the whole process, so only where no other thread of the
    # caller's can be at work: the main thread, or a worker process of an experiment (a web
    # server's job thread runs with it on).
    owns_process = (
        threading.current_thread() is threading.main_thread()
        or multiprocessing.parent_process() is not None
    )
    gc_was_on = gc.isenabled() and owns_process
    if owns_process:
        gc.disable()
    try:
        corridor = Corridor(scenario, scenario.seed if seed is None else seed, log_events)
        try:
            return corridor.run()
        finally:
            corridor.release()
            del corridor
    finally:
        if gc_was_on:
            gc.enable()
            gc.collect(0)
