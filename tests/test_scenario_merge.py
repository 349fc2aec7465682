"""Scenario inheritance and overrides: extends chains, --set options, provenance, diffs."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from conftest import NETWORK_DIR
from hypothesis import given, settings
from hypothesis import strategies as st
from test_scenario_load import BASE, NET, write

from sim.errors import NetworkError, Problem, ScenarioError
from sim.scenario import load_scenario, parse_set_options, scenario_diff
from sim.scenario.merge import flatten, merge

PARENT = """
extends = "root.toml"
name = "parent"
description = "the parent"
seed = 2

[services.rail_sea_cq]
capacity_teu = 60
days = ["fri"]

[demand]
scale = 2.0
"""

CHILD = """
extends = "parent.toml"
name = "child"

[services.rail_sea_cq]
per_day = 4

[demand.flows.cq_sg]
chain_family = "rail_sea"
"""


@pytest.fixture
def chain(tmp_path: Path) -> Path:
    write(tmp_path, "root.toml", BASE)
    write(tmp_path, "parent.toml", PARENT)
    return write(tmp_path, "child.toml", CHILD)


def test_merge_tables_recursively_and_replace_scalars_and_arrays():
    base = {"a": {"x": 1, "y": [1, 2], "t": {"k": 1}}, "b": 1, "c": {"z": 1}}
    child = {"a": {"y": [3], "t": {"j": 2}}, "b": {"now": "a table"}, "c": 5}
    assert merge(base, child) == {
        "a": {"x": 1, "y": [3], "t": {"k": 1, "j": 2}},
        "b": {"now": "a table"},
        "c": 5,
    }
    assert base == {"a": {"x": 1, "y": [1, 2], "t": {"k": 1}}, "b": 1, "c": {"z": 1}}


def test_extends_chain_merges_grandparent_parent_child(chain, tmp_path):
    sc = load_scenario(chain)
    assert sc.files == tuple(
        str((tmp_path / f"{n}.toml").resolve()) for n in ("root", "parent", "child")
    )
    assert (sc.name, sc.description, sc.seed) == ("child", "the parent", 2)
    rail = sc.services["rail_sea_cq"]
    assert rail.capacity_teu == 60.0  # parent
    assert rail.days == (4,)  # parent's array replaced the root's, not appended
    assert rail.times_h == (3.0, 9.0, 15.0, 21.0)  # child: per_day = 4
    assert rail.path == ("cq_tuanjiecun", "guiyang", "nanning", "qinzhou_port")  # root
    assert sc.flows["cq_sg"].teu_per_year == 40000.0  # root's TEU x parent's scale
    assert sc.services["ship_qz_sg"].times_h == (8.5, 20.0)  # root only
    assert "extends" not in sc.data
    assert sc.data["services"]["rail_sea_cq"] == {
        "family": "rail_sea",
        "vehicle": "train",
        "path": ["cq_tuanjiecun", "guiyang", "nanning", "qinzhou_port"],
        "capacity_teu": 60,
        "per_day": 4,
        "days": ["fri"],
    }


def test_extends_cycle_is_refused_naming_the_chain(tmp_path):
    a = write(tmp_path, "a.toml", 'extends = "b.toml"\nname = "a"\n')
    write(tmp_path, "b.toml", 'extends = "a.toml"\nname = "b"\n')
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(a)
    [problem] = excinfo.value.problems
    a_name, b_name = str(tmp_path / "a.toml"), str(tmp_path / "b.toml")
    assert problem.rule == f"extends makes a cycle: {a_name} -> {b_name} -> {a_name}"
    assert (problem.file, problem.column, problem.value) == (b_name, "extends", "a.toml")
    me = write(tmp_path, "me.toml", 'extends = "me.toml"\n')
    with pytest.raises(ScenarioError, match="cycle"):
        load_scenario(me)


def test_missing_parent_names_the_child_and_extends(tmp_path):
    child = write(tmp_path, "child.toml", 'extends = "nowhere.toml"\n')
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(child)
    [problem] = excinfo.value.problems
    assert (problem.file, problem.column, problem.value) == (str(child), "extends", "nowhere.toml")
    assert problem.rule == f"parent scenario file not found: {tmp_path / 'nowhere.toml'}"


def test_problem_is_reported_against_the_file_that_set_the_value(chain, tmp_path):
    parent = write(
        tmp_path, "parent.toml", PARENT.replace("capacity_teu = 60", "capacity_teu = -5")
    )
    write(tmp_path, "root.toml", BASE.replace('name = "base"', "name = 'base'\ncolour = 'red'"))
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(chain)
    assert set(excinfo.value.problems) == {
        Problem(
            str(parent),
            "must be in (0, 100000] TEU",
            column="services.rail_sea_cq.capacity_teu",
            value=-5,
        ),
        Problem(str(tmp_path / "root.toml"), "unknown key", column="colour", value="red"),
    }


def test_overrides_apply_last_and_are_recorded(chain):
    overrides = {
        "services.rail_sea_cq.capacity_teu": 80,
        "demand.scale": 1.0,
        "log.events": False,
        "horizon.end": dt.date(2019, 7, 1),
        "services.ship_qz_sg": {"times": ["06:00"], "cutoff_h": 6},
    }
    sc = load_scenario(chain, overrides=overrides)
    assert sc.services["rail_sea_cq"].capacity_teu == 80.0
    assert sc.services["rail_sea_cq"].times_h == (3.0, 9.0, 15.0, 21.0)
    assert sc.flows["cq_sg"].teu_per_year == 20000.0
    assert sc.log_events is False
    assert sc.horizon.end == dt.date(2019, 7, 1)
    ship = sc.services["ship_qz_sg"]
    assert (ship.times_h, ship.cutoff_h, ship.capacity_teu) == ((6.0,), 6.0, 1000.0)
    assert dict(sc.overrides) == overrides
    assert sc.data["log"] == {"events": False}


def test_times_and_per_day_from_different_files_the_later_one_wins(chain, tmp_path):
    write(tmp_path, "child.toml", CHILD.replace("per_day = 4", "times = ['07:00']"))
    sc = load_scenario(chain)
    assert sc.services["rail_sea_cq"].times_h == (7.0,)  # the child's times beat root's per_day
    sc = load_scenario(chain, overrides={"services.ship_qz_sg.per_day": 1})
    assert sc.services["ship_qz_sg"].times_h == (12.0,)  # the override beats the file's times


def test_bad_overrides_are_reported_as_set_options(chain):
    overrides = {
        "services.nope.capacity_teu": 3,
        "services.rail_sea_cq.capacity_teu": -1,
        "seed.deeper": 1,
        "horizon": {"start": 2019},
        "horizon.end": dt.date(2019, 6, 1),
    }
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(chain, overrides=overrides)
    assert {p.file for p in excinfo.value.problems} == {"--set"}
    rules = {p.column: p.rule for p in excinfo.value.problems}
    assert rules == {
        "services.nope.capacity_teu": "unknown service 'nope'",
        "services.rail_sea_cq.capacity_teu": "must be in (0, 100000] TEU",
        "seed.deeper": "cannot set a key inside 'seed': not a table",
        "horizon.end": "conflicts with override 'horizon'",
        "horizon.start": "must be a date (YYYY-MM-DD)",
    }
    with pytest.raises(ScenarioError, match="did you mean 'ship_qz_sg'"):
        load_scenario(chain, overrides={"services.ship_qz_sq.per_day": 2})


def test_parse_set_options_reads_toml_values_or_keeps_strings():
    items = ["a=3", "b=1.5", "c=true", 'd="x"', "e=[1,2]", "f=hello world", "g=2019-02-01"]
    assert parse_set_options([*items, "h = 7", "i=a=b", "j="]) == {
        "a": 3,
        "b": 1.5,
        "c": True,
        "d": "x",
        "e": [1, 2],
        "f": "hello world",
        "g": dt.date(2019, 2, 1),
        "h": 7,
        "i": "a=b",
        "j": "",
    }
    assert parse_set_options([]) == {}


def test_parse_set_options_refuses_repeats_and_missing_equals():
    with pytest.raises(ScenarioError) as excinfo:
        parse_set_options(["seed=1", "demand.scale", "seed=2", "=3"])
    assert set(excinfo.value.problems) == {
        Problem("--set", "must be key=value", column="demand.scale", value="demand.scale"),
        Problem("--set", "is given twice", column="seed", value="seed=2"),
        Problem("--set", "must be key=value", value="=3"),
    }


def test_set_options_feed_load_scenario(chain):
    overrides = parse_set_options(["services.rail_sea_cq.per_day=1", "name=from the command line"])
    sc = load_scenario(chain, overrides=overrides)
    assert sc.services["rail_sea_cq"].times_h == (12.0,)
    assert sc.name == "from the command line"


def test_scenario_diff_lists_changed_keys(chain, tmp_path):
    base = load_scenario(tmp_path / "root.toml")
    alt = load_scenario(chain, overrides={"replications": 5})
    assert scenario_diff(base, alt) == [
        ("demand.scale", 1.5, 2.0),
        ("description", None, "the parent"),
        ("name", "base", "child"),
        ("replications", None, 5),
        ("seed", None, 2),
        ("services.rail_sea_cq.capacity_teu", 50, 60),
        ("services.rail_sea_cq.days", ["thu", "mon", "mon"], ["fri"]),
        ("services.rail_sea_cq.per_day", 2, 4),
    ]
    assert scenario_diff(alt, alt) == []


keys = st.sampled_from(["a", "b", "c", "d", "e", "f", "g"])
scalars = st.booleans() | st.integers() | st.text(max_size=3) | st.lists(st.integers(), max_size=3)
tables = st.recursive(
    st.dictionaries(keys, scalars, max_size=3),
    lambda inner: st.dictionaries(keys, inner | scalars, max_size=3),
    max_leaves=8,
)


@given(tables, tables)
def test_merge_with_disjoint_keys_keeps_every_key(a, b):
    b = {k: v for k, v in b.items() if k not in a}
    merged = merge(a, b)
    assert merged.keys() == a.keys() | b.keys()
    assert flatten(merged) == {**flatten(a), **flatten(b)}


@given(tables, tables)
def test_merge_child_always_wins(a, b):
    merged = flatten(merge(a, b))
    for key, value in flatten(b).items():
        assert merged[key] == value
    assert merge(a, {}) == a and merge({}, b) == b


def test_broken_network_raises_network_error(tmp_path, network_copy):
    (network_copy / "links.csv").write_text("id,from\n", encoding="utf-8")
    text = BASE.replace(NET, network_copy.as_posix())
    with pytest.raises(NetworkError):
        load_scenario(write(tmp_path, "s.toml", text))


def test_network_path_is_relative_to_the_file_that_set_it(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    relative = os.path.relpath(NETWORK_DIR, tmp_path / "a")
    write(tmp_path / "a", "parent.toml", BASE.replace(NET, Path(relative).as_posix()))
    child = write(tmp_path / "a" / "b", "child.toml", 'extends = "../parent.toml"\nname = "c"\n')
    sc = load_scenario(child)
    assert Path(sc.network.path).resolve() == NETWORK_DIR.resolve()


@pytest.fixture(scope="module")
def base_file(tmp_path_factory) -> Path:
    return write(tmp_path_factory.mktemp("base"), "base.toml", BASE)


@settings(max_examples=25, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["rail_sea_cq", "ship_qz_sg", "truck_hanoi"]),
        st.floats(min_value=2.0, max_value=1e4, exclude_min=True) | st.integers(3, 10_000),
        min_size=1,
    )
)
def test_capacity_overrides_reach_the_services(base_file, capacities):
    overrides = {f"services.{sid}.capacity_teu": cap for sid, cap in capacities.items()}
    sc = load_scenario(base_file, overrides=overrides)
    for sid, cap in capacities.items():
        assert sc.services[sid].capacity_teu == float(cap)
    assert dict(sc.overrides) == overrides
