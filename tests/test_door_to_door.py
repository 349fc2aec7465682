"""Door to door as shippers live it: sailings shared with other cargo, dwell by direction,
liner port calls, upstream times, release off the lanes, and the backlog a closure leaves.

Every expected value is worked by hand on the tiny network (tests/tiny.py): links have no spread,
post b clears in 1 h on one lane, port c handles a train in 2 h.
"""

from __future__ import annotations

import numpy as np
import pytest
from tiny import EVERY_2H, LINKS, NODES, TRAIN, write_scenario

from sim import run
from sim.choice import ChainCoster
from sim.errors import ScenarioError
from sim.scenario import load_scenario

SHIP = {"family": "sea", "vehicle": "ship", "path": ["c", "d"], "capacity_teu": 500.0}
WEEK_H = 168.0
#: One 1 TEU box a week, every Thursday at 12:00 (the horizon starts on Monday 7 January 2019).
WEEKLY = {
    **EVERY_2H,
    "teu_per_year": 8760.0 / WEEK_H,
    "destination": "d",
    "chain": ["train", "ship"],
}
TRUCK = {"family": "road", "vehicle": "truck", "path": ["a", "b", "e"], "capacity_teu": 1.0}
BY_TRUCK = {**EVERY_2H, "destination": "e", "chain": ["truck"], "chain_family": "road"}


def load(tmp_path, tables, **top):
    return load_scenario(write_scenario(tmp_path, tables, **top))


def rail_then_ship(**ship):
    """A daily 06:00 train to port c, then a ship on Tuesdays and Fridays at 20:00."""
    return {
        "horizon": {"start": "2019-01-07", "end": "2019-02-18"},
        "services.train": {**TRAIN, "times": ["06:00"]},
        "services.ship": {**SHIP, "days": ["tue", "fri"], "times": ["20:00"], **ship},
        "facilities.c": {"dwell_by_vehicle_h": {"train": 10.0, "ship": 99.0}, "dwell_cv": 0.0},
        "facilities.d": {"dwell_h": 5.0, "dwell_cv": 0.0},
    }


def test_a_box_rides_the_train_then_the_next_sailing_it_can_make(tmp_path):
    # Thursday 12:00 (84 h): the train leaves Friday 06:00 (18 h waiting), reaches c at 13:00
    # (2 h + 1 h clearance at b + 2 h + 2 h handling); the train's boxes dwell 10 h (exports:
    # the ship's 99 h is for boxes a ship brings), ready Friday 23:00. Friday's 20:00 sailing
    # needed them by Thursday 20:00 (24 h cut-off), so Tuesday's (20:00, 93 h later) takes them:
    # 20 h at sea, 5 h import dwell at d, delivered Wednesday 21:00, 153 h door to door.
    sc = load(tmp_path, {**rail_then_ship(cutoff_h=24.0), "demand.flows.f": {**WEEKLY}})
    cons = run(sc, seed=1).tables["consignments"]
    done = ~np.isnan(cons["delivered_h"])
    assert done.sum() >= 4
    parts = {p: set(cons[p][done].tolist()) for p in ("waiting_h", "transfer_wait_h", "dwell_h")}
    assert parts == {"waiting_h": {18.0}, "transfer_wait_h": {93.0}, "dwell_h": {15.0}}
    assert set((cons["delivered_h"] - cons["created_h"])[done].tolist()) == {153.0}
    assert set(cons["rolled"].tolist()) == {0}


def test_a_full_sailing_rolls_the_box_to_the_next(tmp_path):
    # Two boxes a week, and room for one: a 2 TEU ship of which the corridor may fill half. One
    # box sails on Tuesday as above; the other is rolled to Friday 20:00, 72 h later.
    tables = rail_then_ship(cutoff_h=24.0, capacity_teu=2.0, corridor_share=0.5)
    tables |= {"demand.flows.f": {**WEEKLY}, "demand.flows.g": {**WEEKLY}}
    sc = load(tmp_path, tables)
    assert sc.services["ship"].capacity_teu == 1.0 and sc.services["ship"].vehicle_teu == 2.0
    res = run(sc, seed=1)
    cons = res.tables["consignments"]
    done = ~np.isnan(cons["delivered_h"])
    waits = sorted(zip(cons["transfer_wait_h"][done], cons["rolled"][done], strict=True))
    assert set(waits) == {(93.0, 0), (165.0, 1)}
    assert waits.count((93.0, 0)) == waits.count((165.0, 1))
    assert res.kpis()["rolled"] == cons["rolled"].sum() > 0


def test_the_wait_for_two_sailings_a_week_is_the_gaps_closed_form(tmp_path):
    # Boxes handed in at random (Poisson) for sailings 72 h and 96 h apart wait on average
    # (72^2 + 96^2) / (2 x 168) = 42.86 h: a gap is met in proportion to its length, and waited
    # half of on average.
    expected = (72.0**2 + 96.0**2) / (2 * WEEK_H)
    flow = {**EVERY_2H, "origin": "c", "destination": "d", "chain": ["ship"], "arrivals": "poisson"}
    tables = {
        "horizon": {"start": "2019-01-07", "end": "2020-01-06"},
        "services.ship": {**SHIP, "days": ["tue", "fri"], "times": ["20:00"]},
        "demand.flows.f": {**flow, "teu_per_year": 3000.0},
    }
    cons = run(load(tmp_path, tables), seed=4).tables["consignments"]
    done = ~np.isnan(cons["delivered_h"])
    waits = cons["waiting_h"][done]
    half_width = 1.96 * waits.std() / np.sqrt(len(waits))
    assert abs(waits.mean() - expected) < max(half_width, 1.0), (waits.mean(), expected)


def loop_network(tmp_path, tables, reverse_h: str = ""):
    """A scenario on the tiny network with a port f between c and d, and a reverse time on the
    c-f link; returns the scenario's path."""
    path = write_scenario(tmp_path, tables)
    net = tmp_path / "net"
    nodes = NODES + "f,F,,seaport,CN,10,106,,,1,3,,,,,,assumption: test\n"
    header, *rows = LINKS.strip().split("\n")
    rows = [r.replace(",0,", ",0,,", 1) for r in rows]  # an empty reverse_time_h after time_cv
    rows += [f"sea_cf,c,f,sea,200,8,0,{reverse_h},,,assumption: test"]
    rows += ["sea_fd,f,d,sea,300,12,0,,,,assumption: test"]
    header = header.replace("time_cv,", "time_cv,reverse_time_h,")
    (net / "nodes.csv").write_text(nodes, encoding="utf-8")
    (net / "links.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_a_liner_calls_at_the_ports_on_its_path_and_sails_slower_upstream(tmp_path):
    # c -> f -> d: 8 h, 3 h handling at the call at f, 12 h; back d -> f -> c: 12 h, 3 h, and
    # 10 h on the c-f link against its current (reverse_time_h).
    flows = {
        "demand.flows.south": {**EVERY_2H, "origin": "c", "destination": "d", "chain": ["out"]},
        "demand.flows.north": {
            **EVERY_2H,
            "origin": "d",
            "destination": "c",
            "direction": "northbound",
            "chain": ["back"],
        },
    }
    daily = {"family": "sea", "vehicle": "ship", "capacity_teu": 500.0, "times": ["12:00"]}
    tables = {
        **flows,
        "services.out": {**daily, "path": ["c", "f", "d"]},
        "services.back": {**daily, "path": ["d", "f", "c"]},
    }
    sc = load_scenario(loop_network(tmp_path, tables, reverse_h="10"))
    res = run(sc, seed=1)
    cons = res.tables["consignments"]
    done = ~np.isnan(cons["delivered_h"])
    south = done & (cons["flow"] == "south")
    assert set(cons["moving_h"][south].tolist()) == {20.0}
    assert set(cons["moving_h"][done & ~south].tolist()) == {22.0}
    assert set(cons["handling_h"][south].tolist()) == {3.0}  # d handles in 0 h
    assert set(cons["handling_h"][done & ~south].tolist()) == {5.0}  # f 3 h, then c 2 h
    # The route-choice cost model walks the loop as the engine does: from 03:00, 9 h to the
    # 12:00 sailing, then 20 h and 3 h southbound; 22 h and 5 h northbound.
    coster = ChainCoster(sc)
    assert coster.expected("south", 3.0, 1.0) == (9.0 + 23.0, False)
    assert coster.expected("north", 3.0, 1.0) == (9.0 + 27.0, False)
    calls = (res.tables["facility_visits"]["node"] == "f").sum()
    arrived = (~np.isnan(res.tables["departures"]["arrive_h"])).sum()
    assert arrived <= calls <= res.kpis()["departures.sea"]  # each sailing calls at f once


def test_release_off_the_lanes_adds_to_the_trip_not_to_the_lane(tmp_path):
    # Post b: 1 h on the lane, then 3 h of release off it; the next truck need not wait for it.
    tables = {
        "demand.flows.f": BY_TRUCK,
        "services.truck": {**TRUCK, "dispatch": "when_full"},
        "facilities.b": {"release_h": 3.0},
    }
    sc = load(tmp_path, tables)
    res = run(sc, seed=1)
    cons = res.tables["consignments"]
    done = ~np.isnan(cons["delivered_h"])
    assert set(cons["inspection_h"][done].tolist()) == {4.0}  # clearance and release
    assert set(cons["border_queue_h"][done].tolist()) == {0.0}  # one truck every 2 h, 1 h each
    assert set((cons["delivered_h"] - cons["created_h"])[done].tolist()) == {8.0}
    assert res.kpis()["utilisation.b.lanes"] == pytest.approx(0.5, abs=0.01)
    assert ChainCoster(sc).expected("f", 1.0, 1.0) == (8.0, False)  # the cost model agrees


def test_a_closure_backlog_clears_one_service_time_a_vehicle(tmp_path):
    # Post b: one lane, 1 h a truck, 12 other trucks a day (Poisson) and one of ours every
    # 8.76 h, shut for two days. The N trucks waiting at reopening are served one an hour, first
    # come first served: the last starts N - 1 hours after the post reopens.
    tables = {
        "horizon": {"start": "2019-01-07", "end": "2019-01-28"},
        "demand.flows.f": {**BY_TRUCK, "teu_per_year": 1000.0},
        "services.truck": {**TRUCK, "dispatch": "when_full"},
        "facilities.b": {"background_per_day": 12.0, "clearance_dist": "deterministic"},
        "disruptions.shut": {"target": "b", "start": "2019-01-10", "days": 2.0},
    }
    k = run(load(tmp_path, tables), seed=2).kpis()
    n = k["backlog.shut.vehicles"]
    assert n >= 10  # about 24 other trucks and 5 of ours
    assert k["backlog.shut.cleared_h"] == pytest.approx(n - 1)
    assert k["backlog.shut.wait_h.mean"] > 12.0  # arrivals in a 48 h closure wait ~24 h
    assert k["backlog.shut.sent_d2d_h.mean"] > 24.0


def test_a_backlog_still_waiting_when_the_run_ends_is_counted_not_timed(tmp_path):
    # Shut until 12 h before the end: the trucks caught are still queueing when the run stops.
    tables = {
        "horizon": {"start": "2019-01-07", "end": "2019-01-14"},
        "demand.flows.f": {**BY_TRUCK, "teu_per_year": 1000.0},
        "services.truck": {**TRUCK, "dispatch": "when_full"},
        "facilities.b": {"background_per_day": 12.0, "clearance_dist": "deterministic"},
        "disruptions.shut": {"target": "b", "start": "2019-01-10", "end": "2019-01-13T12:00:00"},
    }
    res = run(load(tmp_path, tables), seed=2)
    k, left = res.kpis(), res.tables["unserved"]
    assert (left["node"] == "b").sum() > 12  # more than the 12 h after reopening can serve
    assert k["backlog.shut.vehicles"] > (left["node"] == "b").sum()  # with the ones served
    assert "backlog.shut.cleared_h" not in k and "backlog.shut.wait_h.mean" not in k


@pytest.mark.parametrize(
    ("tables", "key", "rule"),
    [
        (
            {"facilities.c": {"dwell_by_vehicle_h": {"plane": 1.0}}},
            "facilities.c.dwell_by_vehicle_h.plane",
            "unknown key",
        ),
        (
            {"facilities.c": {"dwell_by_vehicle_h": {"ship": -1.0}}},
            "facilities.c.dwell_by_vehicle_h.ship",
            "must be in [0, 8760] h (at most a year)",
        ),
        (
            {"services.ship": {**SHIP, "corridor_share": 0.0}},
            "services.ship.corridor_share",
            "(0, 1]",
        ),
    ],
)
def test_bad_door_to_door_keys_name_the_key_and_rule(tmp_path, tables, key, rule):
    base = {"services.ship": {**SHIP, "times": ["12:00"]}}
    for name, values in tables.items():
        base[name] = {**base.get(name, {}), **values}
    with pytest.raises(ScenarioError) as err:
        load(tmp_path, base)
    text = str(err.value)
    assert key in text and rule in text


def test_a_reverse_time_at_an_implausible_speed_names_the_column(tmp_path):
    loop_network(tmp_path, {}, reverse_h="0.5")  # 200 km in 0.5 h: 400 km/h, not a ship
    from sim.errors import NetworkError
    from sim.network import load_network

    with pytest.raises(NetworkError) as err:
        load_network(tmp_path / "net")
    assert "reverse_time_h" in str(err.value) and "400.0 km/h" in str(err.value)


def test_the_door_to_door_script_prints_the_readme_table(tmp_path):
    # The script behind docs/validation.md's table and closure figures, on 2 replications.
    import subprocess
    import sys

    from conftest import ROOT

    out = subprocess.run(
        [sys.executable, "examples/door_to_door_2019.py", "--replications", "2"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    rows = [line for line in out.stdout.splitlines() if line.startswith("| Chongqing")]
    assert len(rows) == 5 and all(line.count("|") == 14 for line in rows)
    assert "2 days rail + 6 days sea" in out.stdout and "pass" in out.stdout
    assert "vehicles waiting when it ends" in out.stdout


def test_a_port_handles_a_train_in_its_own_time_and_a_ship_in_its_call(tmp_path):
    # The daily 06:00 train reaches c at 11:00 (2 h + 1 h at b + 2 h) and is unloaded there in
    # the port's train handling (0.5 h, not the 2 h of a call): the boxes of the a -> c flow are
    # delivered at 11:30. The port's other ships still hold a berth for the ship's 3 h.
    tables = {
        "horizon": {"start": "2019-01-07", "end": "2019-01-21"},
        "services.train": {**TRAIN, "times": ["06:00"]},
        "demand.flows.f": {**EVERY_2H},
        "facilities.c": {
            "handling_h": 3.0,
            "handling_by_vehicle_h": {"train": 0.5},
            "background_per_day": 4.0,
        },
    }
    sc = load(tmp_path, tables)
    assert sc.facilities["c"].handling_for("train") == 0.5
    assert sc.facilities["c"].handling_for("ship") == 3.0
    res = run(sc, seed=1)
    cons = res.tables["consignments"]
    done = ~np.isnan(cons["delivered_h"])
    assert set((cons["delivered_h"][done] % 24).round(6).tolist()) == {11.5}
    visits = res.tables["facility_visits"]
    at_c = visits["node"] == "c"
    work = (visits["end_h"] - visits["start_h"])[at_c]
    trains = visits["service"][at_c] == "train"
    assert set(work[trains].round(6).tolist()) == {0.5}
    assert set(work[~trains].round(6).tolist()) == {3.0}  # a berth, a whole call


def test_a_handling_for_an_unknown_vehicle_is_refused(tmp_path):
    tables = {"facilities.c": {"handling_by_vehicle_h": {"plane": 1.0}}}
    with pytest.raises(ScenarioError, match=r"facilities\.c\.handling_by_vehicle_h\.plane"):
        load(tmp_path, tables)
