"""A tiny deterministic network and scenario writer for exact engine tests.

    a (rail terminal) --rail/road 2 h-- b (border post) --rail 2 h-- c (seaport) --sea 20 h-- d
                                          \\--road 2 h-- e (city)

Every link has time_cv 0, so travel times are exact; border clearance is 1 h with cv 0.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

NODES = (
    (
        "id,name,name_zh,kind,country,lat,lon,lanes,tracks,berths,handling_h,clearance_h,"
        "clearance_cv,inspection_share,inspection_h,opening_hours,source\n"
    )
    + """a,A,,rail_terminal,CN,30,106,2,2,,0,,,,,,assumption: test
b,B,,border_post,CN-VN,25,106,1,1,,,1,0,0,0,,assumption: test
c,C,,seaport,CN,22,108,,1,1,2,,,,,,assumption: test
d,D,,seaport,SG,1.3,103.8,,,1,0,,,,,,assumption: test
e,E,,city,VN,21,105.8,,,,,,,,,,assumption: test
"""
)
LINKS = """id,from,to,mode,distance_km,time_h,time_cv,gauge_mm,cost_cny_per_teu,source
rail_ab,a,b,rail,100,2,0,1435,,assumption: test
rail_bc,b,c,rail,100,2,0,1435,,assumption: test
road_ab,a,b,road,100,2,0,,,assumption: test
road_be,b,e,road,100,2,0,,,assumption: test
sea_cd,c,d,sea,500,20,0,,,assumption: test
"""
META = """name = "tiny"
title = "Tiny test network"
[modes.rail]
speed_kmh_min = 1.0
speed_kmh_max = 200.0
cost_cny_per_teu_km = 2.0
co2_kg_per_teu_km = 0.2
source = "assumption: test"
[modes.road]
speed_kmh_min = 1.0
speed_kmh_max = 200.0
cost_cny_per_teu_km = 4.0
co2_kg_per_teu_km = 0.7
source = "assumption: test"
[modes.sea]
speed_kmh_min = 1.0
speed_kmh_max = 200.0
cost_cny_per_teu_km = 1.0
co2_kg_per_teu_km = 0.1
source = "assumption: test"
"""


def write_network(folder: Path) -> Path:
    """Write the tiny network into ``folder/net`` and return that path."""
    net = folder / "net"
    net.mkdir(parents=True, exist_ok=True)
    (net / "nodes.csv").write_text(NODES, encoding="utf-8")
    (net / "links.csv").write_text(LINKS, encoding="utf-8")
    (net / "meta.toml").write_text(META, encoding="utf-8")
    return net


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }"
    return repr(value)


def write_scenario(folder: Path, tables: dict[str, dict[str, Any]], **top: Any) -> Path:
    """Write a scenario over the tiny network; ``tables`` maps dotted table names to key/values."""
    write_network(folder)
    lines = [f'name = "{top.pop("name", "tiny")}"', 'network = "net"']
    lines += [f"{k} = {_toml(v)}" for k, v in top.items()]
    tables = {"horizon": {"start": "2019-01-07", "end": "2019-01-21"}, **tables}
    for name, values in tables.items():
        lines.append(f"[{name}]")
        for k, v in values.items():
            raw = k in ("start", "end")
            lines.append(f"{k} = {v if raw else _toml(v)}")
    path = folder / "scenario.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# Regular arrivals of 1 TEU every 2 h from a to c by "train": 0.5 TEU/h = 4,380 TEU a year; the
# k-th arrives at 2k + 1 h.
EVERY_2H = {
    "origin": "a",
    "destination": "c",
    "direction": "southbound",
    "teu_per_year": 4380.0,
    "chain": ["train"],
    "chain_family": "rail_sea",
    "arrivals": "regular",
}
RAIL = {"family": "rail_sea", "vehicle": "train", "path": ["a", "b", "c"], "capacity_teu": 1000.0}
#: A train a to c of 100 TEU (a timetable: add its ``times``).
TRAIN = {**RAIL, "capacity_teu": 100.0}
#: A ship c to d on Mondays at 12:00 (add its ``capacity_teu``).
WEEKLY_SHIP = {"family": "sea", "vehicle": "ship", "path": ["c", "d"], "days": ["mon"]}
WEEKLY_SHIP |= {"times": ["12:00"]}
TRUCK = {"family": "road", "vehicle": "truck", "path": ["a", "b", "e"], "capacity_teu": 1.0}
FLOW = {"origin": "a", "direction": "southbound", "teu_per_year": 1000.0}


def choice_tables(**choice):
    """A two-chain market on the tiny network: a daily train to c, a truck to e."""
    return {
        "services.rail": {**RAIL, "times": ["12:00"], "tariff_cny_per_teu": 1000.0},
        "services.truck": {**TRUCK, "dispatch": "when_full", "tariff_cny_per_teu": 3000.0},
        "demand.flows.by_rail": {
            **FLOW,
            "destination": "c",
            "chain": ["rail"],
            "chain_family": "rail_sea",
        },
        "demand.flows.by_road": {
            **FLOW,
            "destination": "e",
            "chain": ["truck"],
            "chain_family": "road",
        },
        "choice": {"model": "logit", "scale_per_cny": 0.002, **choice},
        "choice.value_of_time_cny_per_teu_h": {"general": 100.0},
        "choice.markets": {"a_south": ["by_rail", "by_road"]},
        "facilities.b": {"lanes": 50},
    }
