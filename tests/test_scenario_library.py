"""Every shipped scenario loads, and each planner scenario changes what its header says."""

from __future__ import annotations

import pytest
from conftest import ROOT

import sim
from sim.scenario import scenario_diff

SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))
BASELINE = ROOT / "scenarios" / "baseline_2019.toml"


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_scenario_loads_and_says_what_it_is(path):
    sc = sim.load_scenario(path)
    assert sc.name == path.stem and sc.description
    assert path.read_text(encoding="utf-8").startswith("#")  # a header: the question and sources


@pytest.mark.parametrize(
    ("stem", "changed"),
    [
        ("border_closure_feb", {"disruptions.covid_youyiguan.target"}),
        ("youyiguan_reopening_2020", {"disruptions.spring_festival_closure.target"}),
        ("typhoon_qinzhou_aug", set()),
        ("rail_sea_cq_doubled", {"services.rail_tuanjiecun_qz.times"}),
        ("cq_hanoi_daily", {"services.rail_cq_hanoi.days"}),
        ("demand_2025", {"demand.scale", "horizon.start"}),
        ("demand_2025_capacity", {"facilities.youyiguan.lanes"}),
        ("three_gorges_maintenance", set()),
        ("typhoon_season", {"random_disruptions.typhoons.target"}),
        ("border_transfer", {"facilities.youyiguan.transfer_h"}),
        ("europe_asean_2019", {"services.cre_duisburg_cq.path", "choice.model"}),
        ("europe_border_closed", {"disruptions.alashankou_shut.target"}),
    ],
)
def test_planner_scenarios_extend_the_2019_baseline(stem, changed):
    base, alt = sim.load_scenario(BASELINE), sim.load_scenario(ROOT / "scenarios" / f"{stem}.toml")
    keys = {k for k, _, _ in scenario_diff(base, alt)}
    assert changed <= keys
    assert keys - {"name", "description"}, "the scenario changes nothing"
    assert str(BASELINE) in alt.files
