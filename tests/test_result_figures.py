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
    assert families == {
        "rail-sea trains",
        "Chongqing–Hanoi trains",
        "road trucks",
        "ships",
        "barges",
    }
    assert len(ax.lines) == len(families) and len(ax.collections) == len(families)  # bands
    assert ax.get_yscale() == "log"  # a few trucks show beside thousands of TEU
    assert "per month" in ax.get_ylabel()
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Jan\n2019", "Feb", "Mar"]
    assert len(ax.lines[0].get_xdata()) == 3  # the example's three whole months
    assert saved(ax, tmp_path, "throughput") > 20_000


def test_transit_times_has_a_box_per_chain(runs, tmp_path):
    ax = sim.plot.transit_times(runs)
    labels = [t.get_text().split("\n") for t in ax.get_xticklabels()]
    assert [lab[0] for lab in labels] == [
        "rail-sea",
        "road",
        "international rail",
        "Yangtze and sea",
    ]
    assert all(lab[1].startswith("→ ") and "_" not in lab[1] for lab in labels)  # place names
    assert "3 replications pooled" in ax.get_title() and "days" in ax.get_ylabel()
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
    peak, mean = ax.lines[0].get_ydata(), ax.lines[1].get_ydata()
    assert len(peak) == 90 and max(peak) >= 5  # one value a day; trucks pile up behind it
    assert (mean <= peak + 1e-9).all()  # a day's mean is never above its most at once
    assert "Youyiguan / Huu Nghi" in ax.get_title()
    assert saved(ax, tmp_path, "queue") > 10_000


def test_border_queue_with_replications_has_a_band(runs):
    ax = sim.plot.border_queue(runs, "youyiguan")
    assert len(ax.collections) == 1 and "P10-P90 of 3 replications" in ax.get_title()


def test_comparison_forest_draws_each_moved_kpi(tmp_path):
    base = sim.load_scenario(ROOT / "scenarios" / "example.toml")
    alt = sim.load_scenario(ROOT / "scenarios" / "example.toml", overrides={"demand.scale": 1.3})
    comparison = sim.compare(base, alt, n=4, seed=1, workers=sim.Workers(jobs=1), independent=False)
    ax = sim.plot.comparison_forest(comparison, kpis=["teu.created", "departures.road"])
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert sorted(labels) == ["departures, road trucks", "teu.created"]
    assert "% of the base mean" in ax.get_xlabel()
    assert saved(ax, tmp_path, "forest") > 10_000


def test_utilisation_heat_map_rows_are_the_busiest_facilities(runs, tmp_path):
    ax = sim.plot.utilisation(runs[0], top=5)
    (image,) = ax.images
    grid = image.get_array()
    assert grid.shape == (5, 12) and grid.min() >= 0.0 and grid.max() <= 1.0
    means = grid.mean(axis=1)
    assert list(means) == sorted(means, reverse=True)
    assert image.get_clim()[1] >= grid.max()  # the scale reaches the busiest week
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert not any("_" in label for label in labels)  # place names, not ids
    assert saved(ax, tmp_path, "util") > 10_000


def test_teu_map_widens_links_with_more_teu(runs, tmp_path):
    ax = sim.plot.teu_map(runs[0])
    widths = sorted(line.get_linewidth() for line in ax.lines)
    assert widths[0] < 1.0 < widths[-1]  # idle links thin, the busiest one wide
    assert saved(ax, tmp_path, "teumap") > 20_000


def test_marey_draws_one_line_per_train(runs, tmp_path):
    res = runs[0]
    ax = sim.plot.marey(res, ["rail_cq_qinzhou"], days=20)
    dep = res.tables["departures"]
    n = (
        (dep["service"] == "rail_cq_qinzhou") & (dep["cancelled"] == 0) & (dep["depart_h"] < 480)
    ).sum()
    assert len(ax.lines) == n > 0
    assert max(ax.lines[0].get_ydata()) == 1450.0  # Chongqing to Qinzhou, km
    assert saved(ax, tmp_path, "marey") > 10_000


def test_cumulative_departures_end_near_their_counts(runs, tmp_path):
    ax = sim.plot.cumulative_departures(runs, targets={"road": 100.0})
    (line,) = ax.lines[:1]
    ran = [r.tables["departures"] for r in runs]
    road = [((d["family"] == "road") & (d["cancelled"] == 0)).sum() for d in ran]  # warm-up too
    assert line.get_ydata()[-1] == pytest.approx(sum(road) / len(road) / 100.0)
    assert saved(ax, tmp_path, "cum") > 10_000


def test_door_to_door_parts_stack_to_the_mean_per_chain(runs, tmp_path):
    ax = sim.plot.d2d_parts(runs)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels and all("→" in lab and "_" not in lab for lab in labels)  # place names, not ids
    assert "days" in ax.get_xlabel()
    bars = ax.containers  # one stack per part of the trip, one bar per chain in each
    assert len(bars) == 7 and all(len(b) == len(labels) for b in bars)
    row = labels.index("Tuanjiecun → Singapore, rail-sea")
    stacked = sum(b[row].get_width() for b in bars)
    means = [
        (c["delivered_h"][s] - c["created_h"][s]).mean() / 24
        for c, s in ((r.tables["consignments"], _sel(r)) for r in runs)
    ]
    assert stacked == pytest.approx(sum(means) / len(means))
    assert saved(ax, tmp_path, "d2d_parts") > 20_000


def _sel(res):
    c = res.tables["consignments"]
    return (
        (c["origin"] == "cq_tuanjiecun")
        & (c["destination"] == "singapore")
        & (c["chain"] == "rail_sea")
        & (c["delivered_h"] == c["delivered_h"])
        & (c["created_h"] >= res.scenario.horizon.warmup_h)
    )


def test_transit_times_marks_the_published_times(runs, tmp_path):
    from sim.results.published import published_transit

    published = published_transit(ROOT / "seeds" / "published_transit.toml")
    ax = sim.plot.transit_times(runs, published=published)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["published, the trip only"]
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[chains.x]\norigin="a"\ndestination="b"\nchain="road"\nlabel="x"\n'
        'source="s"\ndays=[5.0, 2.0]\n',
        encoding="utf-8",
    )
    with pytest.raises(sim.SimError, match=r"chains.x.days: must be \[low, high\]"):
        published_transit(bad)
