"""Loading the network: the shipped data is valid, and every rule catches what it should."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import read_csv, write_csv
from hypothesis import given, settings
from hypothesis import strategies as st

import sim
from sim.network import LINK_MODES, NODE_KINDS


def test_shipped_network_has_every_part_of_the_corridor(network):
    kinds = network.count_nodes_by_kind()
    assert set(kinds) >= {
        "rail_terminal",
        "road_terminal",
        "seaport",
        "border_post",
        "city",
        "lock",
    }
    assert set(network.count_links_by_mode()) == set(LINK_MODES)
    required = {
        "cq_tuanjiecun",
        "cq_xiaonanya",
        "cq_guoyuan",
        "cq_nanpeng",
        "chengdu",
        "guiyang",
        "kunming",
        "huaihua",
        "liuzhou",
        "nanning",
        "qinzhou_port",
        "beihai",
        "fangchenggang",
        "singapore",
        "haiphong",
        "hcmc",
        "laem_chabang",
        "port_klang",
        "jakarta",
        "manila",
        "sihanoukville",
        "yangon",
        "hanoi",
        "vientiane",
        "bangkok",
        "kuala_lumpur",
        "phnom_penh",
        "pingxiang_dongdang",
        "youyiguan",
        "dongxing_mongcai",
        "hekou_laocai",
        "mohan_boten",
        "ruili_muse",
        "three_gorges",
        "shanghai",
        "hanoi_gialam",
    }
    assert required <= set(network.nodes)
    assert {"lanzhou", "xian"} & set(network.nodes)
    for post in ("youyiguan", "dongxing_mongcai", "hekou_laocai", "mohan_boten", "ruili_muse"):
        node = network.nodes[post]
        assert node.kind == "border_post" and node.lanes and node.clearance_h > 0


def test_rail_links_carry_a_gauge_and_the_hanoi_line_is_dual_gauge(network):
    rail = [lk for lk in network.links.values() if lk.mode == "rail"]
    assert all(lk.gauge_mm for lk in rail)
    to_gialam = [lk for lk in rail if "hanoi_gialam" in (lk.from_id, lk.to_id)]
    assert any(lk.gauge_mm == "1435/1000" for lk in to_gialam)
    assert all(lk.gauge_mm is None for lk in network.links.values() if lk.mode != "rail")
    broad = [lk.id for lk in rail if lk.gauge_mm == "1520"]  # Kazakhstan, Russia, Belarus
    assert broad == ["rail_alashankou_dostyk_brest_malaszewicze"]


def test_a_link_may_give_its_own_co2_and_the_map_extent_holds_the_corridor(network):
    sea = network.links["sea_rotterdam_singapore"]
    assert sea.distance_km == 15349 and sea.co2_kg_per_teu == pytest.approx(0.0894 * 15349)
    feeder = network.links["sea_qinzhou_port_singapore"]  # the mode's 0.15 kg per TEU-km
    assert feeder.co2_kg_per_teu == pytest.approx(0.15 * feeder.distance_km)
    lon0, lon1, lat0, lat1 = network.map_extent
    inside = {
        n for n, v in network.nodes.items() if lon0 <= v.lon <= lon1 and lat0 <= v.lat <= lat1
    }
    europe = {"urumqi", "alashankou_dostyk", "brest_malaszewicze", "duisburg", "rotterdam"}
    assert inside == set(network.nodes) - europe


def test_every_row_names_its_source(network):
    for record in [*network.nodes.values(), *network.links.values()]:
        assert "http" in record.source or "assumption:" in record.source, record.id
    for mode in network.modes.values():
        assert "http" in mode.source or "assumption:" in mode.source


def _four_faults(folder: Path) -> int:
    """Break the copy in the four ways the issue names; return the unknown endpoint's line."""
    header, rows = read_csv(folder / "links.csv")
    sea = next(
        i for i, r in enumerate(rows) if {r["from"], r["to"]} == {"qinzhou_port", "singapore"}
    )
    rows[sea]["to"] = "atlantis"  # unknown endpoint, line sea + 2
    rows[1]["id"] = rows[0]["id"]  # duplicate id, lines 2 and 3
    rows[4]["distance_km"] = "-12"  # negative distance, line 6
    rows[5]["source"] = ""  # missing source, line 7
    write_csv(folder / "links.csv", header, rows)
    return sea + 2


def test_four_faults_reported_together_with_file_and_line(network_copy):
    sea_line = _four_faults(network_copy)
    with pytest.raises(sim.NetworkError) as info:
        sim.load_network(network_copy)
    found = {(Path(p.file).name, p.line, p.column, p.rule) for p in info.value.problems}
    assert ("links.csv", 2, "id", "duplicate id") in found
    assert ("links.csv", 3, "id", "duplicate id") in found
    assert ("links.csv", sea_line, "to", "unknown node") in found
    assert ("links.csv", 6, "distance_km", "must be in (0, 50000]") in found
    assert ("links.csv", 7, "source", "is required") in found
    assert len(info.value.problems) == 5


def test_cli_check_exits_2_naming_all_four_faults_without_traceback(cli, network_copy):
    sea_line = _four_faults(network_copy)
    out = cli("network", "check", network_copy)
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    for fragment in (
        "links.csv:2: id: duplicate id",
        f"links.csv:{sea_line}: to: unknown node",
        "links.csv:6: distance_km: must be in (0, 50000]",
        "links.csv:7: source: is required",
    ):
        assert fragment in out.stderr


def _edit(folder: Path, file: str, index: int, **changes: str) -> int:
    header, rows = read_csv(folder / file)
    rows[index].update(changes)
    write_csv(folder / file, header, rows)
    return index + 2


@pytest.mark.parametrize(
    ("file", "changes", "column", "rule_part"),
    [
        ("nodes.csv", {"lat": "95"}, "lat", "[-90, 90]"),
        ("nodes.csv", {"lon": "east"}, "lon", "must be a number"),
        ("nodes.csv", {"kind": "spaceport"}, "kind", "must be one of"),
        ("nodes.csv", {"country": "China"}, "country", "must match"),
        ("nodes.csv", {"source": "a friend told me"}, "source", "URL or 'assumption"),
        ("nodes.csv", {"opening_hours": "17:00-08:00"}, "opening_hours", "closing after opening"),
        ("nodes.csv", {"opening_hours": "24:10-24:50"}, "opening_hours", "by 24:00"),
        ("links.csv", {"time_h": "inf"}, "time_h", "finite"),
        ("links.csv", {"cost_cny_per_teu": "nan"}, "cost_cny_per_teu", "finite"),
        ("links.csv", {"mode": "air"}, "mode", "must be one of"),
        ("links.csv", {"time_h": "0"}, "time_h", "must be in (0, 8760]"),
        ("nodes.csv", {"handling_h": "999999999999"}, "handling_h", "[0, 8760]"),
        ("links.csv", {"time_h": "0.5"}, "time_h", "implied speed"),
        ("links.csv", {"time_cv": "2"}, "time_cv", "[0, 1]"),
        ("links.csv", {"gauge_mm": "1067"}, "gauge_mm", "must be one of"),
        ("links.csv", {"co2_kg_per_teu_km": "-1"}, "co2_kg_per_teu_km", "[0, 10000]"),
    ],
)
def test_each_cell_rule_names_file_line_column(network_copy, file, changes, column, rule_part):
    line = _edit(network_copy, file, 3, **changes)
    with pytest.raises(sim.NetworkError) as info:
        sim.load_network(network_copy)
    hits = [p for p in info.value.problems if p.line == line and p.column == column]
    assert hits and rule_part in hits[0].rule, info.value
    assert Path(hits[0].file).name == file


def test_self_loop_and_border_post_without_clearance(network_copy):
    header, rows = read_csv(network_copy / "links.csv")
    rows[2]["to"] = rows[2]["from"]
    write_csv(network_copy / "links.csv", header, rows)
    header, rows = read_csv(network_copy / "nodes.csv")
    post = next(i for i, r in enumerate(rows) if r["id"] == "youyiguan")
    rows[post]["clearance_h"] = ""
    write_csv(network_copy / "nodes.csv", header, rows)
    with pytest.raises(sim.NetworkError) as info:
        sim.load_network(network_copy)
    rules = {(Path(p.file).name, p.line, p.rule) for p in info.value.problems}
    assert ("links.csv", 4, "a link must join two different nodes") in rules
    assert ("nodes.csv", post + 2, "a border_post node needs clearance_h") in rules


def test_unreachable_node_and_unknown_column(network_copy):
    header, rows = read_csv(network_copy / "nodes.csv")
    rows.append({**rows[0], "id": "island", "name": "Island"})
    write_csv(network_copy / "nodes.csv", [*header, "colour"], [{**r, "colour": ""} for r in rows])
    with pytest.raises(sim.NetworkError) as info:
        sim.load_network(network_copy)
    text = str(info.value)
    assert f"nodes.csv:{len(rows) + 1}: id: node cannot be reached" in text
    assert "nodes.csv:1: colour: unknown column" in text


def test_missing_folder_and_file(tmp_path, network_copy):
    with pytest.raises(sim.NetworkError, match="is not a network folder"):
        sim.load_network(tmp_path / "nope")
    (network_copy / "links.csv").unlink()
    with pytest.raises(sim.NetworkError, match=r"links\.csv: file is missing"):
        sim.load_network(network_copy)


@settings(max_examples=25, deadline=None)
@given(row=st.integers(0, 40), bad=st.sampled_from(["0", "-1", "-0.001", "nan", "", "x"]))
def test_any_bad_distance_is_reported_on_its_line(tmp_path_factory, row, bad):
    import shutil

    from conftest import NETWORK_DIR

    folder = tmp_path_factory.mktemp("net")
    shutil.copytree(NETWORK_DIR, folder, dirs_exist_ok=True)
    line = _edit(folder, "links.csv", row, distance_km=bad)
    with pytest.raises(sim.NetworkError) as info:
        sim.load_network(folder)
    assert any(p.line == line and p.column == "distance_km" for p in info.value.problems)


def test_node_kinds_are_the_documented_ones():
    assert NODE_KINDS == (
        "rail_terminal",
        "road_terminal",
        "river_port",
        "seaport",
        "border_post",
        "junction",
        "city",
        "lock",
    )
