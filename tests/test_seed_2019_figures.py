"""The 2019 figures of the seed document (重庆市中新示范项目管理局), reproduced by the baseline.

Expected figures, from the document and the other published series (seeds/targets_2019.toml):
rail-sea trains over 2300 (model band 2300-2415), Chongqing-Hanoi trains 71 (+-5%), road trucks 1252
(+-5%); growth on 2018 about +200%, +148%, +29%, against the nationwide +94% and the operator's
2018 count (55 trips, hence +29%). Fewer replications than the 30 of `corridor-sim validate`, so the
confidence intervals are wider; the primary targets must still pass with their whole interval.
"""

from __future__ import annotations

import pytest
from conftest import ROOT

import sim

REPLICATIONS = 8


@pytest.fixture(scope="module")
def report():
    sc = sim.load_scenario(ROOT / "scenarios" / "baseline_2019.toml")
    reps = sim.replicate(sc, n=REPLICATIONS, seed=11)
    return {r["id"]: r for r in sim.validate(reps, ROOT / "seeds" / "targets_2019.toml").rows}


def test_rail_sea_trains_over_2300(report):
    row = report["rail_sea_trains"]
    assert row["status"] == "pass"
    assert row["ci_low"] >= 2300 and row["ci_high"] <= 2415


def test_chongqing_hanoi_trains_71(report):
    row = report["cq_hanoi_trains"]
    assert row["status"] == "pass"
    assert row["ci_low"] >= 71 * 0.95 and row["ci_high"] <= 71 * 1.05


def test_road_trucks_1252(report):
    row = report["road_trucks"]
    assert row["status"] == "pass"
    assert row["ci_low"] >= 1252 * 0.95 and row["ci_high"] <= 1252 * 1.05


def test_growth_is_reported_against_the_seed_and_the_conflicting_series(report):
    rail_sea, hanoi, road = (
        report[k] for k in ("rail_sea_growth", "cq_hanoi_growth", "road_growth")
    )
    assert rail_sea["mean"] < 0.94 < 2.0  # short of both the nationwide +94% and the seed's +200%
    assert rail_sea["status"] == "fail"
    assert hanoi["status"] == "conflict"  # the model follows the operator's 2018 count
    assert hanoi["mean"] == pytest.approx(0.29, abs=0.03)
    assert road["status"] == "pass"  # by construction: 2018 road demand is 2019's / 1.29
    assert road["evidence"] == "derived from the target"


def test_secondary_figures_are_shown_with_their_errors(report):
    nationwide = report["rail_sea_trains_nationwide"]
    assert nationwide["rel_error"] == pytest.approx((nationwide["mean"] - 2243) / 2243)
    assert report["rail_sea_teu"]["status"] == "pass"  # the trains carry the TEU offered
    assert report["goods_kinds"]["status"] == "not modelled"
