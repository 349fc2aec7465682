"""Dispatch rules, connections, closures and opening hours, with exact expectations.

Every run here is on the tiny network of ``tiny.py``: travel times are exact and arrivals are
``regular``, so each departure time and load below is worked out by hand in the comments.
"""

from __future__ import annotations

import numpy as np
import pytest
from tiny import EVERY_2H, TRAIN, write_scenario

import sim
from sim import run
from sim.scenario import load_scenario


def go(tmp_path, tables, **top):
    return run(load_scenario(write_scenario(tmp_path, tables, **top)), seed=1)


def departures(res, service="train"):
    dep = res.tables["departures"]
    sel = dep["service"] == service
    return {k: v[sel] for k, v in dep.items()}


def test_timetable_with_cut_off(tmp_path):
    # Daily at 12:00 with a 4 h cut-off: day 1 takes the arrivals at 1, 3, 5, 7 h (ready by 8 h);
    # 9 and 11 h miss it and leave next day with everything up to 32 h: 12 TEU a day after that.
    res = go(
        tmp_path,
        {
            "demand.flows.f": EVERY_2H,
            "services.train": {**TRAIN, "times": ["12:00"], "cutoff_h": 4.0},
        },
    )
    dep = departures(res)
    assert dep["depart_h"].tolist() == [12.0 + 24 * d for d in range(14)]
    assert dep["teu"].tolist() == [4.0] + [12.0] * 13
    # 2 h to the border, 1 h clearance, 2 h to the port, 2 h handling there: arrives at 19 h.
    assert dep["arrive_h"][0] == 19.0
    cons = res.tables["consignments"]
    first = cons["consignment"] == 0
    assert cons["delivered_h"][first][0] - cons["created_h"][first][0] == 18.0
    assert (cons["waiting_h"][first][0], cons["moving_h"][first][0]) == (11.0, 4.0)
    assert (cons["inspection_h"][first][0], cons["handling_h"][first][0]) == (1.0, 2.0)
    assert res.kpis()["departures.rail_sea"] == 14.0


def test_minimum_load_cancels_a_thin_slot(tmp_path):
    # min 10 TEU: day 1 has 6 TEU ready (no cut-off) -> cancelled; day 2 leaves with 18 TEU
    # (arrivals 1..35 h), then 12 TEU a day.
    res = go(
        tmp_path,
        {
            "demand.flows.f": EVERY_2H,
            "services.train": {**TRAIN, "times": ["12:00"], "min_load_teu": 10.0},
        },
    )
    dep = departures(res)
    assert dep["cancelled"].tolist() == [1] + [0] * 13
    assert dep["teu"].tolist()[:3] == [6.0, 18.0, 12.0]
    k = res.kpis()
    assert (k["departures.rail_sea"], k["cancelled.rail_sea"]) == (13.0, 1.0)
    assert k["cancelled.service.train"] == 1.0


def test_depart_when_full(tmp_path):
    # Capacity 4 TEU: full with the arrival at 7 h, then at 15, 23, ... h.
    res = go(
        tmp_path,
        {
            "demand.flows.f": EVERY_2H,
            "services.train": {
                **TRAIN,
                "capacity_teu": 4.0,
                "dispatch": "when_full",
                "max_wait_h": 1000.0,
            },
        },
    )
    dep = departures(res)
    assert dep["depart_h"].tolist()[:4] == [7.0, 15.0, 23.0, 31.0]
    assert set(dep["teu"].tolist()) == {4.0}
    assert res.kpis()["load_factor.rail_sea"] == 1.0


def test_maximum_wait(tmp_path):
    # Never full; the first arrival (1 h) starts a 5 h clock: leaves at 6 h with 3 TEU (1, 3, 5 h);
    # then the clock of the arrival at 7 h: 12 h, and so on every 6 h.
    res = go(
        tmp_path,
        {
            "demand.flows.f": EVERY_2H,
            "services.train": {**TRAIN, "dispatch": "when_full", "max_wait_h": 5.0},
        },
    )
    dep = departures(res)
    assert dep["depart_h"].tolist()[:4] == [6.0, 12.0, 18.0, 24.0]
    assert set(dep["teu"].tolist()) == {3.0}


def test_maximum_wait_with_a_minimum_load_waits_for_the_load(tmp_path):
    # Clock of 5 h from the first arrival (1 h): at 6 h only 3 TEU wait (1, 3, 5 h), below the
    # minimum of 4, so the train waits for the fourth (7 h) and leaves then with 4 TEU; the next
    # clock starts at 9 h, runs out at 14 h with 3 TEU, and the train leaves at 15 h: every 8 h.
    # Nothing is cancelled: a train that has not left has no slot to cancel.
    res = go(
        tmp_path,
        {
            "demand.flows.f": EVERY_2H,
            "services.train": {
                **TRAIN,
                "dispatch": "when_full",
                "max_wait_h": 5.0,
                "min_load_teu": 4.0,
            },
        },
    )
    dep = departures(res)
    assert dep["depart_h"].tolist()[:4] == [7.0, 15.0, 23.0, 31.0]
    assert set(dep["teu"].tolist()) == {4.0}
    assert res.kpis()["cancelled.rail_sea"] == 0.0


@pytest.mark.parametrize("dispatch", ["when_full", "timetable"])
def test_a_vehicle_full_as_its_boxes_allow_leaves_below_an_unreachable_minimum(tmp_path, dispatch):
    # 3-TEU boxes every 6 h on a 10-TEU vehicle that wants 10: three boxes (9 TEU) are as full as
    # it gets, so it leaves with them instead of waiting for ever.
    flow = {**EVERY_2H, "size_teu": [3.0], "teu_per_year": 3 * 1460.0}
    train = {**TRAIN, "capacity_teu": 10.0, "min_load_share": 1.0, "dispatch": dispatch}
    train |= {"times": ["12:00"]} if dispatch == "timetable" else {"max_wait_h": 1.0}
    dep = departures(go(tmp_path, {"demand.flows.f": flow, "services.train": train}))
    ran = dep["cancelled"] == 0
    assert ran.sum() >= 10 and set(dep["teu"][ran].tolist()) == {9.0}


def test_min_load_share_is_a_share_of_the_vehicle(tmp_path):
    def load(train):
        tables = {"demand.flows.f": EVERY_2H, "services.train": train}
        return load_scenario(write_scenario(tmp_path, tables)).services["train"]

    timetable = {**TRAIN, "times": ["12:00"], "capacity_teu": 40.0}
    assert load({**timetable, "min_load_share": 0.25}).min_load_teu == 10.0
    # min_load_teu and min_load_share together: the larger minimum holds.
    assert load({**timetable, "min_load_share": 0.25, "min_load_teu": 12.0}).min_load_teu == 12.0
    assert load({**timetable, "min_load_share": 0.25, "min_load_teu": 8.0}).min_load_teu == 10.0
    with pytest.raises(sim.ScenarioError, match=r"min_load_share: must be in \[0, 1\], got 1.5"):
        load({**timetable, "min_load_share": 1.5})


def test_booked_arrivals_are_handed_in_before_the_cut_off(tmp_path):
    # A daily train at 12:00 with a 4 h cut-off: the (Poisson) boxes of each day are handed in
    # during the 6 h before 08:00, in their order, so each waits 4 to 10 h for its train. After
    # the last cut-off (day 13, 08:00) there is no train to book: those keep their times.
    train = {**TRAIN, "times": ["12:00"], "cutoff_h": 4.0}
    booked = {**EVERY_2H, "arrivals": "booked", "booking_h": 6.0}
    poisson = {**EVERY_2H, "arrivals": "poisson"}
    res = go(tmp_path, {"demand.flows.f": booked, "services.train": train})
    cons = res.tables["consignments"]
    before = cons["created_h"] <= 13 * 24 + 8.0
    hour = cons["created_h"][before] % 24
    assert ((hour >= 2.0 - 1e-9) & (hour <= 8.0 + 1e-9)).all()
    assert cons["waiting_h"][before].min() >= 4.0 - 1e-9
    assert cons["waiting_h"][before].max() <= 10.0 + 1e-9
    plain = go(tmp_path, {"demand.flows.f": poisson, "services.train": train})
    assert res.kpis()["teu.created"] == plain.kpis()["teu.created"]  # the same boxes, later
    assert plain.tables["consignments"]["waiting_h"].max() > 10.0


def test_booked_arrivals_need_a_timetabled_first_service(tmp_path):
    flow = {**EVERY_2H, "arrivals": "booked"}
    with pytest.raises(sim.ScenarioError, match="booked arrivals need a timetabled first service"):
        go(tmp_path, {"demand.flows.f": flow, "services.train": {**TRAIN, "dispatch": "when_full"}})


def test_a_box_waits_in_the_port_yard_then_for_its_sailing(tmp_path):
    # The 12:00 train (4 h cut-off) takes the boxes of 1, 3, 5 and 7 h; it reaches the port c at
    # 19 h (2 h to b, 1 h clearance, 2 h to c, 2 h handling). 30 h in the yard and customs: the
    # boxes are ready at 49 h, in time for Wednesday's 18:00 sailing (66 h, 12 h cut-off at 54 h):
    # 17 h waiting for the ship, 20 h at sea, delivered at 86 h. The second train's boxes (ready
    # at 73 h) miss it and wait 41 h for Friday's (114 h).
    flow = {**EVERY_2H, "destination": "d", "chain": ["train", "ship"]}
    ship = {"family": "sea", "vehicle": "ship", "path": ["c", "d"], "capacity_teu": 500.0}
    ship |= {"days": ["wed", "fri"], "times": ["18:00"], "cutoff_h": 12.0}
    res = go(
        tmp_path,
        {
            "demand.flows.f": flow,
            "services.train": {**TRAIN, "times": ["12:00"], "cutoff_h": 4.0},
            "services.ship": ship,
            "facilities.c": {"dwell_h": 30.0, "dwell_cv": 0.0},
        },
    )
    cons = res.tables["consignments"]
    first = cons["created_h"] == 1.0
    assert cons["delivered_h"][first][0] == 86.0
    parts = {p: cons[p][first][0] for p in ("waiting_h", "dwell_h", "transfer_wait_h")}
    assert parts == {"waiting_h": 11.0, "dwell_h": 30.0, "transfer_wait_h": 17.0}
    second = cons["created_h"] == 9.0  # missed the first train's cut-off: on the 36 h train
    assert cons["transfer_wait_h"][second][0] == 41.0
    key = "breakdown_h.a.d.rail_sea"
    k = res.kpis()
    assert k[f"{key}.dwell"] == 30.0 and k[f"{key}.transfer_wait"] > 0


def test_background_traffic_follows_its_season_and_batches(tmp_path):
    # 48 other trucks a day at post b, none in February, in batches of 4 (12 arrivals a day, each
    # holding a lane for 4 clearances of 0.1 h); the corridor's own KPIs leave them out.
    season = [1.0, 0.0] + [1.0] * 10
    border = {"lanes": 1, "clearance_h": 0.1, "clearance_cv": 0.0}
    border |= {"background_per_day": 48.0, "background_batch": 4, "background_seasonality": season}
    tables = {
        "horizon": {"start": "2019-01-01", "end": "2019-04-01"},
        "demand.flows.f": EVERY_2H,
        "services.train": {**TRAIN, "times": ["12:00"]},
        "facilities.b": border,
    }
    res = go(tmp_path, tables)
    visits = res.tables["facility_visits"]
    other = (visits["node"] == "b") & (visits["service"] == "background")
    month = np.searchsorted([31 * 24.0, 59 * 24.0], visits["arrive_h"][other], side="right")
    per_day = np.bincount(month, minlength=3) / np.array([31, 28, 31])
    # the season's factors are rescaled to a mean day of 1: 365 / 337 x 12 arrivals a day
    assert per_day[1] == 0 and per_day[0] == pytest.approx(12 * 365 / 337, rel=0.15)
    held = visits["end_h"][other] - visits["start_h"][other]
    assert np.allclose(held, 0.4)
    k = res.kpis()
    assert k["background_vehicles.b"] == 4 * other.sum()
    assert k["border_crossings.b"] == res.kpis()["departures.rail_sea"]  # the trains only


def test_a_late_train_misses_the_weekly_ship(tmp_path):
    # Train daily 12:00 to port c (ready 7 h after departure); ship Wednesdays 12:00 (60 h) with a
    # 20 h cut-off (ready by 40 h). Monday's train (ready 19 h) makes it; Tuesday's (ready 43 h)
    # misses it and waits for the next Wednesday (228 h): delivered 20 h later at 248 h.
    flow = {**EVERY_2H, "destination": "d", "chain": ["train", "ship"]}
    ship = {
        "family": "sea",
        "vehicle": "ship",
        "path": ["c", "d"],
        "capacity_teu": 1000.0,
        "days": ["wed"],
        "times": ["12:00"],
        "cutoff_h": 20.0,
    }
    res = go(
        tmp_path,
        {
            "demand.flows.f": flow,
            "services.train": {**TRAIN, "times": ["12:00"]},
            "services.ship": ship,
        },
    )
    cons = res.tables["consignments"]
    by_created = dict(zip(cons["created_h"].tolist(), range(len(cons["teu"])), strict=True))
    monday, tuesday = by_created[1.0], by_created[13.0]
    assert cons["delivered_h"][monday] == 80.0 and cons["missed_connections"][monday] == 0
    assert cons["delivered_h"][tuesday] == 248.0 and cons["missed_connections"][tuesday] == 1
    assert res.kpis()["missed_connections"] >= 12  # the 12 TEU of each Tuesday train


TRUCKS = {
    "origin": "a",
    "destination": "e",
    "direction": "southbound",
    "teu_per_year": 4380.0,
    "chain": ["truck"],
    "chain_family": "road",
    "arrivals": "regular",
    "size_teu": [2.0],
    "size_p": [1.0],
}  # one 2-TEU consignment every 4 h, at 4k + 2 h
TRUCK = {
    "family": "road",
    "vehicle": "truck",
    "path": ["a", "b", "e"],
    "capacity_teu": 2.0,
    "dispatch": "when_full",
}


def border_visits(res):
    v = res.tables["facility_visits"]
    sel = v["node"] == "b"
    return v["arrive_h"][sel], v["start_h"][sel], v["end_h"][sel]


def test_border_closure_holds_trucks_until_it_reopens(tmp_path):
    # Border b closed 8 Jan 00:00 (24 h) to 10 Jan 00:00 (72 h). Trucks reach it at 4k + 4 h.
    res = go(
        tmp_path,
        {
            "demand.flows.f": TRUCKS,
            "services.truck": TRUCK,
            "disruptions.shut": {"target": "b", "start": "2019-01-08", "end": "2019-01-10"},
        },
    )
    arrive, start, _ = border_visits(res)
    held = (arrive >= 24.0) & (arrive < 72.0)
    assert held.sum() == 12
    assert start[held].tolist() == [72.0 + i for i in range(12)]  # one lane, 1 h each, in order
    assert not ((start >= 24.0) & (start < 72.0)).any()
    assert res.kpis()["border_queue_vehicles.b.max"] >= 11


def test_opening_hours(tmp_path):
    # Open 08:00-17:00: trucks arriving at 20:00 or 04:00 start at 08:00.
    res = go(
        tmp_path,
        {
            "demand.flows.f": TRUCKS,
            "services.truck": TRUCK,
            "facilities.b": {"opening_hours": "08:00-17:00"},
        },
    )
    arrive, start, _ = border_visits(res)
    assert ((start % 24 >= 8.0) & (start % 24 < 17.0)).all()
    at_20 = np.isclose(arrive % 24, 20.0)
    assert at_20.any() and np.allclose(start[at_20] - arrive[at_20], 12.0)


def test_run_is_reproducible_and_seeds_differ(tmp_path):
    sc = load_scenario(
        write_scenario(
            tmp_path,
            {
                "demand.flows.f": {**EVERY_2H, "arrivals": "poisson"},
                "services.train": {**TRAIN, "times": ["12:00"], "min_load_teu": 5.0},
            },
        )
    )
    a, b, c = run(sc, seed=7), run(sc, seed=7), run(sc, seed=8)
    assert a.kpis() == b.kpis()
    for name, table in a.tables.items():
        for col, values in table.items():
            np.testing.assert_array_equal(values, b.tables[name][col])
    assert a.kpis() != c.kpis()


def test_unknown_table_is_a_clear_error(tmp_path):
    res = go(
        tmp_path,
        {
            "demand.flows.f": EVERY_2H,
            "services.train": {**TRAIN, "times": ["12:00"]},
            "log": {"events": False},
        },
    )
    with pytest.raises(sim.SimError, match="run with the event log on"):
        res.table("legs")


def test_a_chain_must_connect_origin_services_and_destination(tmp_path):
    flow = {**EVERY_2H, "destination": "d", "chain": ["train"]}  # the train stops at c, not d
    with pytest.raises(sim.ScenarioError) as info:
        load_scenario(
            write_scenario(
                tmp_path, {"demand.flows.f": flow, "services.train": {**TRAIN, "per_day": 1}}
            )
        )
    assert "demand.flows.f.chain: 'train' ends at 'c', not at the destination 'd'" in str(
        info.value
    )


def test_a_consignment_bigger_than_a_vehicle_is_refused(tmp_path):
    flow = {**EVERY_2H, "size_teu": [1.0, 3.0], "size_p": [0.5, 0.5]}
    train = {**TRAIN, "capacity_teu": 2.0, "dispatch": "when_full"}
    with pytest.raises(sim.ScenarioError, match="a consignment of 3 TEU does not fit the 2 TEU"):
        load_scenario(write_scenario(tmp_path, {"demand.flows.f": flow, "services.train": train}))


def test_extra_trains_when_a_full_load_waits(tmp_path):
    # Capacity 4 TEU, a fixed slot at 12:00 and an extra train whenever 4 TEU wait: an extra at 7 h
    # (arrivals 1, 3, 5, 7 h); the 12:00 slot takes the 2 TEU of 9 and 11 h; the next extra is full
    # at 19 h (13, 15, 17, 19 h), the one after at 27 h.
    train = {
        **TRAIN,
        "capacity_teu": 4.0,
        "times": ["12:00"],
        "extra_when_full": True,
        "min_load_teu": 1.0,
    }
    res = go(tmp_path, {"demand.flows.f": EVERY_2H, "services.train": train})
    dep = departures(res)
    first = [(t, x, q) for t, x, q in zip(dep["depart_h"], dep["extra"], dep["teu"], strict=True)][
        :4
    ]
    assert first == [(7.0, 1, 4.0), (12.0, 0, 2.0), (19.0, 1, 4.0), (27.0, 1, 4.0)]


def test_a_negative_inspection_share_is_refused(tmp_path):
    with pytest.raises(
        sim.ScenarioError, match=r"facilities.b.inspection_share: must be in \[0, 1\]"
    ):
        load_scenario(
            write_scenario(
                tmp_path,
                {
                    "demand.flows.f": EVERY_2H,
                    "services.train": {**TRAIN, "per_day": 1},
                    "facilities.b": {"inspection_share": -0.5},
                },
            )
        )


def test_service_defaults_fill_what_a_service_leaves_out(tmp_path):
    # The family's default max wait (5 h) applies: departures every 6 h as in test_maximum_wait.
    train = {**TRAIN, "dispatch": "when_full"}
    res = go(
        tmp_path,
        {
            "demand.flows.f": EVERY_2H,
            "service_defaults.rail_sea": {"max_wait_h": 5.0},
            "services.train": train,
        },
    )
    assert departures(res)["depart_h"].tolist()[:3] == [6.0, 12.0, 18.0]
    own = {**train, "max_wait_h": 9.0}  # a service's own value wins
    sc = load_scenario(
        write_scenario(
            tmp_path,
            {
                "demand.flows.f": EVERY_2H,
                "service_defaults.rail_sea": {"max_wait_h": 5.0},
                "services.train": own,
            },
        )
    )
    assert sc.services["train"].max_wait_h == 9.0
    with pytest.raises(
        sim.ScenarioError, match=r"service_defaults\.rail_sea\.max_wait_h: must be in \(0, 8760\] h"
    ):
        load_scenario(
            write_scenario(
                tmp_path,
                {
                    "demand.flows.f": EVERY_2H,
                    "service_defaults.rail_sea": {"max_wait_h": -1.0},
                    "services.train": own,
                },
            )
        )


def test_transfer_at_the_border_adds_its_time_off_the_lane(tmp_path):
    # Trucks every 4 h; at b the load changes trucks for 5 h after its 1 h clearance. The lane is
    # free again after the clearance, so no truck waits longer, and door to door grows by 5 h.
    through = go(tmp_path, {"demand.flows.f": TRUCKS, "services.truck": TRUCK})
    transfer = go(
        tmp_path,
        {"demand.flows.f": TRUCKS, "services.truck": TRUCK, "facilities.b": {"transfer_h": 5.0}},
    )
    a, b = through.tables["consignments"], transfer.tables["consignments"]
    done = ~np.isnan(b["delivered_h"])  # the last few are still on their way at the end
    assert done.sum() > 70
    assert np.allclose(b["delivered_h"][done] - a["delivered_h"][done], 5.0)
    assert np.allclose(b["handling_h"][done] - a["handling_h"][done], 5.0)
    assert np.array_equal(border_visits(through)[1], border_visits(transfer)[1])  # same starts


def test_random_disruptions_are_drawn_in_their_season_from_their_own_stream(tmp_path):
    shut = {"target": "b", "months": [1], "events_per_year": 6.0, "days_min": 0.5, "days_max": 1.0}
    tables = {"demand.flows.f": TRUCKS, "services.truck": TRUCK, "random_disruptions.storms": shut}
    sc = load_scenario(write_scenario(tmp_path, tables))  # horizon 7-21 January
    counts = []
    for seed in range(12):
        res = run(sc, seed=seed)
        d = res.tables["disruptions"]
        assert (d["random"] == 1).all() and set(d["target"]) <= {"b"}
        assert ((d["start_h"] >= 0) & (d["start_h"] < 14 * 24)).all()
        durations = d["end_h"] - d["start_h"]
        assert ((durations >= 12) & (durations <= 24)).all()
        _, start, _ = border_visits(res)
        for a, b in zip(d["start_h"], d["end_h"], strict=True):
            assert not ((start >= a) & (start < b)).any()  # nothing cleared while shut
        counts.append(len(d["id"]))
    assert 1.0 < np.mean(counts) < 5.0  # 6 a January: about 2.7 in the 14 days of the horizon
    assert len(set(counts)) > 1
    again = run(sc, seed=3).tables["disruptions"]
    assert np.array_equal(again["start_h"], run(sc, seed=3).tables["disruptions"]["start_h"])


def test_background_traffic_needs_the_servers_it_would_use():
    # Pingxiang-Dong Dang is a rail border post: tracks, no lanes for other trucks to queue at.
    with pytest.raises(sim.ScenarioError, match=r"pingxiang_dongdang.background_per_day: .* lanes"):
        load_scenario(
            "scenarios/example.toml",
            overrides={"facilities.pingxiang_dongdang.background_per_day": 50.0},
        )


def test_background_is_not_a_service_name(tmp_path):
    tables = {"demand.flows.f": {**EVERY_2H, "chain": ["background"]}}
    tables["services.background"] = {**TRAIN, "times": ["12:00"]}
    with pytest.raises(sim.ScenarioError, match=r"services\.background: is reserved"):
        go(tmp_path, tables)


def test_a_dwell_that_rounds_to_nothing_still_hands_each_load_on_once(tmp_path):
    # A draw of 5e-324 h is 0.0 after rounding; the load must still be delivered once, not twice.
    train = {**TRAIN, "times": ["12:00"]}
    tiny_dwell = {"dwell_h": 5e-324, "dwell_cv": 0.5}
    res = go(
        tmp_path, {"demand.flows.f": EVERY_2H, "services.train": train, "facilities.c": tiny_dwell}
    )
    plain = go(tmp_path, {"demand.flows.f": EVERY_2H, "services.train": train})
    assert res.kpis()["teu.delivered"] == plain.kpis()["teu.delivered"]
