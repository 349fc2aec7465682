"""Loading a scenario: the values produced, and every rule reported with its file and key."""

from __future__ import annotations

import dataclasses
import datetime as dt
import textwrap
from pathlib import Path

import pytest
from conftest import NETWORK_DIR

from sim.errors import Problem, ScenarioError
from sim.scenario import Facility, Flow, Horizon, Service, load_scenario

NET = NETWORK_DIR.as_posix()

BASE = f"""
name = "base"
network = "{NET}"
[horizon]
start = 2019-01-01
end = 2020-01-01
[services.rail_sea_cq]
family = "rail_sea"
vehicle = "train"
path = ["cq_tuanjiecun", "guiyang", "nanning", "qinzhou_port"]
capacity_teu = 50
per_day = 2
days = ["thu", "mon", "mon"]
[services.ship_qz_sg]
family = "sea"
vehicle = "ship"
path = ["qinzhou_port", "singapore"]
capacity_teu = 1000.0
times = ["20:00", "08:30"]
cutoff_h = 12
[services.truck_hanoi]
family = "road"
vehicle = "truck"
path = ["cq_nanpeng", "nanning", "youyiguan", "hanoi"]
capacity_teu = 2
dispatch = "when_full"
min_load_teu = 1
max_wait_h = 48
[demand]
scale = 1.5
[demand.flows.cq_sg]
origin = "cq_tuanjiecun"
destination = "singapore"
direction = "southbound"
teu_per_year = 20000
chain = ["rail_sea_cq", "ship_qz_sg"]
chain_family = "rail_sea"
commodity = "electronics"
size_teu = [1, 2]
size_p = [0.25, 0.75]
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def child_of_base(folder: Path, extra: str) -> Path:
    """A child.toml that extends base.toml (BASE) with the ``extra`` TOML."""
    write(folder, "base.toml", BASE)
    return write(folder, "child.toml", 'extends = "base.toml"\n' + textwrap.dedent(extra))


def problems(path: Path) -> list[Problem]:
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(path)
    return list(excinfo.value.problems)


def test_minimal_scenario_gives_the_expected_records(tmp_path):
    sc = load_scenario(write(tmp_path, "base.toml", BASE))
    assert sc.name == "base"
    assert sc.network.name == "chongqing_asean"
    assert sc.horizon == Horizon(dt.date(2019, 1, 1), dt.date(2020, 1, 1), 0.0)
    path = ("cq_tuanjiecun", "guiyang", "nanning", "qinzhou_port")
    links = ("rail_cq_tuanjiecun_guiyang", "rail_guiyang_nanning", "rail_nanning_qinzhou_port")
    rail = Service(
        "rail_sea_cq", "rail_sea", "train", path, links, 50.0, days=(0, 3), times_h=(6.0, 18.0)
    )
    assert sc.services["rail_sea_cq"] == rail
    ship = sc.services["ship_qz_sg"]
    assert (ship.times_h, ship.days, ship.cutoff_h) == ((8.5, 20.0), tuple(range(7)), 12.0)
    assert ship.links == ("sea_qinzhou_port_singapore",)
    truck = sc.services["truck_hanoi"]
    assert truck.links == (
        "road_cq_nanpeng_nanning",
        "road_nanning_youyiguan",
        "road_youyiguan_hanoi",
    )
    assert (truck.dispatch, truck.min_load_teu, truck.max_wait_h) == ("when_full", 1.0, 48.0)
    chain, sizes = ("rail_sea_cq", "ship_qz_sg"), {"size_teu": (1.0, 2.0), "size_p": (0.25, 0.75)}
    flow = Flow("cq_sg", "cq_tuanjiecun", "singapore", "southbound", 30000.0, chain, "rail_sea")
    assert sc.flows["cq_sg"] == dataclasses.replace(flow, commodity="electronics", **sizes)
    assert type(sc.services["rail_sea_cq"].capacity_teu) is float
    assert (sc.seed, sc.replications, sc.log_events, sc.gauge_change_h) == (0, 1, True, 0.0)
    assert sc.description == "" and sc.disruptions == () and dict(sc.overrides) == {}
    assert sc.files == (str((tmp_path / "base.toml").resolve()),)
    assert sc.data["services"]["rail_sea_cq"]["days"] == ["thu", "mon", "mon"]
    assert sc.data["horizon"]["start"] == dt.date(2019, 1, 1)


def test_every_facility_node_gets_a_facility_with_scenario_overrides(tmp_path, network):
    sc = load_scenario(
        child_of_base(
            tmp_path,
            """
    [facilities.youyiguan]
    lanes = 9
    clearance_h = 2
    clearance_dist = "exponential"
    opening_hours = "08:00-17:30"

    [facilities.qinzhou_port]
    opening_hours = ""
    handling_h = 0
    """,
        )
    )
    kinds = {"border_post", "rail_terminal", "road_terminal", "seaport", "river_port", "lock"}
    assert set(sc.facilities) == {n.id for n in network.nodes.values() if n.kind in kinds}
    node = network.nodes["youyiguan"]
    given = {"lanes": 9, "clearance_h": 2.0, "clearance_dist": "exponential"}
    expected = Facility("youyiguan", "border_post", tracks=node.tracks, berths=node.berths, **given)
    for name in ("handling_h", "clearance_cv", "inspection_share", "inspection_h"):
        expected = dataclasses.replace(expected, **{name: getattr(node, name) or 0.0})
    assert sc.facilities["youyiguan"] == dataclasses.replace(expected, opening_hours=(8.0, 17.5))
    port = sc.facilities["qinzhou_port"]
    assert port.opening_hours is None and port.handling_h == 0.0
    assert port.berths == network.nodes["qinzhou_port"].berths
    guiyang = network.nodes["guiyang"]
    assert sc.facilities["guiyang"].tracks == guiyang.tracks
    assert sc.facilities["guiyang"].handling_h == (guiyang.handling_h or 0.0)


def test_disruptions_with_end_or_days_sorted_by_start(tmp_path):
    sc = load_scenario(
        child_of_base(
            tmp_path,
            """
    [disruptions.youyiguan_closed]
    target = "youyiguan"
    start = 2019-02-01
    days = 30.0

    [disruptions.a_typhoon]
    target = "sea_qinzhou_port_singapore"
    start = 2019-08-10T06:00:00
    end = 2019-08-13
    effect = "slow"
    factor = 2

    [disruptions.b_same_start]
    target = "qinzhou_port"
    start = 2019-02-01
    end = 2019-02-02
    """,
        )
    )
    assert [d.id for d in sc.disruptions] == ["b_same_start", "youyiguan_closed", "a_typhoon"]
    closed = sc.disruptions[1]
    assert (closed.target, closed.start_h, closed.end_h) == ("youyiguan", 744.0, 744.0 + 720.0)
    assert (closed.effect, closed.factor) == ("close", 1.0)
    typhoon = sc.disruptions[2]
    assert typhoon.start_h == (31 + 28 + 31 + 30 + 31 + 30 + 31 + 9) * 24 + 6
    assert typhoon.end_h == (31 + 28 + 31 + 30 + 31 + 30 + 31 + 12) * 24
    assert (typhoon.effect, typhoon.factor) == ("slow", 2.0)


BAD = """
colour = "red"
seed = 1.5
replications = "3"
[services.rail_sea_cq]
path = ["cq_tuanjiecun", "guiyang", "nanning", "qinzhou_prt"]
capacity_teu = -1
extra_when_full = 1
[services.ship_qz_sg]
capacity_teu = true
[demand.flows.cq_sg]
chain = ["rail_sea_cqq", "ship_qz_sg"]
"""


def test_all_problems_are_reported_together_with_file_and_key(tmp_path):
    path = child_of_base(tmp_path, BAD)
    found = problems(path)
    assert {p.file for p in found} == {str(path)}
    assert {(p.column, p.rule, p.value) for p in found} == {
        ("colour", "unknown key", "red"),
        ("seed", "must be an integer", 1.5),
        ("replications", "must be an integer (write it without quotes: 3)", "3"),
        ("services.rail_sea_cq.path", "unknown node (did you mean 'qinzhou_port'?)", "qinzhou_prt"),
        ("services.rail_sea_cq.capacity_teu", "must be in (0, 100000] TEU", -1),
        ("services.rail_sea_cq.extra_when_full", "must be true or false", 1),
        ("services.ship_qz_sg.capacity_teu", "must be a number", True),
        (
            "demand.flows.cq_sg.chain",
            "unknown service (did you mean 'rail_sea_cq'?)",
            "rail_sea_cqq",
        ),
    }
    lines = str(ScenarioError(found)).splitlines()
    assert f"{path}: services.rail_sea_cq.capacity_teu: must be in (0, 100000] TEU, got -1" in lines


def test_missing_required_keys_and_unknown_nested_keys(tmp_path):
    text = f"""
    network = "{NET}"
    [horizon]
    start = 2019-01-01
    [services.x]
    family = "rail_sea"
    vehicle = "train"
    path = ["cq_tuanjiecun", "guiyang"]
    per_day = 1
    capasity_teu = 3
    """
    found = problems(write(tmp_path, "s.toml", text))
    assert {p.file for p in found} == {str(tmp_path / "s.toml")}
    assert {(p.column, p.rule, p.value) for p in found} == {
        ("name", "is required", None),
        ("horizon.end", "is required", None),
        ("services.x.capacity_teu", "is required", None),
        ("services.x.capasity_teu", "unknown key (did you mean 'capacity_teu'?)", 3),
    }


@pytest.mark.parametrize(
    ("line", "column", "hint"),
    [
        ('[horizon]\nstart = "2019-02-01"', "horizon.start", "2019-02-01"),
        ('[demand]\nscale = " 1.5"', "demand.scale", "1.5"),
        ('[log]\nevents = "true"', "log.events", "true"),
    ],
)
def test_a_value_written_as_text_is_told_to_drop_its_quotes(tmp_path, line, column, hint):
    (found,) = problems(child_of_base(tmp_path, line))
    assert found.column == column and found.rule.endswith(f"(write it without quotes: {hint})")


@pytest.mark.parametrize("text", ['"next week"', '"2019-02-30"', '"1\\nx = 2"'])
def test_text_that_is_no_value_of_the_kind_gets_no_quote_hint(tmp_path, text):
    (found,) = problems(child_of_base(tmp_path, f"[horizon]\nstart = {text}"))
    assert found.rule == "must be a date (YYYY-MM-DD)"


def test_truck_path_along_a_rail_only_pair_is_reported(tmp_path):
    path = child_of_base(tmp_path, '[services.truck_hanoi]\npath = ["cq_tuanjiecun", "guiyang"]')
    rule = "no road link joins 'cq_tuanjiecun' and 'guiyang' (links there: rail)"
    column, pair = "services.truck_hanoi.path", ["cq_tuanjiecun", "guiyang"]
    assert problems(path) == [Problem(str(path), rule, column=column, value=pair)]


@pytest.mark.parametrize(
    ("extra", "column", "rule"),
    [
        ("[services.truck_hanoi]\ntimes = ['08:00']\nper_day = 1", "services.truck_hanoi", "both"),
        ("[services.rail_sea_cq]\nper_day = 2.0", "services.rail_sea_cq.per_day", "an integer"),
        ("[services.rail_sea_cq]\ndays = ['mon', 'fun']", "services.rail_sea_cq.days", "weekdays"),
        ("[services.ship_qz_sg]\ntimes = ['24:00']", "services.ship_qz_sg.times", "HH:MM"),
        ("[services.truck_hanoi]\nmin_load_teu = 3", "services.truck_hanoi.min_load_teu", "<="),
        ("[horizon]\nwarmup_days = 365", "horizon.warmup_days", "< the horizon"),
        ("[horizon]\nend = 2018-12-31", "horizon.end", "after start"),
        ("[demand]\nscale = 0", "demand.scale", "(0, 1000]"),
        ("[demand]\nscale = 1e6", "demand.scale", "(0, 1000]"),
        ("[horizon]\nend = 9999-12-31", "horizon.end", "at most 50 years"),
        (
            "[services.rail_sea_cq]\ncapacity_teu = 9.2e18",
            "services.rail_sea_cq.capacity_teu",
            "TEU",
        ),
        ("[services.rail_sea_cq]\ncutoff_h = 1e300", "services.rail_sea_cq.cutoff_h", "a year"),
        ("[services.rail_sea_cq]\nfamily = []", "services.rail_sea_cq.family", "a string"),
        ("[services.rail_sea_cq]\npath = []", "services.rail_sea_cq.path", "2 to 100"),
        ("[demand.flows.cq_sg]\nsize_teu = [1e-6]", "demand.flows.cq_sg.size_teu", "[0.1, 1000]"),
        ("[demand.flows.cq_sg]\nteu_per_year = 1e300", "demand.flows.cq_sg.teu_per_year", "TEU"),
        ("[demand.flows.cq_sg]\nsize_p = [0.5, 0.6]", "demand.flows.cq_sg.size_p", "sum to 1"),
        ("[demand.flows.cq_sg]\nsize_p = [1]", "demand.flows.cq_sg.size_p", "2 probabilities"),
        ("[demand.flows.cq_sg]\nseasonality = [1, 2]", "demand.flows.cq_sg.seasonality", "12"),
        ("[demand.flows.cq_sg]\norigin = 'chongqing'", "demand.flows.cq_sg.origin", "unknown node"),
        ("[facilities.hanoi]\nlanes = 2", "facilities.hanoi", "is a city"),
        ("[facilities.youyiguan]\nlanes = 0", "facilities.youyiguan.lanes", "[1, 10000]"),
        (
            "[facilities.youyiguan]\nopening_hours = '9-5'",
            "facilities.youyiguan.opening_hours",
            "HH",
        ),
        ("[disruptions.d]\ntarget = 'youyiguan'\nstart = 2019-02-01", "disruptions.d", "one of"),
        (
            "[disruptions.d]\ntarget = 'hanoi'\nstart = 2021-01-01\ndays = 2",
            "disruptions.d.start",
            "overlap",
        ),
        ("log = 3", "log", "a table"),
    ],
)
def test_each_rule_is_reported_with_its_key(tmp_path, extra, column, rule):
    # A repeated table header is invalid TOML, so the extra keys go into a child file.
    [problem] = problems(child_of_base(tmp_path, extra))
    assert (problem.file, problem.column) == (str(tmp_path / "child.toml"), column)
    assert rule in problem.rule


def test_timetable_service_needs_times_or_per_day(tmp_path):
    path = write(tmp_path, "s.toml", BASE.replace("per_day = 2\n", ""))
    rule = "a timetable service needs times or per_day"
    assert problems(path) == [Problem(str(path), rule, column="services.rail_sea_cq")]


def test_invalid_toml_missing_file_and_missing_network(tmp_path):
    broken = write(tmp_path, "broken.toml", 'name = "x"\nseed = \n')
    [problem] = problems(broken)
    assert problem.file == str(broken) and problem.rule.startswith("is not valid TOML (")
    assert problems(tmp_path / "nope.toml") == [
        Problem(str(tmp_path / "nope.toml"), "scenario file not found")
    ]
    [problem] = problems(write(tmp_path, "s.toml", BASE.replace(NET, "../no_such_network")))
    assert (problem.column, problem.value) == ("network", "../no_such_network")
    assert problem.rule == f"network folder not found: {tmp_path / '../no_such_network'}"
