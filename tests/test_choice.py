"""Route and mode choice, without running the model: the logit, the cost of a chain, the checks
of the ``[choice]`` table and the fitting of the constants."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tiny import TRUCK, choice_tables, write_scenario

from sim.choice import (
    ChainCoster,
    alternatives_table,
    calibrate_asc,
    family_shares,
    observed_family_shares,
    pick,
    probabilities,
)
from sim.cli import main
from sim.errors import ScenarioError
from sim.scenario import load_scenario

COSTS = st.lists(st.floats(-1e5, 1e5), min_size=1, max_size=8)
SCALE = st.floats(1e-5, 1e-2)


@given(COSTS, SCALE)
def test_logit_probabilities_sum_to_one_and_fall_with_cost(costs, scale):
    p = probabilities(costs, scale)
    assert math.isclose(sum(p), 1.0, rel_tol=1e-9)
    for i in range(len(costs)):
        for j in range(len(costs)):
            if costs[i] < costs[j]:
                assert p[i] >= p[j]


@given(COSTS, SCALE, st.floats(-1e4, 1e4))
def test_logit_ignores_a_cost_added_to_every_chain(costs, scale, shift):
    a, b = probabilities(costs, scale), probabilities([c + shift for c in costs], scale)
    assert all(math.isclose(x, y, abs_tol=1e-9) for x, y in zip(a, b, strict=True))


@given(st.lists(st.floats(-3000, 3000), min_size=2, max_size=6), SCALE, st.integers(0, 5))
def test_logit_own_cost_derivative_is_minus_scale_p_one_minus_p(costs, scale, which):
    i = which % len(costs)
    p = probabilities(costs, scale)[i]
    h = 1e-3
    up = [c + h * (k == i) for k, c in enumerate(costs)]
    down = [c - h * (k == i) for k, c in enumerate(costs)]
    slope = (probabilities(up, scale)[i] - probabilities(down, scale)[i]) / (2 * h)
    assert slope == pytest.approx(-scale * p * (1 - p), rel=1e-4, abs=1e-12)


@given(st.lists(st.floats(0.0, 1.0), min_size=1, max_size=6), st.floats(0.0, 0.999999))
def test_pick_inverts_the_cumulative(weights, u):
    if sum(weights) == 0:
        weights = [1.0] * len(weights)
    probs = [w / sum(weights) for w in weights]
    i = pick(probs, u)
    assert probs[i] > 0
    assert sum(probs[:i]) <= u + 1e-12


def test_an_unavailable_chain_is_never_picked():
    p = probabilities([1000.0, math.inf], 1e-3)
    assert p == [1.0, 0.0]
    assert pick(p, 0.999) == 0


# -- the cost of a chain on the tiny network ---------------------------------------------------
def test_expected_time_walks_the_chain(tmp_path):
    sc = load_scenario(write_scenario(tmp_path, choice_tables()))
    coster = ChainCoster(sc)
    # Horizon starts Monday 00:00. At 03:00 the train leaves at 12:00 (9 h), then 2 h to the
    # border, 1 h clearance, 2 h to the port and 2 h handling there: 16 h.
    assert coster.expected("by_rail", 3.0, 1.0) == (16.0, False)
    # The truck leaves at once (full with 1 TEU): 2 h, 1 h clearance, 2 h to e.
    assert coster.expected("by_road", 3.0, 1.0) == (5.0, False)
    assert coster.cost_cny("by_road", 5.0) == 100 * 5 + 3000
    assert coster.spread_h["by_rail"] == 0.0  # every time of the tiny network is exact


def test_a_closure_counts_once_it_is_announced(tmp_path):
    tables = choice_tables(notice_h=24.0)
    tables["disruptions.shut"] = {"target": "b", "start": "2019-01-09", "days": 2.0}
    sc = load_scenario(write_scenario(tmp_path, tables))
    coster = ChainCoster(sc, sc.disruptions)
    # b shuts from 48 h to 96 h, announced at 24 h. A truck leaving at 45 h reaches b at 47 h:
    # open. One leaving at 46.5 h reaches it at 48.5 h: it waits to 96 h, clears, drives 2 h.
    assert coster.expected("by_road", 20.0, 1.0) == (5.0, False)  # not known yet
    assert coster.expected("by_road", 46.5, 1.0) == (96.0 + 3.0 - 46.5, True)
    assert coster.expected("by_road", 46.5, 1.0, disruptions=False) == (5.0, False)


class _Queue:
    """A live state with nothing waiting for a vehicle and ``hours`` of clearance at posts."""

    def __init__(self, coster, hours):
        self.coster, self.hours = coster, hours

    def first_wait_h(self, service, t, teu, ready_h, ahead_teu):
        return self.coster.static_wait_h(service, t, teu, ready_h)

    def queue_h(self, node, vehicle):
        return self.hours


def test_a_queue_at_a_shut_post_clears_after_it_opens(tmp_path):
    tables = choice_tables()
    tables["disruptions.shut"] = {"target": "b", "start": "2019-01-09", "days": 2.0}
    sc = load_scenario(write_scenario(tmp_path, tables))
    coster = ChainCoster(sc, sc.disruptions)
    # Deciding at 60 h: b is shut 48-96 h. The truck reaches it at 62 h, waits for 96 h, then
    # for the 20 h of clearance queued ahead, clears (1 h) and drives 2 h.
    for queue_h in (0.0, 20.0, 40.0):
        hours, closed = coster.expected("by_road", 60.0, 1.0, _Queue(coster, queue_h))
        assert (hours, closed) == (96.0 + queue_h + 3.0 - 60.0, True)


def test_shares_and_fitted_constants_on_a_market_with_known_answer(tmp_path):
    # Two trucks (no wait at all): costs are constants, so the logit share is a closed form.
    tables = choice_tables()
    tables["services.rail"] = {**TRUCK, "dispatch": "when_full", "tariff_cny_per_teu": 1000.0}
    tables["services.rail"]["path"] = ["a", "b", "e"]
    tables["demand.flows.by_rail"]["destination"] = "e"
    tables["demand.flows.by_road"]["teu_per_year"] = 3000.0  # 25% by "rail", 75% by road
    sc = load_scenario(write_scenario(tmp_path, tables))
    # Same 5 h each: road costs 2,000 more, so the logit gives rail 1/(1 + exp(-0.002*2000)).
    rail = 1 / (1 + math.exp(-4.0))
    assert family_shares(sc)["rail_sea"] == pytest.approx(rail, rel=1e-9)
    assert observed_family_shares(sc) == {"rail_sea": 0.25, "road": 0.75}
    cal = calibrate_asc(sc)
    # Road must become cheaper by 2,000 + log(3)/0.002 for 25:75.
    assert cal.asc_cny_per_teu["rail_sea"] == 0.0
    assert cal.asc_cny_per_teu["road"] == pytest.approx(-2000 - math.log(3) / 0.002, abs=0.1)
    assert cal.max_error_pp < 0.01
    assert "road = -2549.3   # CALIBRATED" in cal.to_toml("25:75")
    rows = {r["flow"]: r for r in alternatives_table(sc)}
    assert rows["by_road"]["given_share"] == 0.75
    assert rows["by_rail"]["share"] == pytest.approx(rail)


def test_the_2019_constants_reproduce_the_2019_shares():
    """The constants stored in baseline_2019.toml are the fit (to 0.1 pp), and it reproduces."""
    sc = load_scenario("scenarios/baseline_2019_choice.toml")
    given_shares = observed_family_shares(sc)
    fitted = family_shares(sc)
    for family, share in given_shares.items():
        assert fitted[family] == pytest.approx(share, abs=0.001)
    cal = calibrate_asc(sc)
    for family, value in cal.asc_cny_per_teu.items():
        assert sc.choice.asc_cny_per_teu.get(family, 0.0) == pytest.approx(value, abs=1.0)


# -- the [choice] table is checked -------------------------------------------------------------
@pytest.mark.parametrize(
    ("change", "key", "rule"),
    [
        (lambda t: t["choice"].update(model="probit"), "choice.model", "must be one of"),
        (
            lambda t: t["choice.markets"].update(a_south=["by_rail", "by_sea"]),
            "choice.markets.a_south",
            "unknown flow",
        ),
        (
            lambda t: t["choice.markets"].update(a_south=["by_rail"]),
            "choice.markets.a_south",
            "two or more flows",
        ),
        (
            lambda t: t["choice.markets"].update(other=["by_rail", "by_road"]),
            "choice.markets.other",
            "already in market 'a_south'",
        ),
        (
            lambda t: t["demand.flows.by_road"].update(direction="northbound"),
            "choice.markets.a_south",
            "must share one direction",
        ),
        (
            lambda t: t["services.truck"].pop("tariff_cny_per_teu"),
            "services.truck.tariff_cny_per_teu",
            "is required: flow 'by_road' of market 'a_south'",
        ),
        (
            lambda t: t["choice.value_of_time_cny_per_teu_h"].update(general=-1.0),
            "choice.value_of_time_cny_per_teu_h.general",
            "must be >= 0",
        ),
        (
            lambda t: t["choice.value_of_time_cny_per_teu_h"].pop("general"),
            "choice.value_of_time_cny_per_teu_h.general",
            "is required",
        ),
        (
            lambda t: t.update({"choice.asc_cny_per_teu": {"sea": 1.0}}),
            "choice.asc_cny_per_teu.sea",
            "unknown key",
        ),
        (lambda t: t["choice"].update(scale_per_cny=0.0), "choice.scale_per_cny", "must be >"),
        (
            lambda t: t["choice.markets"].update(a_south=["by_rail", "by_rail"]),
            "choice.markets.a_south",
            "lists flow 'by_rail' twice",
        ),
        # A broken key of a market's flow or service is reported where it is, not a crash.
        (
            lambda t: t["demand.flows.by_road"].update(teu_per_year="lots"),
            "demand.flows.by_road.teu_per_year",
            "must be a number",
        ),
        (
            lambda t: t["demand.flows.by_road"].update(size_teu="big"),
            "demand.flows.by_road.size_teu",
            "must be a list of numbers",
        ),
        (
            lambda t: t["services.truck"].update(capacity_teu="x"),
            "services.truck.capacity_teu",
            "must be a number",
        ),
    ],
)
def test_bad_choice_tables_name_file_key_and_rule(tmp_path, change, key, rule):
    tables = choice_tables()
    change(tables)
    path = write_scenario(tmp_path, tables)
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    text = str(err.value)
    assert "scenario.toml" in text and key in text and rule in text


def test_choice_commands(tmp_path, capsys):
    path = write_scenario(tmp_path, choice_tables())
    assert main(["choice", "shares", str(path)]) == 0
    out = capsys.readouterr().out
    assert "by_rail" in out and "TEU share by chain" in out
    assert main(["choice", "calibrate", str(path)]) == 0
    assert "[choice.asc_cny_per_teu]" in capsys.readouterr().out
    assert main(["choice", "shares", str(path), "--json"]) == 0
    shares = json.loads(capsys.readouterr().out)
    assert [(r["flow"], r["chain"]) for r in shares["alternatives"]] == [
        *(("by_rail", "rail_sea"), ("by_road", "road"))
    ]
    assert sum(shares["chain_shares"].values()) == pytest.approx(1.0)
    assert shares["given_chain_shares"] == {"rail_sea": 0.5, "road": 0.5}
    assert main(["choice", "calibrate", str(path), "--json"]) == 0
    fit = json.loads(capsys.readouterr().out)
    assert fit["target_shares"] == {"rail_sea": 0.5, "road": 0.5}
    assert fit["fitted_shares"] == pytest.approx(fit["target_shares"], abs=1e-4)
    assert fit["asc_cny_per_teu"]["rail_sea"] == 0.0 and fit["max_error_pp"] < 0.01
    tables = choice_tables()
    tables["choice.markets"] = {}
    tables["choice"]["model"] = "fixed"
    empty = write_scenario(tmp_path / "empty", tables)
    assert main(["choice", "shares", str(empty)]) == 2
    assert "choice.markets: no market" in capsys.readouterr().err
