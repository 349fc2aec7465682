"""Every KPI a run makes is in the glossary (docs/kpis.md), and every glossary entry is made."""

from __future__ import annotations

import re

import mdtables
import pytest
from conftest import ROOT

import sim


def _patterns() -> dict[str, re.Pattern[str]]:
    """The glossary's KPI names as regular expressions (``<x>`` one name part, ``{a,b}`` one of)."""
    rows = mdtables.table(mdtables.section(mdtables.read("kpis.md"), "Every KPI"))
    names = [n for row in rows for n in mdtables.code(row["KPI"])]
    out = {}
    for name in names:
        pattern = re.escape(name)
        pattern = re.sub(r"<[^>]+>", "[^.]+", pattern.replace(r"\<", "<").replace(r"\>", ">"))
        pattern = re.sub(
            r"\\\{([^}]+)\\\}", lambda m: "(" + m.group(1).replace(",", "|") + ")", pattern
        )
        out[name] = re.compile(pattern + "$")
    return out


@pytest.fixture(scope="module")
def kpis() -> set[str]:
    names: set[str] = set()
    for scenario in (
        "youyiguan_reopening_2020.toml",
        "youyiguan_closed_choice.toml",
        "baseline_2019_forecast.toml",
    ):
        sc = sim.load_scenario(ROOT / "scenarios" / scenario, overrides={"demand.scale": 0.2})
        names |= set(sim.run(sc, seed=1, log_events=False).kpis())
    return names


def test_every_kpi_is_in_the_glossary(kpis):
    patterns = _patterns()
    missing = sorted(k for k in kpis if not any(p.match(k) for p in patterns.values()))
    assert not missing, (
        f"KPIs a run makes that docs/kpis.md does not document: {missing[:10]}; "
        "add a row to its table 'Every KPI'"
    )


def test_every_glossary_entry_is_a_kpi(kpis):
    unused = [name for name, p in _patterns().items() if not any(p.match(k) for k in kpis)]
    assert not unused, f"docs/kpis.md documents KPIs no run makes: {unused}"


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
