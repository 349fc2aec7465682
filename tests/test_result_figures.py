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
    assert "pooled over 3 replications" in ax.get_title() and "days" in ax.get_ylabel()
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
    peak, mean = ax.lines[0].get_ydata()[:-1], ax.lines[1].get_ydata()  # the last step held
    assert len(peak) == 90 and max(peak) >= 5  # one value a day; trucks pile up behind it
    assert (mean <= peak + 1e-9).all()  # a day's mean is never above its most at once
    assert "Youyiguan / Huu Nghi" in ax.get_title()
    assert saved(ax, tmp_path, "queue") > 10_000


def test_border_queue_with_replications_has_a_band(runs):
    ax = sim.plot.border_queue(runs, "youyiguan")
    assert len(ax.collections) == 1 and "P10-P90 of 3 replications" in ax.get_title()
    assert "day by day" in ax.get_title()  # 90 days: a value a day


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


# --- issue 26: each figure says what it draws, and nothing on it overlaps -----------------------


@pytest.fixture(scope="module")
def shut():
    """One run of the example with Youyiguan closed for ten days in February."""
    import datetime as dt

    closure = {"target": "youyiguan", "start": dt.date(2019, 2, 1), "days": 10.0}
    sc = sim.load_scenario(
        ROOT / "scenarios" / "example.toml", overrides={"disruptions.shut": closure}
    )
    return sim.run(sc, seed=1)


def test_border_queue_of_a_long_horizon_is_smooth_week_by_week(runs, monkeypatch):
    import numpy as np

    from sim.plot import queue_figure

    def wobble(ax):  # how far the most-at-once line goes up and down, over the horizon
        return np.abs(np.diff(ax.lines[0].get_ydata())).sum()

    daily = sim.plot.border_queue(runs, "youyiguan")
    weekly = sim.plot.border_queue(runs, "youyiguan", period_days=7)
    x = weekly.lines[0].get_xdata()
    assert x[0] == 0 and x[-1] == 90 and set(np.diff(x)) == {7.0, 6.0}  # 12 weeks and 6 days
    assert wobble(weekly) < wobble(daily)  # the band and its line no longer flicker
    assert "most at once in the week" in [t.get_text() for t in weekly.get_legend().get_texts()]
    band = weekly.collections[0].get_paths()[0].vertices
    assert band[:, 0].min() == 0 and band[:, 0].max() == 90  # the band spans the whole horizon
    monkeypatch.setattr(queue_figure, "DAILY_UP_TO_DAYS", 60)  # a horizon longer than that
    assert "week by week" in sim.plot.border_queue(runs, "youyiguan").get_title()
    for ax in (daily, weekly):
        plt.close(ax.figure)


def test_queue_by_period_keeps_the_time_average():
    import numpy as np

    from sim.plot.queue_figure import queue_by_period

    t = np.array([0.0, 5.0, 30.0, 31.0, 100.0])
    n = np.array([3, 7, 0, 2, 1])
    edges = np.array([0.0, 24.0, 48.0, 168.0])
    most, mean = queue_by_period(t, n, edges)
    assert most.tolist() == [7, 7, 2]  # the day it was 7 at once; 7 carried into the 2nd day
    whole = (n * np.diff(np.append(t, 168.0))).sum() / 168.0
    assert (mean * np.diff(edges)).sum() / 168.0 == pytest.approx(whole)


def test_marey_draws_each_line_on_its_own_distances(runs):
    from sim.results.routes import place_name

    res, services = runs[0], ["rail_cq_qinzhou", "rail_cq_hanoi"]
    ax = sim.plot.marey(res, services, days=90)
    panels = ax.figure.axes
    assert len(panels) == 2 and panels[0] is ax and "one panel per line" in ax.get_title()
    net = res.scenario.network
    for panel, sid in zip(panels, services, strict=True):
        svc = res.scenario.services[sid]
        km = sum(net.links[lid].distance_km for lid in svc.links)
        labels = [t.get_text() for t in panel.get_yticklabels()]
        assert [lab.split(" (")[0] for lab in labels] == [place_name(net, n) for n in svc.path]
        assert labels[-1] == f"{place_name(net, svc.destination)} ({km:,.0f} km)"
        assert max(panel.get_yticks()) == km and km < panel.get_ylim()[1] < 1.1 * km
        assert panel.lines and all(max(line.get_ydata()) <= km for line in panel.lines)
        assert panel.get_ylabel() == "along the line (km)"
    assert labels[-2:] == ["Pingxiang / Dong Dang (1,534 km)", "Hanoi Gia Lam (1,696 km)"]
    assert max(panels[0].get_yticks()) == 1450.0  # Qinzhou: the Hanoi train is not drawn there
    assert panels[0].get_shared_x_axes().joined(panels[0], panels[1])
    assert "days from" in panels[1].get_xlabel()
    plt.close(ax.figure)


def test_marey_splits_the_place_of_a_given_ax(runs):
    fig, (top, bottom) = plt.subplots(2, 1)
    ax = sim.plot.marey(runs[0], ["rail_cq_qinzhou", "rail_cq_hanoi"], ax=bottom)
    assert ax is not bottom and top in fig.axes and len(fig.axes) == 3  # top kept, bottom split
    plt.close(fig)
    free = plt.figure().add_axes((0.1, 0.1, 0.8, 0.8))  # in no grid: cannot be split
    with pytest.raises(sim.SimError, match="2 different lines"):
        sim.plot.marey(runs[0], ["rail_cq_qinzhou", "rail_cq_hanoi"], ax=free)
    plt.close("all")


def _labels(ax):
    """Each node's label on ``ax`` (node id -> its text) and window box, as drawn."""
    from matplotlib.text import Text

    renderer = ax.figure.canvas.get_renderer()
    drawn = [t for t in ax.texts if (t.get_gid() or "").startswith("label:") and t.get_visible()]
    return {
        t.get_gid().removeprefix("label:"): (t.get_text(), Text.get_window_extent(t, renderer))
        for t in drawn
    }


def test_map_names_every_node_once_with_no_label_over_another(shut, tmp_path):
    from sim.plot.map_figure import map_extent

    ax = sim.plot.teu_map(shut)
    ax.figure.canvas.draw()
    renderer = ax.figure.canvas.get_renderer()
    (inset,) = ax.child_axes
    main, small = _labels(ax), _labels(inset)
    net = shut.scenario.network
    # Every node of the corridor's map (the China–Europe line beyond it is not drawn).
    lon0, lon1, lat0, lat1 = map_extent(shut.scenario)
    drawn = {n for n, v in net.nodes.items() if lon0 <= v.lon <= lon1 and lat0 <= v.lat <= lat1}
    assert "duisburg" not in drawn and "lanzhou" in drawn
    assert set(main) | set(small) == drawn and not set(main) & set(small)
    for where, labels in ((ax, main), (inset, small)):
        frame = where.get_window_extent(renderer)
        boxes = list(labels.values())
        for i, (text, box) in enumerate(boxes):
            assert frame.x0 <= box.x0 and box.x1 <= frame.x1, text  # inside its map
            assert frame.y0 <= box.y0 and box.y1 <= frame.y1, text
            for other, box2 in boxes[i + 1 :]:
                assert not box.overlaps(box2), (text, other)
        for node_id, (text, box) in labels.items():  # no label hides another place's marker
            for other in labels:
                x, y = where.transData.transform((net.nodes[other].lon, net.nodes[other].lat))
                if other != node_id and (net.nodes[other].lon, net.nodes[other].lat) != (
                    net.nodes[node_id].lon,
                    net.nodes[node_id].lat,
                ):
                    assert not box.contains(x, y), (text, other)
    keep_off = [inset.get_tightbbox(renderer)]
    keep_off += [a.get_window_extent(renderer) for a in ax.artists if hasattr(a, "legend_handles")]
    keep_off.append(ax.get_legend().get_window_extent(renderer))
    for text, box in main.values():
        assert not any(box.overlaps(off) for off in keep_off), text  # nor under an inset, legend
    assert small["youyiguan"][0] == "Youyiguan (closed)"  # the ring is Youyiguan's, and says so
    assert small["pingxiang_dongdang"][0] == "Pingxiang"
    assert main["chengdu"][0] == "Chengdu" and main["three_gorges"][0] == "Three Gorges"
    rings = [c for c in inset.collections if len(c.get_facecolor()) == 0]
    (ring,) = rings
    assert ring.get_offsets().tolist() == [[net.nodes["youyiguan"].lon, net.nodes["youyiguan"].lat]]
    legends = [a for a in ax.artists if hasattr(a, "legend_handles")] + [ax.get_legend()]
    assert "closed by a disruption" in [t.get_text() for lg in legends for t in lg.get_texts()]
    assert saved(ax, tmp_path, "shut_map") > 20_000


def test_map_inset_sits_beside_the_map_its_title_over_no_line(runs):
    ax = sim.plot.teu_map(runs[0])
    ax.figure.canvas.draw()
    renderer = ax.figure.canvas.get_renderer()
    (inset,) = ax.child_axes
    title = inset.title.get_window_extent(renderer)
    assert not inset.get_tightbbox(renderer).overlaps(ax.get_window_extent(renderer))
    for line in ax.lines:  # the sea lanes and every other link of the main map
        path = line.get_transform().transform_path(line.get_path())
        assert not path.intersects_bbox(title)
    assert inset.get_xticklabels()[1].get_text().endswith("°E")  # units on the inset's axes
    plt.close(ax.figure)


def test_throughput_says_a_box_counts_once_per_leg(runs):
    ax = sim.plot.throughput(runs)
    (note,) = [t for t in ax.texts if t.get_gid() == "per-leg-note"]
    assert "once per leg" in note.get_text() and "do not" in note.get_text()
    assert "mean of 3 replications" in ax.get_title()
    assert not [t for t in sim.plot.throughput(runs, what="departures").texts]  # no legs there
    plt.close("all")


def test_door_to_door_parts_tell_apart_for_colour_blind_readers(runs):
    import itertools
    import math

    import numpy as np
    from matplotlib.colors import to_rgb

    def lab(rgb):  # sRGB -> CIE L*a*b* (D65)
        c = np.asarray(rgb)
        c = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
        xyz = np.array(
            [[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]
        )
        x, y, z = xyz @ c / np.array([0.95047, 1.0, 1.08883])
        f = [v ** (1 / 3) if v > 0.008856 else 7.787 * v + 16 / 116 for v in (x, y, z)]
        return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])

    def seen(rgb, m):  # as a dichromat sees it (Machado et al. 2009, full severity)
        c = np.asarray(rgb)
        c = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
        c = np.clip(np.array(m) @ c, 0, 1)
        return np.where(c <= 0.0031308, 12.92 * c, 1.055 * c ** (1 / 2.4) - 0.055)

    deutan = [[0.367, 0.861, -0.228], [0.280, 0.673, 0.047], [-0.012, 0.043, 0.969]]
    protan = [[0.152, 1.053, -0.205], [0.115, 0.786, 0.099], [-0.004, -0.048, 1.052]]
    ax = sim.plot.d2d_parts(runs)
    colours = [to_rgb(bars[0].get_facecolor()) for bars in ax.containers]
    assert len(set(colours)) == 7
    for a, b in itertools.combinations(colours, 2):
        la, lb = lab(a), lab(b)
        for vision in (None, deutan, protan):  # far apart for every reader
            sa, sb = (lab(seen(a, vision)), lab(seen(b, vision))) if vision else (la, lb)
            assert np.linalg.norm(sa - sb) > 10, (a, b, vision)
        hue = abs(math.atan2(la[2], la[1]) - math.atan2(lb[2], lb[1])) % (2 * math.pi)
        chromatic = min(math.hypot(*la[1:]), math.hypot(*lb[1:])) > 20
        if chromatic and min(hue, 2 * math.pi - hue) < math.radians(30):  # two of one hue ...
            assert abs(la[0] - lb[0]) > 20, (a, b)  # ... are a light and a dark one
    assert "the mean of 3 replications" in ax.get_title()
    plt.close(ax.figure)


def test_figures_of_the_first_replication_say_so(runs):
    from sim.plot.by_kind import figure

    for kind in ("map", "marey", "utilisation", "chains"):
        ax = figure(runs, kind)
        assert "replication 1 of 3" in ax.get_title(), kind
        plt.close(ax.figure)
    kept_one = figure(runs[:1], "transit", replications=30)  # the others kept only their KPIs
    assert "replication 1 of 30; the others kept only their KPIs" in kept_one.get_title()
    assert "pooled" not in kept_one.get_title()
    pooled = figure(runs, "transit", replications=3)
    assert "pooled over 3 replications" in pooled.get_title()
    assert "replication 1 of" not in pooled.get_title()
    assert "replication" not in figure(runs[:1], "map").get_title()  # one run: nothing to say
    plt.close("all")
