"""The China–Europe line at Chongqing: gauge changes, the transfer, route choice, the baseline kept.

``scenarios/europe_asean_2019.toml`` sends boxes from Duisburg to Singapore (and back) by the land
bridge through Chongqing or all-water via Suez (docs/europe.md).
"""

from __future__ import annotations

import pytest
from conftest import ROOT
from tiny import write_scenario

import sim
from sim.choice import family_shares
from sim.choice.service_stops import service_stops
from sim.scenario.operating_rules import gauge_changes

EUROPE = ROOT / "scenarios" / "europe_asean_2019.toml"
CLOSED = ROOT / "scenarios" / "europe_border_closed.toml"
#: What the China–Europe line added to the network.
NEW_NODES = {"urumqi", "alashankou_dostyk", "brest_malaszewicze", "duisburg", "rotterdam"}
NEW_LINKS = {
    "rail_xian_lanzhou",
    "rail_lanzhou_urumqi",
    "rail_urumqi_alashankou_dostyk",
    "rail_alashankou_dostyk_brest_malaszewicze",
    "rail_brest_malaszewicze_duisburg",
    "river_duisburg_rotterdam",
    "sea_rotterdam_singapore",
}


@pytest.fixture(scope="module")
def europe():
    return sim.load_scenario(EUROPE)


@pytest.mark.parametrize("sid", ["cre_cq_duisburg", "cre_duisburg_cq"])
def test_a_china_europe_train_changes_gauge_exactly_twice_at_the_two_border_posts(europe, sid):
    svc = europe.services[sid]
    links = [europe.network.links[lid] for lid in svc.links]
    changes = gauge_changes(svc, links)
    where = [svc.path[i] for i, change in enumerate(changes) if change]
    expected = ["alashankou_dostyk", "brest_malaszewicze"]
    assert where == (expected if svc.origin == "cq_tuanjiecun" else expected[::-1])
    # The line is 11,179 km (sourced), and a train runs it in 12-16 days terminal to terminal.
    assert sum(lk.distance_km for lk in links) == pytest.approx(11179)
    stops = service_stops(europe, svc)
    hours = sum(s.travel_h + s.gauge_change_h + s.service_h for s in stops) - stops[-1].service_h
    fac = europe.facilities[svc.destination]
    assert 12 * 24 <= hours + fac.handling_for("train") <= 16 * 24
    # gauge_change_h stays 0: each change is its post's own clearance (4.25 h and 8.5 h).
    assert {s.gauge_change_h for s in stops} == {0.0}
    changed = sim.load_scenario(EUROPE, overrides={"gauge_change_h": 5.0})
    assert sum(s.gauge_change_h for s in service_stops(changed, changed.services[sid])) == 10.0


def test_the_rail_sea_and_hanoi_trains_never_change_gauge(europe):
    for svc in europe.services.values():
        if svc.vehicle == "train" and svc.family != "china_europe":
            links = [europe.network.links[lid] for lid in svc.links]
            assert not any(gauge_changes(svc, links)), svc.id


def _transfer(tmp_path, dwell_h: float):
    """A China–Europe train a -> c, daily at 00:00, then a ship c -> d daily at 18:00 (2 h cut-off).

    The boxes arrive every 2 h from 1 h; the 24:00 train brings those of 1-23 h to c at 29 h,
    is handled by 31 h, and its boxes then dwell ``dwell_h`` (the service's own, not c's 1 h).
    """
    tables = {
        "demand.flows.f": {
            "origin": "a",
            "destination": "d",
            "direction": "southbound",
            "teu_per_year": 4380.0,
            "chain": ["cre", "ship"],
            "chain_family": "land_bridge",
            "arrivals": "regular",
        },
        "services.cre": {
            "family": "china_europe",
            "vehicle": "train",
            "path": ["a", "b", "c"],
            "capacity_teu": 100.0,
            "times": ["00:00"],
            "dwell_at_end_h": dwell_h,
        },
        "services.ship": {
            "family": "sea",
            "vehicle": "ship",
            "path": ["c", "d"],
            "capacity_teu": 1000.0,
            "times": ["18:00"],
            "cutoff_h": 2.0,
        },
        "facilities.c": {"dwell_h": 1.0},
    }
    res = sim.run(sim.load_scenario(write_scenario(tmp_path, tables)), seed=1)
    cons = res.tables["consignments"]
    first = cons["consignment"] == 0
    return {k: float(cons[k][first][0]) for k in ("dwell_h", "transfer_wait_h")}, res


def test_a_box_that_misses_the_ships_cut_off_at_the_transfer_waits_for_the_next_one(tmp_path):
    # Ready at 31 + 10 = 41 h, after the 40 h cut-off of the 42 h ship: it takes the next, at 66 h.
    late, res = _transfer(tmp_path, 10.0)
    assert late == {"dwell_h": 10.0, "transfer_wait_h": 25.0}
    assert res.tables["consignments"]["missed_connections"][0] == 1
    assert res.kpis()["departures.china_europe"] > 0
    # Ready at 39 h, before the cut-off: it takes the 42 h ship.
    on_time, res = _transfer(tmp_path, 8.0)
    assert on_time == {"dwell_h": 8.0, "transfer_wait_h": 3.0}
    assert res.tables["consignments"]["missed_connections"][0] == 0


def test_the_transfer_at_chongqing_keeps_the_rail_sea_boxes_dwell(europe):
    from sim.scenario.operating_rules import dwell_at_end

    tuanjiecun = europe.facilities["cq_tuanjiecun"]
    assert dwell_at_end(europe.services["cre_duisburg_cq"], europe.facilities)[0] == 48.0
    assert dwell_at_end(europe.services["rail_qz_tuanjiecun"], europe.facilities) == (
        tuanjiecun.dwell_h,
        tuanjiecun.dwell_cv,
    )


def test_the_land_bridges_share_falls_as_its_tariff_rises(europe):
    base = family_shares(europe)
    assert base["land_bridge"] == pytest.approx(0.05, abs=1e-3)  # the calibrated constant
    dearer = sim.load_scenario(
        EUROPE, overrides={"service_defaults.china_europe.tariff_cny_per_teu": 13213.0}
    )
    shares = family_shares(dearer)
    # 1,000 CNY more per TEU at 0.001 per CNY: the odds fall by e at each decision time (the
    # shares are averages over a week of them, so about e over the year).
    odds = shares["land_bridge"] / shares["all_water"]
    assert odds == pytest.approx(base["land_bridge"] / base["all_water"] / 2.71828, rel=0.05)
    # The simulation agrees: 3,000 CNY more cuts the land bridge's TEU (e^-3 on the odds).
    ran = sim.run(europe, seed=1).kpis()
    dear = sim.load_scenario(
        EUROPE, overrides={"service_defaults.china_europe.tariff_cny_per_teu": 15213.0}
    )
    ran_dear = sim.run(dear, seed=1).kpis()
    assert ran_dear["teu.chain.land_bridge"] < 0.3 * ran["teu.chain.land_bridge"]
    total = ran["teu.chain.land_bridge"] + ran["teu.chain.all_water"]
    assert ran_dear["teu.chain.land_bridge"] + ran_dear["teu.chain.all_water"] == total


def test_the_2019_scenarios_services_do_not_touch_the_china_europe_line():
    assert set(sim.load_network(ROOT / "networks" / "chongqing_asean").nodes) >= NEW_NODES
    for stem in ("baseline_2018", "baseline_2019", "baseline_2019_choice", "baseline_2020"):
        sc = sim.load_scenario(ROOT / "scenarios" / f"{stem}.toml")
        assert set(sc.network.links) >= NEW_LINKS
        for svc in sc.services.values():
            assert not NEW_LINKS & set(svc.links), (stem, svc.id)
            assert not NEW_NODES & set(svc.path), (stem, svc.id)
            assert svc.family != "china_europe" and svc.dwell_at_end_h is None
        assert {f.chain_family for f in sc.flows.values()}.isdisjoint({"land_bridge", "all_water"})
        assert sc.gauge_change_h == 0.0


def test_the_europe_scenario_keeps_the_corridor_on_fixed_chains(europe):
    assert set(europe.choice.markets) == {"duisburg_singapore", "singapore_duisburg"}
    base = sim.load_scenario(ROOT / "scenarios" / "baseline_2019.toml")
    assert set(base.choice.markets) >= {"cq_hanoi", "cq_singapore"}  # the parent's, taken away


def test_the_run_answer_names_both_chains_with_their_cost_and_co2(cli):
    out = cli("run", EUROPE)
    assert out.returncode == 0, out.stderr
    text = out.stdout
    land = "Duisburg → Chongqing Tuanjiecun → Qinzhou → Singapore (China–Europe train and rail-sea)"
    water = "Duisburg → Rotterdam → Singapore (all-water)"
    assert land in text and water in text
    assert "18,033 CNY and 2,910 kg CO2 per TEU" in text  # the land bridge
    assert "2,208 CNY and 1,441 kg CO2 per TEU" in text  # all-water
    assert "China–Europe trains 1,565" in text  # >1,500 in 2019 (sourced)
    assert "TEU by chain: China–Europe train and rail-sea" in text


def test_the_maps_keep_to_the_corridor_unless_the_services_reach_europe(europe):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sim.plot.map_figure import map_extent, network_map

    base = sim.load_scenario(ROOT / "scenarios" / "baseline_2019.toml")
    assert map_extent(base) == base.network.map_extent
    lon0, _, _, lat1 = map_extent(europe)
    duisburg = europe.network.nodes["duisburg"]
    assert lon0 <= duisburg.lon and lat1 >= europe.network.nodes["brest_malaszewicze"].lat
    ax = network_map(base.network, labels=False)
    assert ax.get_xlim()[0] > 90  # not zoomed out to Europe
    plt.close(ax.figure)
    ax = network_map(europe.network, labels=False, extent=map_extent(europe))
    assert ax.get_xlim()[0] < duisburg.lon
    plt.close(ax.figure)


def test_closing_alashankou_queues_the_trains_both_ways():
    sc = sim.load_scenario(CLOSED)
    kpis = sim.run(sc, seed=1).kpis()
    assert kpis["closed_h.alashankou_dostyk"] == 14 * 24
    # About 4.3 trains a day both ways for 14 days wait at the post.
    assert 50 <= kpis["backlog.alashankou_shut.corridor_vehicles"] <= 70
