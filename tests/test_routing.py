"""Routing over the shipped network: the chains go where the corridor goes, and their distances and
times agree with the published figures (the sources are in each row) within 10%."""

from __future__ import annotations

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sim
from sim.network import LINK_MODES, k_cheapest_routes

ROAD_POSTS = {"youyiguan", "dongxing_mongcai", "hekou_laocai", "mohan_boten", "ruili_muse"}


def fastest(net, a, b, modes):
    return k_cheapest_routes(net, a, b, by="time_h", modes=modes)[0]


def test_fastest_rail_sea_chain_to_singapore_runs_through_qinzhou(network):
    route = fastest(network, "cq_tuanjiecun", "singapore", ["rail", "sea"])
    assert route.modes == ("rail", "sea")
    assert route.legs[0].nodes[-1] == "qinzhou_port"


def test_road_to_hanoi_crosses_a_road_border_post(network):
    route = fastest(network, "cq_nanpeng", "hanoi", ["road"])
    assert set(route.nodes) & ROAD_POSTS


def test_rail_to_hanoi_crosses_pingxiang_dong_dang(network):
    route = fastest(network, "cq_tuanjiecun", "hanoi_gialam", ["rail"])
    assert "pingxiang_dongdang" in route.nodes


def test_river_chain_to_singapore_runs_through_shanghai(network):
    route = fastest(network, "cq_guoyuan", "singapore", ["river", "sea"])
    assert route.modes == ("river", "sea")
    assert route.legs[0].nodes[-1] == "shanghai"
    assert "three_gorges" in route.nodes


# (from, to, modes, published distance_km or None, published time_h or None, source)
PUBLISHED = [
    (
        "cq_tuanjiecun",
        "qinzhou_port",
        ["rail"],
        1450,
        48,
        "iFeng 2017 (1,450 km, 2 days); 南国早报 2017-05-13 (close to 48 h)",
    ),
    (
        "cq_tuanjiecun",
        "singapore",
        ["rail", "sea"],
        4080,
        None,
        "南国早报 2017-05-13: 4,080 km Chongqing–Qinzhou–Singapore",
    ),
    ("qinzhou_port", "singapore", ["sea"], 2487, None, "searoute (shipping-lane graph)"),
    (
        "cq_nanpeng",
        "hanoi",
        ["road"],
        1400,
        40,
        "cri 2018-03-30 (1,400 km); yunnan.cn 2016-05-03 (about 40 h)",
    ),
    (
        "cq_nanpeng",
        "bangkok",
        ["road"],
        2750,
        96,
        "VNA 2017 (2,700 km) and Global Times (2,800 km), both 96 h",
    ),
    ("cq_nanpeng", "yangon", ["road"], 2700, 96, "ichongqing 2023-11-09: about 2,700 km, 4 days"),
    ("cq_nanpeng", "vientiane", ["road"], 1900, 96, "yunnan.cn 2021-04-29: about 1,900 km, 4 days"),
    (
        "cq_tuanjiecun",
        "hanoi_gialam",
        ["rail"],
        1700,
        None,
        "derived: 1,450 − 150 + 396 km",
    ),
    ("cq_guoyuan", "shanghai", ["river"], 2400, None, "iFeng 2017: about 2,400 km by the Yangtze"),
    ("shanghai", "singapore", ["sea"], 3991, None, "searoute (shipping-lane graph)"),
]


@pytest.mark.parametrize(("a", "b", "modes", "km", "hours", "source"), PUBLISHED)
def test_chain_agrees_with_published_figures_within_10_percent(
    network, a, b, modes, km, hours, source
):
    route = fastest(network, a, b, modes)
    if km is not None:
        assert route.total("distance_km") == pytest.approx(km, rel=0.10), source
    if hours is not None:
        assert route.total("time_h") == pytest.approx(hours, rel=0.10), source


def test_rail_sea_is_faster_than_the_yangtze_to_singapore(network):
    rail_sea = fastest(network, "cq_tuanjiecun", "singapore", ["rail", "sea"])
    river_sea = fastest(network, "cq_guoyuan", "singapore", ["river", "sea"])
    assert rail_sea.total("time_h") < river_sea.total("time_h")


def test_k_routes_are_distinct_loopless_and_cheapest_first(network):
    routes = k_cheapest_routes(
        network, "cq_nanpeng", "hanoi", by="distance_km", k=3, modes=["road"]
    )
    assert len(routes) == 3
    assert [r.cost for r in routes] == sorted(r.cost for r in routes)
    assert len({r.nodes for r in routes}) == 3
    for r in routes:
        assert len(set(r.nodes)) == len(r.nodes)
        assert r.cost == pytest.approx(r.total("distance_km"))


def test_cost_as_callable_can_forbid_links(network):
    def no_youyiguan(link):
        return None if "youyiguan" in (link.from_id, link.to_id) else link.time_h

    route = k_cheapest_routes(network, "cq_nanpeng", "hanoi", by=no_youyiguan, modes=["road"])[0]
    assert "youyiguan" not in route.nodes
    assert set(route.nodes) & ROAD_POSTS


def test_route_to_json_has_the_documented_keys(network):
    d = fastest(network, "cq_tuanjiecun", "singapore", ["rail", "sea"]).to_dict()
    assert {
        "nodes",
        "modes",
        "distance_km",
        "time_h",
        "cost_cny_per_teu",
        "co2_kg_per_teu",
        "legs",
        "links",
    } <= set(d)
    assert d["modes"] == ["rail", "sea"]
    assert d["legs"][0]["to"] == d["legs"][1]["from"] == "qinzhou_port"


def test_bad_route_requests_name_what_is_wrong(network):
    with pytest.raises(sim.NetworkError) as info:
        k_cheapest_routes(network, "atlantis", "hanoi", by="time_h", k=0, modes=["air"])
    text = str(info.value)
    assert (
        "from: unknown node (corridor-sim network show NETWORK lists every node), got 'atlantis'"
        in text
    )
    assert "modes: unknown mode" in text and "k: must be in [1, 100]" in text
    with pytest.raises(sim.NetworkError, match="by: must be one of"):
        k_cheapest_routes(network, "cq_nanpeng", "hanoi", by="beauty")


def test_unreachable_with_the_allowed_modes_gives_no_route(network):
    assert k_cheapest_routes(network, "cq_nanpeng", "jakarta", modes=["road"]) == []


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_routes_respect_modes_and_match_dijkstra(network, data):
    ids = sorted(network.nodes)
    a = data.draw(st.sampled_from(ids))
    b = data.draw(st.sampled_from(ids))
    modes = data.draw(st.sets(st.sampled_from(LINK_MODES), min_size=1))
    attr = data.draw(st.sampled_from(["time_h", "distance_km", "co2_kg_per_teu"]))
    routes = k_cheapest_routes(network, a, b, by=attr, k=3, modes=modes)
    graph = nx.Graph()
    graph.add_nodes_from(ids)
    for lk in network.links.values():
        if lk.mode in modes:
            w = getattr(lk, attr)
            if (
                not graph.has_edge(lk.from_id, lk.to_id)
                or w < graph.edges[lk.from_id, lk.to_id]["w"]
            ):
                graph.add_edge(lk.from_id, lk.to_id, w=w)
    if a == b or not nx.has_path(graph, a, b):
        assert routes == []
        return
    assert routes[0].cost == pytest.approx(nx.dijkstra_path_length(graph, a, b, weight="w"))
    assert [r.cost for r in routes] == sorted(r.cost for r in routes)
    for r in routes:
        assert {lk.mode for lk in r.links} <= modes
        assert r.nodes[0] == a and r.nodes[-1] == b
