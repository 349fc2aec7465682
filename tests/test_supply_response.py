"""Supply that responds (sim/model/supply.py) and liners that run late, on the tiny network.

Every expected time is worked by hand: the horizon starts on Monday 7 January 2019 at 00:00 (0 h);
the ship leaves port c on Mondays at 12:00 (12 h, 180 h, ...).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tiny import WEEKLY_SHIP, write_scenario

from sim import run
from sim.errors import ScenarioError
from sim.model.supply import gap_middle_h, weekly_offsets_h
from sim.scenario import load_scenario

WEEK_H = 168.0
SHIP = {**WEEKLY_SHIP, "capacity_teu": 10.0}
RESPONDING = {
    "respond": True,
    "respond_weeks": 2,
    "respond_lead_days": 7.0,
    "respond_load": 0.9,
    "respond_withdraw_load": 0.3,
}
#: Boxes handed in at port c for d: about 15 TEU a week from January to March (room for 10 a
#: week), a tenth of that from April.
BOXES = {
    "origin": "c",
    "destination": "d",
    "direction": "southbound",
    "teu_per_year": 252.0,
    "chain": ["ship"],
    "chain_family": "rail_sea",
    "arrivals": "regular",
    "seasonality": [10, 10, 10, 1, 1, 1, 1, 1, 1, 1, 1, 1],
}


def scenario(tmp_path, **ship):
    tables = {
        "horizon": {"start": "2019-01-07", "end": "2019-06-03"},
        "services.ship": {**SHIP, **ship},
        "demand.flows.boxes": BOXES,
    }
    return load_scenario(write_scenario(tmp_path, tables))


def test_an_overloaded_service_gets_departures_after_the_lead_time_and_loses_them_when_idle(
    tmp_path,
):
    # Weeks 0 and 1: the first sailing takes the 1 TEU handed in by Monday noon, the second
    # sails full and leaves 5 TEU behind (rolled share 5/16 >= 0.05). At the review of Monday
    # 336 h the operator adds a weekly departure, first run a week later, in the middle of the
    # week's one gap: 84 h after Monday 12:00, Friday 00:00 (96 h into a week), first at 600 h.
    # Two weeks after it runs (840 h) the backlog still rolls boxes: a third, in the middle of
    # the longest gap from Friday 00:00 to Monday 12:00: Saturday 18:00 (138 h), from 1,008 h.
    # From April the freight falls to a tenth: the two are withdrawn, the last added first.
    res = run(scenario(tmp_path, **RESPONDING), seed=1)
    changes = res.tables["capacity_changes"]
    assert changes["change"].tolist() == [1, 1, -1, -1]
    assert changes["per_week"].tolist() == [2, 3, 2, 1]
    assert changes["decided_h"][:2].tolist() == [336.0, 840.0]
    assert changes["effective_h"][:2].tolist() == [504.0, 1008.0]
    assert changes["rolled_share"][0] == 5 / 16
    april_h = (31 - 6 + 28 + 31) * 24.0  # 1 April 00:00
    assert (changes["decided_h"][2:] > april_h).all()
    assert (changes["utilisation"][2:] < 0.3).all()
    dep = res.tables["departures"]
    ran = dep["depart_h"][dep["cancelled"] == 0]
    friday, saturday = (ran[np.isclose(ran % WEEK_H, h)] for h in (96.0, 138.0))
    assert (friday.min(), saturday.min()) == (600.0, 1146.0)  # not before the lead time
    assert saturday.max() < changes["decided_h"][2] < friday.max() < changes["decided_h"][3]
    assert set((ran % WEEK_H).tolist()) == {12.0, 96.0, 138.0}
    assert res.kpis()["capacity_added.ship"] == 0.0  # added, then withdrawn


def test_supply_response_is_off_unless_asked_and_its_kpi_counts_what_is_in_force(tmp_path):
    fixed = run(scenario(tmp_path), seed=1)
    assert len(fixed.tables["capacity_changes"]["service"]) == 0
    assert "capacity_added.ship" not in fixed.kpis()
    busy = {**RESPONDING, "respond_withdraw_load": 0.0}  # never withdraws
    kept = run(scenario(tmp_path, **busy), seed=1)
    assert kept.kpis()["capacity_added.ship"] == 2.0
    assert kept.kpis()["rolled"] < fixed.kpis()["rolled"]


def test_a_service_that_leaves_when_full_needs_no_response(tmp_path):
    res = run(scenario(tmp_path, dispatch="when_full", **RESPONDING), seed=1)
    assert len(res.tables["capacity_changes"]["service"]) == 0
    assert "capacity_added.ship" not in res.kpis()


def test_the_most_departures_a_week_caps_what_is_added(tmp_path):
    capped = {**RESPONDING, "respond_withdraw_load": 0.0, "respond_max_per_week": 1}
    res = run(scenario(tmp_path, **capped), seed=1)
    assert len(res.tables["capacity_changes"]["service"]) == 0


@pytest.mark.parametrize(
    ("ship", "key"),
    [
        ({**RESPONDING, "respond_withdraw_load": 0.95}, "services.ship.respond_withdraw_load"),
        ({"respond_weeks": 0}, "services.ship.respond_weeks"),
        ({"late_share": 1.5}, "services.ship.late_share"),
    ],
)
def test_bad_supply_and_lateness_keys_are_refused(tmp_path, ship, key):
    with pytest.raises(ScenarioError, match=key.replace(".", r"\.")):
        scenario(tmp_path, **ship)


@given(st.lists(st.floats(0, 167.9, allow_nan=False), min_size=1, max_size=20, unique=True))
def test_an_added_departure_goes_in_the_longest_gap_of_the_week(offsets):
    middle = gap_middle_h(offsets)
    ordered = sorted(offsets)
    gaps = [
        ((ordered[(i + 1) % len(ordered)] - t) % WEEK_H or WEEK_H) for i, t in enumerate(ordered)
    ]
    # the new departure halves a longest gap (to the hour): no departure sits closer to it than
    # half the longest gap less the rounding
    nearest = min(min((middle - t) % WEEK_H, (t - middle) % WEEK_H) for t in ordered)
    assert nearest >= max(gaps) / 2 - 0.5 - 1e-9
    assert 0 <= middle < WEEK_H


def test_weekly_offsets_count_from_the_horizons_weekday():
    # A horizon starting on Wednesday (2): Tuesday's 20:00 is 6 days on.
    assert weekly_offsets_h((1,), (20.0,), first_weekday=2) == [6 * 24.0 + 20.0]


def test_late_departures_follow_their_share_and_mean_delay(tmp_path):
    # A daily sailing, 30% of them late by an exponential delay of mean 3 h: over a year the
    # share late and the mean delay of the late ones match within three standard errors (a
    # delay past the next day's sailing, e^-8 likely, is as good as never).
    ship = {**SHIP, "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]}
    tables = {
        "horizon": {"start": "2019-01-07", "end": "2020-01-06"},
        "services.ship": {**ship, "late_share": 0.3, "late_mean_h": 3.0, "capacity_teu": 100.0},
        "demand.flows.boxes": {**BOXES, "seasonality": [1] * 12, "teu_per_year": 2000.0},
    }
    res = run(load_scenario(write_scenario(tmp_path, tables)), seed=7)
    dep = res.tables["departures"]
    ran = dep["cancelled"] == 0
    delay = (dep["depart_h"][ran] - 12.0) % 24.0  # hours past the day's 12:00 slot (< a day)
    late = delay > 1e-9
    n = len(delay)
    assert n > 300
    share_se = np.sqrt(0.3 * 0.7 / n)
    assert abs(late.mean() - 0.3) < 3 * share_se
    assert abs(delay[late].mean() - 3.0) < 3 * 3.0 / np.sqrt(late.sum())  # exponential: sd = mean
    on_time = run(
        load_scenario(
            write_scenario(tmp_path, {**tables, "services.ship": {**ship, "capacity_teu": 100.0}})
        ),
        seed=7,
    )
    assert (on_time.tables["departures"]["depart_h"] % 24.0 == 12.0).all()


def test_a_departure_twice_at_one_time_is_no_gap():
    # rounding a dense timetable to the hour can put two departures at one time: the longest
    # gap is still the one after them
    assert gap_middle_h([44.0, 44.0, 116.0]) == gap_middle_h([44.0, 116.0]) == 164.0
    assert gap_middle_h([12.0]) == 96.0  # one a week: half a week later


def test_the_growth_check_takes_the_forecasting_bases_supply_rule():
    from conftest import ROOT

    from sim.experiments.elasticity import _supply_overrides

    base = load_scenario(ROOT / "scenarios" / "baseline_2019.toml")
    forecast = load_scenario(ROOT / "scenarios" / "baseline_2019_forecast.toml")
    on = _supply_overrides(base, True, forecast)
    assert on["services.rail_tuanjiecun_qz.respond"] is True
    assert on["services.rail_tuanjiecun_qz.respond_lead_days"] == 7.0
    assert on["services.ship_qz_singapore.respond_max_per_week"] == 7
    assert "services.rail_chengdu_qz.respond" not in on  # leaves when full: nothing to add
    off = _supply_overrides(forecast, False, forecast)
    assert set(off.values()) == {False}
