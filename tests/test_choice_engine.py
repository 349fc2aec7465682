"""Route and mode choice while the model runs: shares against the logit's closed form, waiting
consignments that choose anew, and a month-long Youyiguan closure with and without choice."""

from __future__ import annotations

import math

import numpy as np
import pytest
from tiny import FLOW, RAIL, choice_tables, write_scenario

import sim
from sim import run
from sim.choice import ChainCoster, probabilities
from sim.model.consignment import Consignment
from sim.model.corridor import Corridor
from sim.scenario import load_scenario


def rail_share(res) -> float:
    cons = res.tables["consignments"]
    return float(cons["teu"][cons["chain"] == "rail_sea"].sum() / cons["teu"].sum())


def closed_form_share(headway_h: float) -> float:
    """The expected rail share when the train leaves every ``headway_h`` (see the test)."""
    a, b = -0.002 * (3500.0 - 1700.0), 0.002 * 100.0
    return 1 - (math.log1p(math.exp(a + b * headway_h)) - math.log1p(math.exp(a))) / (b * headway_h)


def test_doubling_the_trains_raises_the_rail_share_as_the_logit_says(tmp_path):
    """A market of a daily train and a truck that leaves at once, on the tiny network.

    Deciding at a uniform time, the train leaves after a wait w, uniform on [0, headway): its
    generalised cost is 100 CNY/h x (w + 7 h) + 1,000 CNY; the truck's 100 x 5 h + 3,000 =
    3,500 CNY. With scale 0.002 the rail share at w is 1 / (1 + exp(-0.002 (1,800 - 100 w))),
    whose mean over w is 1 - [ln(1 + e^(a + b H)) - ln(1 + e^a)] / (b H), a = -3.6, b = 0.2:
    70.1% for a daily train (H = 24 h), 90.2% for two a day (H = 12 h): +20.1 points. The
    elasticity of the share to the train's cost is -0.002 x 100 x P(1 - P) per hour of wait.
    """
    base_expected, doubled_expected = closed_form_share(24.0), closed_form_share(12.0)
    assert (round(base_expected, 3), round(doubled_expected, 3)) == (0.701, 0.902)
    tables = choice_tables()
    tables["horizon"] = {"start": "2019-01-07", "end": "2020-01-06"}
    for flow in ("by_rail", "by_road"):
        tables[f"demand.flows.{flow}"]["teu_per_year"] = 2500.0
    base = run(load_scenario(write_scenario(tmp_path / "base", tables)), seed=3)
    tables["services.rail"]["times"] = ["00:00", "12:00"]
    doubled = run(load_scenario(write_scenario(tmp_path / "doubled", tables)), seed=3)
    n = len(base.tables["consignments"]["teu"])
    assert n == len(doubled.tables["consignments"]["teu"]) > 4500  # the same arrivals
    for res, expected in ((base, base_expected), (doubled, doubled_expected)):
        half_width = 1.96 * math.sqrt(expected * (1 - expected) / n)
        assert abs(rail_share(res) - expected) < half_width
    rise = rail_share(doubled) - rail_share(base)
    se = math.sqrt(sum(p * (1 - p) / n for p in (base_expected, doubled_expected)))
    assert abs(rise - (doubled_expected - base_expected)) < 1.96 * se
    assert base.kpis()["teu.diverted"] == 0.0  # nothing was closed


def test_waiting_consignments_choose_again_when_their_chain_closes(tmp_path):
    # The train leaves when full (never: 1,000 TEU) or 100 h after its first consignment; at
    # 20 CNY/h rail costs at most 20 x (100 + 7) + 1,000 = 3,140 CNY, the truck 20 x 5 + 3,000
    # + a constant of 3,000: everyone waits for the train. The rail link a-b closes at 72 h for
    # 30 days. Announced then, it adds 720 h to the rail chain: the consignments waiting for the
    # train choose again, take the truck, and arrive 5 h later.
    tables = choice_tables()
    tables["services.rail"] = {
        **tables["services.rail"],
        "dispatch": "when_full",
        "max_wait_h": 100.0,
    }
    del tables["services.rail"]["times"]
    tables["choice.value_of_time_cny_per_teu_h"]["general"] = 20.0
    tables["choice.asc_cny_per_teu"] = {"road": 3000.0}
    tables["disruptions.rail_cut"] = {"target": "rail_ab", "start": "2019-01-10", "days": 30.0}
    res = run(load_scenario(write_scenario(tmp_path, tables)), seed=5)
    cons = res.tables["consignments"]
    before = cons["created_h"] < 72.0
    assert (cons["planned_flow"][before] == "by_rail").mean() > 0.95  # rail was the plan
    moved = before & (cons["diverted"] == 1)
    assert moved.sum() > 0.95 * before.sum()
    assert set(cons["flow"][moved].tolist()) == {"by_road"}
    # They left on a truck once they chose again, at the announcement (72 h): 5 h later.
    assert np.allclose(cons["delivered_h"][moved], 72.0 + 5.0)
    k = res.kpis()
    assert k["teu.diverted"] == pytest.approx(cons["teu"][cons["diverted"] == 1].sum())
    assert k["diversion.extra_tariff_cny"] == pytest.approx(2000.0 * k["teu.diverted"])


def test_a_train_full_for_days_ahead_is_priced_so(tmp_path):
    # A daily train of 5 TEU against 20 TEU a day of demand: a consignment joining the queue
    # waits for the loads in front of it. Its expected door-to-door time says so, and the logit
    # sends most of the freight to the truck instead of piling it up for the train.
    tables = choice_tables()
    tables["horizon"] = {"start": "2019-01-07", "end": "2019-04-01"}
    tables["services.rail"]["capacity_teu"] = 5.0
    for flow in ("by_rail", "by_road"):
        tables[f"demand.flows.{flow}"]["teu_per_year"] = 3650.0
    res = run(load_scenario(write_scenario(tmp_path, tables)), seed=2)
    cons = res.tables["consignments"]
    rail = (cons["flow"] == "by_rail") & ~np.isnan(cons["delivered_h"])
    taken = cons["delivered_h"][rail] - cons["created_h"][rail]
    assert taken.mean() == pytest.approx(cons["planned_h"][rail].mean(), rel=0.15)
    assert res.kpis()["teu.in_system"] < 20  # no pile-up waiting for the train


def test_the_wait_for_a_train_counts_the_full_loads_ahead(tmp_path):
    # A daily 12:00 train of 5 TEU with a 12 h cut-off. At 11:00, a consignment joining behind
    # one full load (ready since 00:00, so it takes today's train) leaves on tomorrow's (36 h);
    # behind two full loads, on the day after (60 h).
    tables = choice_tables()
    tables["services.rail"].update(capacity_teu=5.0, cutoff_h=12.0)
    sc = load_scenario(write_scenario(tmp_path, tables))
    coster, rail = ChainCoster(sc), sc.services["rail"]
    assert coster.static_wait_h(rail, 11.0, 1.0) == 25.0
    assert coster.static_wait_h(rail, 11.0, 1.0, None, 1, 0.0) == 25.0
    assert coster.static_wait_h(rail, 11.0, 1.0, None, 2, 0.0) == 49.0
    # With extra trains when full, a consignment joining at 13:00 behind 4 TEU leaves at once
    # if it fills the train (1 TEU); if it does not fit (2 TEU) the 4 TEU leave without it and
    # it waits for tomorrow's train (36 h).
    tables["services.rail"]["extra_when_full"] = True
    for flow in ("by_rail", "by_road"):
        tables[f"demand.flows.{flow}"]["teu_per_year"] = 0.001
    corridor = Corridor(load_scenario(write_scenario(tmp_path / "extra", tables)), seed=1)
    runner = corridor.services["rail"]
    alt = next(f for f in corridor.flows if f.spec.id == "by_rail")
    runner.enqueue([Consignment(corridor.next_id(), alt, 1.0, 0.0) for _ in range(4)])
    state = corridor.markets[0].state
    assert state.first_wait_h(runner.service, 13.0, 1.0, 13.0, None) == 0.0
    assert state.first_wait_h(runner.service, 13.0, 2.0, 13.0, None) == 36.0 - 13.0


def test_choosing_a_chain_with_the_same_first_service_keeps_the_place_in_the_queue(tmp_path):
    # Two chains start with the same train (12:00, 12 h cut-off): to c, or on by ship to d. The
    # ship link closes at 78 h (announced then): consignments that made the 84 h train's cut-off
    # and now choose to stop at c still leave at 84 h.
    tables = {
        "services.rail": {
            **RAIL,
            "times": ["12:00"],
            "cutoff_h": 12.0,
            "tariff_cny_per_teu": 1000.0,
        },
        "services.ship": {
            "family": "sea",
            "vehicle": "ship",
            "path": ["c", "d"],
            "capacity_teu": 1000.0,
            "times": ["20:00"],
            "tariff_cny_per_teu": 500.0,
        },
        "demand.flows.to_c": {
            **FLOW,
            "destination": "c",
            "chain": ["rail"],
            "chain_family": "rail_sea",
            "teu_per_year": 0.0,
        },
        "demand.flows.to_d": {
            **FLOW,
            "destination": "d",
            "chain": ["rail", "ship"],
            "chain_family": "intl_rail",
            "teu_per_year": 3000.0,
        },
        "choice": {"model": "logit", "scale_per_cny": 0.002},
        "choice.value_of_time_cny_per_teu_h": {"general": 100.0},
        "choice.asc_cny_per_teu": {"intl_rail": -8000.0},
        "choice.markets": {"m": ["to_c", "to_d"]},
        "disruptions.cut": {"target": "sea_cd", "start": "2019-01-10T06:00:00", "days": 30.0},
    }
    res = run(load_scenario(write_scenario(tmp_path, tables)), seed=1, log_events=True)
    cons, legs = res.tables["consignments"], res.tables["legs"]
    made = (cons["created_h"] > 48.0) & (cons["created_h"] < 60.0) & (cons["flow"] == "to_c")
    assert made.sum() > 0 and (cons["rechosen"][made] == 1).all()
    first = np.isin(legs["consignment"], cons["consignment"][made]) & (legs["stage"] == 0)
    assert set(legs["depart_h"][first].tolist()) == {84.0}
    # Priced from their place in the train's queue: 84 h + 2 + 1 + 2 + 2 h handling at c.
    corridor = Corridor(load_scenario(write_scenario(tmp_path / "again", tables)), seed=1)
    corridor.run()
    again = [c for c in corridor.consignments if c.rechosen and 48.0 < c.created_h < 60.0]
    assert again and {c.expected_at_h for c in again} == {91.0} == {c.delivered_h for c in again}


@pytest.fixture(scope="module")
def youyiguan_runs():
    """One year each, on seed 11: the 2019 corridor with choice, and Youyiguan shut with and
    without choice."""
    names = ("baseline_2019_choice", "youyiguan_closed_choice", "youyiguan_closed_fixed")
    return {n: sim.run(sim.load_scenario(f"scenarios/{n}.toml"), seed=11) for n in names}


CLOSED_H = (31 * 24.0, 61 * 24.0)  # 2019-02-01 to 2019-03-03


def hanoi_road_teu(res, flows):
    cons = res.tables["consignments"]
    window = (cons["created_h"] >= CLOSED_H[0] + 24) & (cons["created_h"] < CLOSED_H[1])
    return float(cons["teu"][window & np.isin(cons["flow"], flows)].sum())


def test_with_choice_the_road_freight_leaves_the_closed_post(youyiguan_runs):
    base, shut = youyiguan_runs["baseline_2019_choice"], youyiguan_runs["youyiguan_closed_choice"]
    via_youyiguan = ["road_cq_hanoi"]
    elsewhere = ["road_cq_hanoi_dongxing", "road_cq_hanoi_hekou", "ir_cq_hanoi"]
    # The same consignments arrive (common random numbers); in the closure they avoid Youyiguan.
    assert base.kpis()["teu.created"] == shut.kpis()["teu.created"]
    lost = hanoi_road_teu(base, via_youyiguan) - hanoi_road_teu(shut, via_youyiguan)
    gained = hanoi_road_teu(shut, elsewhere) - hanoi_road_teu(base, elsewhere)
    assert lost > 0.5 * hanoi_road_teu(base, via_youyiguan) > 5
    assert gained > 0.8 * lost  # to Dongxing, Hekou and the train (rail-sea: a few TEU)
    k = shut.kpis()
    assert k["teu.diverted"] > 30
    assert k["diversion.extra_h.mean"] > 48  # most take the train: days longer than the truck
    assert base.kpis()["teu.diverted"] == 0.0  # nothing closed, nothing diverted
    assert "door_to_door_h.cq_nanpeng.hanoi.road.mean" in k


def test_rail_sea_gains_share_while_youyiguan_is_shut():
    sc = sim.load_scenario("scenarios/youyiguan_closed_choice.toml")
    coster = ChainCoster(sc, sc.disruptions)
    members = sc.choice.markets["cq_hanoi"]

    def shares(t):
        costs = [coster.cost_cny(f, coster.expected(f, t, 2.25)[0]) for f in members]
        return dict(zip(members, probabilities(costs, sc.choice.scale_per_cny), strict=True))

    # The same hour of the week, a week apart: only the closure differs.
    before, during = shares(CLOSED_H[0] + 48.0 - 168.0), shares(CLOSED_H[0] + 48.0)
    assert during["road_cq_hanoi"] < 0.05 * before["road_cq_hanoi"]
    for other in ("road_cq_hanoi_dongxing", "road_cq_hanoi_hekou", "rs_tuanjiecun_hanoi"):
        assert during[other] > 1.2 * before[other]


def test_with_fixed_chains_the_freight_waits_at_the_closed_post(youyiguan_runs):
    fixed, choice = (
        youyiguan_runs["youyiguan_closed_fixed"],
        youyiguan_runs["youyiguan_closed_choice"],
    )
    kf, kc = fixed.kpis(), choice.kpis()
    assert kf["teu.diverted"] == 0.0
    # Every Hanoi truck sent in the closure waits at Youyiguan until it reopens.
    cons = fixed.tables["consignments"]
    sent = (
        (cons["flow"] == "road_cq_hanoi")
        & (cons["created_h"] >= CLOSED_H[0])
        & (cons["created_h"] < CLOSED_H[1] - 48)
    )
    assert sent.sum() > 10
    assert (cons["delivered_h"][sent] > CLOSED_H[1]).all()
    # Seeds 11-13 give ratios of 1.6 to 2.9 for the longest queue.
    longest = "border_queue_vehicles.youyiguan.max"
    assert kf[longest] > 1.5 * kc[longest]
    assert kf["border_wait_h.youyiguan.mean"] > 1.5 * kc["border_wait_h.youyiguan.mean"]

    # The Hanoi trucks that still go through Youyiguan queue there less with choice. (Their door
    # to door need not be shorter: the road market also takes boxes that waited for a train slot
    # that lacked its minimum load, and chose again.)
    def queued_at_youyiguan_h(res):
        c = res.tables["consignments"]
        return c["border_queue_h"][c["flow"] == "road_cq_hanoi"].mean()

    assert queued_at_youyiguan_h(fixed) > 1.5 * queued_at_youyiguan_h(choice)


def test_choice_reproduces_the_2019_shares_in_the_simulation(youyiguan_runs):
    """The fitted constants give the 2019 TEU shares by chain within 2 points in a run, and
    within a tenth of each share over three runs (one run's share of the small chains moves
    by a few percent of itself from seed to seed)."""
    res = youyiguan_runs["baseline_2019_choice"]
    more = [sim.run(res.scenario, seed=s) for s in (12, 13)]
    given = sim.choice.observed_family_shares(res.scenario)

    def shares(run):
        cons = run.tables["consignments"]
        in_market = cons["market"] != ""
        total = cons["teu"][in_market].sum()
        return {c: cons["teu"][in_market & (cons["chain"] == c)].sum() / total for c in given}

    each = [shares(r) for r in (res, *more)]
    for chain, share in given.items():
        assert abs(each[0][chain] - share) < 0.02, chain  # the tolerance
        mean = sum(s[chain] for s in each) / len(each)
        assert abs(mean - share) < 0.1 * share, chain  # and within a tenth of the share


def test_chain_table_and_figure(youyiguan_runs):
    res = youyiguan_runs["youyiguan_closed_choice"]
    table = res.table("chains").to_frame()
    k = res.kpis()
    weeks = int(res.scenario.horizon.length_h // 168)
    cons = res.tables["consignments"]
    whole = cons["created_h"] < weeks * 168
    for chain in ("road", "rail_sea"):
        assert table[table["chain"] == chain]["teu"].sum() == pytest.approx(
            cons["teu"][whole & (cons["chain"] == chain)].sum()
        )
    diverted = whole & (cons["diverted"] == 1)
    assert table["diverted_teu"].sum() == pytest.approx(cons["teu"][diverted].sum())
    assert k["teu.diverted"] == pytest.approx(cons["teu"][cons["diverted"] == 1].sum())
    import matplotlib

    matplotlib.use("Agg")
    ax = sim.plot.chain_teu(res, market="cq_hanoi")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "road via Hekou / Lao Cai" in labels and "closure" in labels  # route names
    assert ax.get_ylabel() == "TEU created per week"
    with pytest.raises(sim.SimError, match="unknown market"):
        sim.plot.chain_teu(res, market="nowhere")
