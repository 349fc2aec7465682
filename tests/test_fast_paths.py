"""The engine's and the cost model's shortcuts give what the long way gives, to the digit.

A ride with no closure still on is walked as precomputed steps; a facility's occupancy is kept
until its next start or end; an arrival with nothing due before it moves the clock without an
event of its own. Each is held here to the long way it replaces.
"""

from __future__ import annotations

import datetime
import functools

import pytest
import simpy
from hypothesis import given, settings
from hypothesis import strategies as st

import sim
from sim.choice.rides import ServiceRides
from sim.model.environment import CountingEnvironment
from sim.model.facilities import Servers


@functools.cache
def _scenario() -> sim.Scenario:
    """The corridor with the China-Europe link (border posts, locks, opening hours), its two
    changes of gauge taking 5 hours each."""
    return sim.load_scenario("scenarios/europe_asean_2019.toml", overrides={"gauge_change_h": 5.0})


@functools.cache
def _services() -> list[str]:
    """Every service, those with a queue, opening hours or a gauge change on the way first."""
    rides = ServiceRides(_scenario(), {})

    def plain(sid: str) -> bool:
        stops = rides.stops[sid]
        return not rides.queue_nodes[sid] and all(
            s.opening is None and s.gauge_change_h == 0.0 for s in stops
        )

    return sorted(rides.stops, key=lambda sid: (plain(sid), sid))


@settings(max_examples=60, deadline=None)
@given(
    which=st.integers(min_value=0),
    t=st.floats(min_value=0.0, max_value=8000.0),
    queued_h=st.lists(st.floats(min_value=0.0, max_value=50.0), min_size=3, max_size=3),
)
def test_a_ride_walked_as_steps_equals_the_walk(which, t, queued_h):
    """A closure known on the way but beyond the ride makes the model walk every stop; the
    steps it takes otherwise give the same hand-over time, to the last digit."""
    scenario = _scenario()
    sid = _services()[which % len(_services())]
    place = scenario.services[sid].path[-1]
    later = {place: [(0.0, 1e9, 1e9 + 1.0)]}  # known from the start, long after this ride
    steps, walk = ServiceRides(scenario, {}), ServiceRides(scenario, later)
    queues = tuple(queued_h[: len(steps.queue_nodes[sid])])
    for queues_h in (None, queues):
        assert walk.ride(sid, t, t, queues_h, later) == steps.ride(sid, t, t, queues_h, {})


def test_a_closure_still_on_holds_the_ride():
    """The walk is taken when it matters: a known closure at the end of the way holds it."""
    scenario = _scenario()
    sid = _services()[0]
    origin = scenario.services[sid].origin
    free_h, _ = ServiceRides(scenario, {}).ride(sid, 100.0, 100.0, None, {})
    closed = {origin: [(0.0, 0.0, 148.0)]}  # shut until two days after it was to leave
    held_h, hit = ServiceRides(scenario, closed).ride(sid, 100.0, 100.0, None, closed)
    assert hit and held_h == pytest.approx(free_h + 48.0)


@settings(max_examples=80, deadline=None)
@given(
    servers=st.integers(min_value=1, max_value=3),
    visits=st.lists(
        st.tuples(
            st.floats(min_value=0.0, max_value=5.0),  # gap to the next arrival
            st.floats(min_value=0.1, max_value=8.0),  # service
            st.lists(st.floats(min_value=0.0, max_value=6.0), max_size=4),  # looks after it
        ),
        max_size=25,
    ),
)
def test_occupancy_kept_between_changes_equals_a_fresh_count(servers, visits):
    """Queueing and busy vehicles at any time, asked again and again, are the fresh counts."""
    s = Servers(servers)
    held: list[tuple[float, float]] = []
    arrive = t = 0.0
    for gap, work, looks in visits:
        arrive = max(arrive + gap, t)  # the model's clock never goes back
        start = s.start_h(arrive)
        s.hold(start, start + work, arrive)
        held.append((start, start + work))
        for look in sorted(looks):
            t = max(t, arrive + look)
            queued = sum(1 for a, _ in held if a > t)
            busy = sum(1 for a, b in held if a <= t < b)
            assert s.occupancy(t) == (queued, busy)


class _Arrivals:
    """Arrivals at given times, each noting the clock it was handled at."""

    def __init__(self, env: simpy.Environment, times: list[float], seen: list) -> None:
        self.env, self.times, self.seen = env, list(times), seen

    def next_time(self) -> float:
        return self.times[0] if self.times else float("inf")

    def arrive(self) -> None:
        self.seen.append(("arrival", self.times.pop(0), self.env.now))


@settings(max_examples=60, deadline=None)
@given(
    ticks=st.lists(st.integers(min_value=1, max_value=40), max_size=8),
    arrivals=st.lists(st.integers(min_value=0, max_value=60), max_size=12),
)
def test_arrivals_handled_inline_see_what_a_process_waiting_for_each_would(ticks, arrivals):
    """Arrivals handled between events come in the order, and at the clock, that a process
    timing out to each would see (arrivals on odd eighths of an hour, the other events on
    quarters: no ties)."""
    times = sorted((2 * a + 1) / 8 for a in arrivals)

    def ticking(env: simpy.Environment, seen: list) -> simpy.events.ProcessGenerator:
        for gap in ticks:
            yield env.timeout(gap / 4)
            seen.append(("tick", env.now, env.now))

    def waiting(env: simpy.Environment, seen: list) -> simpy.events.ProcessGenerator:
        source = _Arrivals(env, times, seen)
        while source.times:
            yield env.timeout(source.next_time() - env.now, simpy.events.NORMAL)
            source.arrive()

    inline_env, inline_seen = CountingEnvironment(), []
    inline_env.process(ticking(inline_env, inline_seen))
    inline_env.add_arrivals([_Arrivals(inline_env, times, inline_seen)], until_h=100.0)
    inline_env.run(until=100.0)

    env, seen = CountingEnvironment(), []
    env.process(ticking(env, seen))
    env.process(waiting(env, seen))
    env.run(until=100.0)

    assert [(kind, at) for kind, at, _ in inline_seen] == [(kind, at) for kind, at, _ in seen]
    assert all(at == now for _, at, now in inline_seen)
    # The same events but the waiting process's: its start, a timeout an arrival, its end.
    assert inline_env.count_events() == env.count_events() - 1 - len(times) - 1


def test_an_event_due_at_an_arrivals_time_goes_first():
    env, seen = CountingEnvironment(), []
    env.timeout(1.0).callbacks.append(lambda _: seen.append(("tick", 1.0, env.now)))
    env.add_arrivals([_Arrivals(env, [0.5, 1.0, 1.5], seen)], until_h=10.0)
    env.run(until=10.0)
    assert seen == [
        ("arrival", 0.5, 0.5),
        ("tick", 1.0, 1.0),
        ("arrival", 1.0, 1.0),
        ("arrival", 1.5, 1.5),
    ]


def test_the_environment_counts_the_events_scheduled():
    idle, busy = CountingEnvironment(), CountingEnvironment()
    busy.timeout(1.0)
    busy.timeout(2.0)
    for env in (idle, busy):
        env.run(until=5.0)
    assert busy.count_events() - idle.count_events() == 2  # the two timeouts


def test_a_run_counts_its_events():
    """The run's log counts its SimPy events: fewer with route choice's arrivals inline than a
    timeout for each would take."""
    scenario = sim.load_scenario(
        "scenarios/example.toml", overrides={"horizon.end": datetime.date(2019, 2, 1)}
    )
    res = sim.run(scenario, seed=1)
    cons = res.tables["consignments"]
    assert 0 < res.events < 10 * len(cons["teu"])
