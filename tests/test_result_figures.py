"""Result figures: each returns its Axes with the expected artists, units on the axes, a file."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
from conftest import ROOT

import sim


@pytest.fixture(scope="module")
def runs():
    sc = sim.load_scenario(ROOT / "scenarios" / "example.toml")
    return [sim.run(sc, seed=s) for s in range(3)]


def saved(ax, tmp_path, name):
    path = tmp_path / f"{name}.png"
    ax.figure.savefig(path)
    plt.close(ax.figure)
    return path.stat().st_size


def test_throughput_has_a_line_and_a_band_per_family(runs, tmp_path):
    ax = sim.plot.throughput(runs)
    families = {t.get_text() for t in ax.get_legend().get_texts()}
    assert families == {"rail sea", "intl rail", "road", "sea", "river"}
    assert len(ax.lines) == len(families) and len(ax.collections) == len(families)
    assert "per week" in ax.get_ylabel() and "week" in ax.get_xlabel()
    weeks = ax.lines[0].get_xdata()
    assert weeks[-1] == 12  # 90 days of the example: 12 whole weeks, no stub week at the end
    assert saved(ax, tmp_path, "throughput") > 20_000


def test_transit_times_has_a_box_per_chain(runs, tmp_path):
    ax = sim.plot.transit_times(runs)
    labels = [t.get_text().split("\n")[0] for t in ax.get_xticklabels()]
    assert labels == ["rail-sea", "road", "international rail", "Yangtze and sea"]
    assert "days" in ax.get_ylabel()
    assert saved(ax, tmp_path, "transit") > 10_000


def test_border_queue_shades_the_closure(tmp_path):
    import datetime as dt

    shut = {"target": "youyiguan", "start": dt.date(2019, 2, 1), "days": 10.0}
    sc = sim.load_scenario(
        ROOT / "scenarios" / "example.toml", overrides={"disruptions.shut": shut}
    )
    ax = sim.plot.border_queue(sim.run(sc, seed=1), "youyiguan")
    shaded = [p for p in ax.patches if p.get_facecolor()[0] > 0.7]  # the red closure span
    assert len(shaded) == 1
    assert max(ax.lines[0].get_ydata()) >= 5  # trucks pile up behind the closure
    assert "days from 2019-01-01" in ax.get_xlabel()
    assert saved(ax, tmp_path, "queue") > 10_000


def test_comparison_forest_draws_each_moved_kpi(tmp_path):
    base = sim.load_scenario(ROOT / "scenarios" / "example.toml")
    alt = sim.load_scenario(ROOT / "scenarios" / "example.toml", overrides={"demand.scale": 1.3})
    comparison = sim.compare(base, alt, n=4, seed=1, jobs=1, independent=False)
    ax = sim.plot.comparison_forest(comparison, kpis=["teu.created", "departures.road"])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["teu.created", "departures.road"]
    assert "% of the base mean" in ax.get_xlabel()
    assert saved(ax, tmp_path, "forest") > 10_000
