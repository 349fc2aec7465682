"""GeoJSON export (RFC 7946) and the network map."""

from __future__ import annotations

import json

import matplotlib

matplotlib.use("Agg")

from sim import plot
from sim.network import to_geojson


def test_geojson_is_rfc7946_lon_lat_and_round_trips_counts(cli, network, tmp_path):
    out = tmp_path / "net.geojson"
    res = cli("network", "export", network.path, "--geojson", out)
    assert res.returncode == 0, res.stderr
    assert f"({len(network.nodes)} points, {len(network.links)} lines)" in res.stdout
    gj = json.loads(out.read_text(encoding="utf-8"))
    assert gj == json.loads(json.dumps(to_geojson(network)))
    assert gj["type"] == "FeatureCollection" and "crs" not in gj
    points = [f for f in gj["features"] if f["geometry"]["type"] == "Point"]
    lines = [f for f in gj["features"] if f["geometry"]["type"] == "LineString"]
    assert len(points) == len(network.nodes) and len(lines) == len(network.links)
    singapore = next(f for f in points if f["id"] == "singapore")
    lon, lat = singapore["geometry"]["coordinates"]
    assert 103 < lon < 105 and 1 < lat < 2  # [lon, lat], not [lat, lon]
    for f in gj["features"]:
        assert f["type"] == "Feature" and f["properties"]["feature"] in ("node", "link")
        coords = f["geometry"]["coordinates"]
        for lon, lat in [coords] if f["geometry"]["type"] == "Point" else coords:
            assert -180 <= lon <= 180 and -90 <= lat <= 90
    link = next(f for f in lines if f["properties"]["mode"] == "sea")
    start = network.nodes[link["properties"]["from"]]
    assert link["geometry"]["coordinates"][0] == [start.lon, start.lat]


def test_network_map_draws_every_link_and_node_kind_with_units(network, tmp_path):
    import matplotlib.pyplot as plt

    ax = plot.network_map(network)
    # Every link of the corridor, inside the network's map_extent: not the China–Europe line.
    lon0, lon1, lat0, lat1 = network.map_extent
    inside = {
        n for n, v in network.nodes.items() if lon0 <= v.lon <= lon1 and lat0 <= v.lat <= lat1
    }
    corridor = [lk for lk in network.links.values() if {lk.from_id, lk.to_id} <= inside]
    assert len(ax.lines) == len(corridor) < len(network.links)
    markers = [c for c in ax.collections if c.get_gid() != "land"]  # the land is one collection
    assert len(markers) == len(network.count_nodes_by_kind())
    ax_all = plot.network_map(network, extent=(-180.0, 180.0, -90.0, 90.0), labels=False)
    assert len(ax_all.lines) == len(network.links)  # asked for the world: every link
    plt.close(ax_all.figure)
    assert "°E" in ax.get_xlabel() and "°N" in ax.get_ylabel()
    labels = [t.get_text() for a in [ax, *ax.child_axes] for t in a.texts]
    for place in ("Chongqing", "Qinzhou", "Hanoi", "Singapore", "Pingxiang", "Mohan"):
        assert any(place in t for t in labels), place
    (inset,) = ax.child_axes  # the crowded Beibu Gulf border area, enlarged
    assert any("Qinzhou" in t.get_text() for t in inset.texts)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "border post" in legend and "rail" in legend
    out = tmp_path / "map.png"
    ax.figure.savefig(out)
    plt.close(ax.figure)
    assert out.stat().st_size > 20_000


def test_cli_export_map_writes_png(cli, network, tmp_path):
    out = tmp_path / "map.png"
    assert cli("network", "export", network.path, "--map", out).returncode == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
