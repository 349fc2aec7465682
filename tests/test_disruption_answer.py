"""Disruptions as a planner sees them: the whole backlog, shippers who hold back, --set closures.

The hold-back-and-return rule on a facility's other traffic (exact on known arrivals, and as a
property for any window and shares), the whole queue against the corridor's part, the answer's
backlog lines in ``run`` and ``compare``, the question line after overrides, and a closure added
from the command line.
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest
from conftest import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

import sim
from sim.model.background import BackgroundTraffic
from sim.results.disruption_kpis import waiting_steps
from sim.scenario.schema import Disruption

EXAMPLE = ROOT / "scenarios" / "example.toml"
SHUT = "disruptions.shut={target = 'youyiguan', start = 2019-02-01, days = 10.0}"


def _traffic(times: list[float]) -> BackgroundTraffic:
    n = len(times)
    return BackgroundTraffic(np.asarray(times, float), np.arange(n, dtype=float), np.zeros(n, int))


def _window(held: float, returned: float, days: float) -> Disruption:
    return Disruption(
        "w", "youyiguan", 100.0, 200.0, held_share=held, returned_share=returned, return_days=days
    )


def test_a_known_closure_defers_its_traffic_and_returns_it_after():
    times = [float(t) for t in range(0, 300, 10)]  # 10 of the 30 arrivals fall in [100, 200)
    rng = np.random.default_rng(0)
    back = _traffic(times).held_back([_window(1.0, 1.0, 0.0)], rng)
    assert len(back.arrive_h) == 30 and not ((back.arrive_h >= 100) & (back.arrive_h < 200)).any()
    assert (back.arrive_h == 200.0).sum() == 10 + 1  # the ten held, and the one due at 200
    assert np.all(np.diff(back.arrive_h) >= 0)  # still in time order, with its work
    assert sorted(back.work_h.tolist()) == list(range(30))
    gone = _traffic(times).held_back([_window(1.0, 0.0, 0.0)], rng)
    assert len(gone.arrive_h) == 20  # none of the held came back
    spread = _traffic(times).held_back([_window(1.0, 1.0, 5.0)], rng)
    returned = spread.arrive_h[(spread.arrive_h >= 200) & (spread.arrive_h < 320)]
    assert len(returned) == 10 + 10  # the held, within five days of the end, and ten due anyway
    untouched = _traffic(times).held_back([_window(0.0, 1.0, 3.0)], rng)
    assert untouched.arrive_h.tolist() == times


@settings(max_examples=60, deadline=None)
@given(
    held=st.floats(0.0, 1.0),
    returned=st.floats(0.0, 1.0),
    days=st.floats(0.0, 30.0),
    seed=st.integers(0, 2**32 - 1),
)
def test_held_traffic_is_only_moved_later_or_dropped(held, returned, days, seed):
    rng = np.random.default_rng(seed)
    times = np.sort(rng.uniform(0, 1000, 400))
    after = _traffic(times.tolist()).held_back([_window(held, returned, days)], rng)
    outside = (times < 100) | (times >= 200)
    kept = after.arrive_h
    assert np.all(np.diff(kept) >= 0) and len(kept) <= len(times)
    assert np.isin(times[outside], kept).all()  # no one outside the window moves
    new = kept[~np.isin(kept, times)]
    assert np.all((new >= 200.0) & (new <= 200.0 + 24.0 * days))  # returns come after the end
    if held == 0.0:
        assert np.array_equal(kept, times)


def test_the_whole_queue_counts_the_other_traffic_by_its_batch():
    tables = {
        "facility_visits": {
            "node": np.array(["p", "p", "p"], dtype=object),
            "service": np.array(["own", "background", "own"], dtype=object),
            "arrive_h": np.array([0.0, 1.0, 2.0]),
            "start_h": np.array([3.0, 4.0, 5.0]),
        },
        "unserved": {
            "node": np.array(["p"], dtype=object),
            "service": np.array(["background"], dtype=object),
            "arrive_h": np.array([6.0]),
        },
    }
    _, queue, own = waiting_steps(tables, "p", batch=20)
    assert queue.max() == 22 and own.max() == 2  # 20 + the corridor's two
    assert queue[-1] == 20 and own[-1] == 0  # the batch still waiting at the end


def test_the_answer_gives_the_whole_backlog_and_the_corridors_part(cli):
    got = cli("run", EXAMPLE, "--set", SHUT)
    assert got.returncode == 0, got.stderr
    line = next(x for x in got.stdout.splitlines() if x.startswith("Disruption:"))
    assert "Youyiguan / Huu Nghi shut 01 Feb – 11 Feb" in line
    assert "vehicles waiting as it ended (the corridor's" in line and "longest queue" in line
    shut = {"disruptions.shut": {"target": "youyiguan", "start": dt.date(2019, 2, 1), "days": 10.0}}
    res = sim.run(sim.load_scenario(EXAMPLE, overrides=shut), seed=1)
    k = res.kpis()
    assert k["backlog.shut.vehicles"] >= k["backlog.shut.corridor_vehicles"] > 0
    assert k["queue_vehicles.youyiguan.max"] >= k["border_queue_vehicles.youyiguan.max"]
    assert f"{k['backlog.shut.vehicles']:,.0f} vehicles waiting" in line


def test_the_question_line_says_what_set_changed(cli):
    got = cli("run", EXAMPLE, "--set", "demand.scale=0.5")
    question = next(x for x in got.stdout.splitlines() if x.startswith("Question:"))
    assert question.endswith("(changed by --set: demand.scale = 0.5)"), question
    plain = cli("run", EXAMPLE)
    assert "changed by --set" not in plain.stdout


def test_an_unknown_disruption_says_how_to_add_one(cli):
    got = cli("run", EXAMPLE, "--set", "disruptions.yy.target=youyiguan")
    assert got.returncode == 2 and "unknown disruption 'yy'" in got.stderr
    assert "--set 'disruptions.yy={target" in got.stderr


def test_compare_shows_the_alternatives_backlog_where_the_base_has_none(cli, tmp_path):
    cmd = ["compare", EXAMPLE, EXAMPLE, "--set", SHUT, "--replications", "3", "--no-independent"]
    out = cli(*cmd, "--json")
    assert out.returncode == 0, out.stderr
    rows = {r["kpi"]: r for r in json.loads(out.stdout)["kpis"]}
    wait = rows["backlog.shut.wait_h.mean"]
    assert wait["base_mean"] is None and wait["alt_mean"] > 0  # the alternative's value, not n/a
    text = cli(*cmd).stdout
    assert "Disruption (alternative): Youyiguan / Huu Nghi shut" in text
    assert "changed by --set: disruptions.shut" in text


@pytest.mark.parametrize("key", ["held_share", "returned_share"])
def test_a_share_outside_zero_one_is_refused(cli, key):
    got = cli("run", EXAMPLE, "--set", SHUT, "--set", f"disruptions.shut.{key}=1.5")
    assert got.returncode == 2 and f"disruptions.shut.{key}" in got.stderr


def test_traffic_returning_from_one_window_is_not_held_again_by_the_next():
    times = [float(t) for t in range(100, 200)]  # all due in the first window
    first = Disruption("a", "p", 100.0, 200.0, held_share=1.0, return_days=100 / 24)
    second = Disruption("b", "p", 200.0, 300.0, held_share=1.0, return_days=1.0)
    for order in ([first, second], [second, first]):
        after = _traffic(times).held_back(order, np.random.default_rng(1))
        assert len(after.arrive_h) == 100 and after.arrive_h.max() <= 300.0  # in file order or not


def test_recovery_is_when_the_whole_queue_is_back_to_its_usual_level():
    from sim.results.disruption_kpis import _calm_from, _recovered_at, time_average

    # 10 waiting for the 30 days before a window [720, 800); 100 at its end, 10 again at 900.
    t = np.array([0.0, 720.0, 800.0, 900.0])
    queue = np.array([10, 50, 100, 10])
    usual = time_average(t, queue, 0.0, 720.0)
    assert usual == 10.0 and _recovered_at(t, queue, usual, 800.0) == 900.0
    assert _recovered_at(t[:3], queue[:3], usual, 800.0) == float("inf")  # never back
    assert _recovered_at(t, np.array([10, 50, 5, 5]), usual, 800.0) == 800.0  # at once
    # A slow-down right after a closure is measured against the queue before the closure.
    windows = {
        "disruptions.shut": {"target": "youyiguan", "start": dt.date(2019, 2, 1), "days": 5.0},
        "disruptions.slow": {
            "target": "youyiguan",
            "start": dt.date(2019, 2, 6),
            "days": 5.0,
            "effect": "slow",
            "factor": 2.0,
        },
    }
    sc = sim.load_scenario(EXAMPLE, overrides=windows)
    by_id = {d.id: d for d in sc.disruptions}
    assert _calm_from(sc, by_id["slow"]) == _calm_from(sc, by_id["shut"]) == by_id["shut"].start_h
