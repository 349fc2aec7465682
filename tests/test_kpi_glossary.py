"""Every KPI a run makes is in the glossary (docs/kpis.md), and every glossary entry is made."""

from __future__ import annotations

import math

import mdtables
import pytest
from conftest import ROOT

import sim


@pytest.fixture(scope="module")
def kpis() -> set[str]:
    names: set[str] = set()
    for scenario in (
        "youyiguan_reopening_2020.toml",
        "youyiguan_closed_choice.toml",
        "baseline_2019_forecast.toml",
        "europe_border_closed.toml",
    ):
        sc = sim.load_scenario(ROOT / "scenarios" / scenario, overrides={"demand.scale": 0.2})
        names |= set(sim.run(sc, seed=1, log_events=False).kpis())
    return names


def test_every_kpi_belongs_to_exactly_one_family(kpis):
    from sim.results.kpi_families import FAMILIES

    matchers = [(f, p) for f in FAMILIES for p in f.patterns()]
    missing = sorted(k for k in kpis if not any(p.match(k) for _, p in matchers))
    assert not missing, (
        f"KPIs a run makes that no family of sim.results.kpi_families holds: {missing[:10]}; "
        "add it to FAMILIES and run python docs/make_docs.py"
    )
    twice = sorted(k for k in kpis if len({f for f, p in matchers if p.match(k)}) > 1)
    assert not twice, f"KPIs in two families: {twice[:10]}"


def test_every_family_name_is_made_by_a_run(kpis):
    from sim.results.kpi_families import FAMILIES

    unused = [
        f.names[i]
        for f in FAMILIES
        for i, p in enumerate(f.patterns())
        if not any(p.match(k) for k in kpis)
    ]
    assert not unused, f"KPI families no run makes: {unused}"


def test_the_glossary_is_the_registry():
    rows = mdtables.table(mdtables.section(mdtables.read("kpis.md"), "Every KPI"))
    from sim.results.kpi_families import FAMILIES

    assert [mdtables.code(r["KPI"]) for r in rows] == [list(f.names) for f in FAMILIES]
    assert [r["unit"] for r in rows] == [f.unit for f in FAMILIES]


@pytest.mark.parametrize(
    ("kpi", "missing"),
    [
        ("closed_h.youyiguan", 0.0),
        ("queue_vehicles.youyiguan.max", 0.0),
        ("backlog.closure.vehicles", 0.0),
        ("utilisation.qinzhou_port.berths", 0.0),
        ("queue_vehicles.youyiguan.mean", None),
        ("backlog.closure.cleared_h", None),
        ("line_utilisation.rail_nanning_qinzhou_port", None),
        ("breakdown_h.cq_nanpeng.hanoi.road.dwell", None),
        ("made_up.kpi", None),  # a name in no family has no value
    ],
)
def test_a_missing_average_has_no_value_and_a_missing_count_is_zero(kpi, missing):
    from sim.results.kpi_families import missing_value

    value = missing_value(kpi)
    assert value == missing if missing is not None else math.isnan(value)


def test_every_row_has_a_unit():
    rows = mdtables.table(mdtables.section(mdtables.read("kpis.md"), "Every KPI"))
    assert all(row["unit"] for row in rows)


@pytest.mark.parametrize(
    ("kpi", "label"),
    [
        ("border_wait_h.youyiguan.p90", "wait at Youyiguan / Huu Nghi, P90 (h)"),
        ("border_crossings.three_gorges", "vehicles cleared at Three Gorges"),
        ("closed_h.youyiguan", "closed, Youyiguan / Huu Nghi (h)"),
        (
            "breakdown_h.cq_nanpeng.hanoi.road.border_queue",
            "border queue part, Chongqing Nanpeng → Hanoi by road (h)",
        ),
        ("teu.route.road:youyiguan", "TEU, road via Youyiguan / Huu Nghi"),
        ("teu.post.pingxiang_dongdang", "TEU through Pingxiang / Dong Dang"),
        ("load_factor.rail_sea", "load factor, rail-sea trains"),
        ("teu.carried.road", "TEU carried, road trucks"),
        ("teu.carried.service.barge_cq_shanghai", "TEU carried, service barge_cq_shanghai"),
        ("teu.chain.intl_rail", "TEU by international rail"),
        ("teu.created", "teu.created"),  # no rule: the id itself
    ],
)
def test_kpis_are_labelled_in_words_with_place_names(kpi, label):
    from sim.results.labels import kpi_label

    assert kpi_label(kpi, sim.load_scenario(ROOT / "scenarios" / "example.toml")) == label


def test_departures_of_a_service_are_labelled():
    from sim.results.labels import kpi_label

    sc = sim.load_scenario(ROOT / "scenarios" / "example.toml")
    assert kpi_label("departures.service.barge_cq_shanghai", sc) == (
        "departures, service barge_cq_shanghai"
    )
