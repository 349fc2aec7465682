"""The engine's and the cost model's shortcuts give what the long way gives, to the digit.

A ride with no closure still on is walked as precomputed steps; a facility's occupancy is kept
until its next start or end; an arrival with nothing due before it moves the clock without an
event of its own. Each is held here to the long way it replaces.
"""

from __future__ import annotations

import functools

import pytest
import simpy
from hypothesis import given, settings
from hypothesis import strategies as st

import sim
from sim.choice.rides import ServiceRides
from sim.model.corridor import CountingEnvironment
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


def test_the_clock_moves_inline_only_when_nothing_is_due_first():
    env = CountingEnvironment()
    env.timeout(5.0)
    assert env.advance(3.0) and env.now == 3.0
    assert not env.advance(5.0)  # the timeout is due at 5: it goes first
    assert not env.advance(2.0)  # never backwards
    assert env.now == 3.0


def test_arrivals_handled_inline_see_the_times_a_timeout_would_give():
    """A process that advances inline where it can logs the same times as one that waits."""

    def log_times(inline: bool) -> list[tuple[str, float]]:
        env = CountingEnvironment()
        seen: list[tuple[str, float]] = []

        def ticks() -> simpy.events.ProcessGenerator:
            for _ in range(4):
                yield env.timeout(2.5)
                seen.append(("tick", env.now))

        def arrivals() -> simpy.events.ProcessGenerator:
            for t in (0.5, 1.0, 2.5, 3.0, 6.0, 9.75):
                if not (inline and env.advance(t)):
                    yield env.timeout(t - env.now)
                seen.append(("arrival", env.now))

        env.process(ticks())
        env.process(arrivals())
        env.run()
        return seen

    assert log_times(inline=True) == log_times(inline=False)
