"""``corridor-sim run``: headline KPIs, the output folder, and one clear error for bad scenarios."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import ROOT

from sim.results.tables import fast_format, read_table

EXAMPLE = str(ROOT / "scenarios" / "example.toml")


def test_run_prints_headline_and_writes_the_folder(cli, tmp_path):
    out = tmp_path / "run"
    res = cli("run", EXAMPLE, "--seed", "3", "--set", "demand.scale=0.5", "--out", str(out))
    assert res.returncode == 0, res.stderr
    answer = res.stdout.split("\nwrote")[0].strip().splitlines()
    assert len(answer) <= 15, res.stdout  # the answer first, in a dozen lines
    assert answer[2].startswith("Departures: rail-sea ") and "(load " in answer[2]
    assert "Door to door, Chongqing Tuanjiecun → Singapore by rail-sea: " in res.stdout
    assert "Longest border wait, Youyiguan / Huu Nghi: mean " in res.stdout
    res = cli("run", EXAMPLE, "--seed", "3", "--set", "demand.scale=0.5", "--all")
    assert "departures" in res.stdout and "cq_tuanjiecun → singapore" in res.stdout
    kpis = json.loads((out / "kpis.json").read_text())
    # The parts of the trip, in hours, add up to the door-to-door mean of each headline chain.
    parts = res.stdout.split("Parts of the trip")[1].split("\n\n")[0].splitlines()[3:]
    assert parts and all("singapore" in r or "hanoi" in r for r in parts)
    for row in parts:
        *numbers, total = (float(x) for x in row.split()[4:])
        assert sum(numbers) == pytest.approx(total, abs=0.1 * len(numbers))
    manifest = json.loads((out / "manifest.json").read_text())
    assert kpis["departures.rail_sea"] > 0 and kpis["teu.created"] > 0
    assert manifest["seed"] == 3 and manifest["overrides"] == {"demand.scale": 0.5}
    assert manifest["files"][0]["path"].endswith("example.toml")
    assert len(manifest["files"][0]["sha256"]) == 64
    assert "arrivals:cq_hanoi_road" in manifest["streams"]
    events = read_table(out / f"events.{fast_format()}")  # tables load back fast by default
    assert list(events) == ["consignment", "activity", "time_h", "node", "service", "vehicle"]
    assert not list(out.glob(".*.tmp"))  # no temporary file left behind
    again = tmp_path / "again"
    res = cli("run", EXAMPLE, "--seed", "3", "--set", "demand.scale=0.5", "--out", again)
    assert res.returncode == 0, res.stderr
    assert json.loads((again / "kpis.json").read_text()) == kpis  # same seed, same numbers


@pytest.mark.parametrize("fmt", ["csv", "npz", "parquet"])
def test_every_table_format_loads_back_the_same_run(cli, tmp_path, fmt):
    from sim.experiments.single import run
    from sim.results.load import load_run
    from sim.scenario import load_scenario

    pytest.importorskip("pyarrow") if fmt == "parquet" else None
    out = tmp_path / fmt
    res = cli("run", EXAMPLE, "--seed", "4", "--table-format", fmt, "--out", out)
    assert res.returncode == 0, res.stderr
    assert {p.suffix for p in out.glob("*s.*") if p.stem != "kpis"} == {f".{fmt}"}
    back = load_run(out)
    res = run(load_scenario(EXAMPLE), 4)
    assert set(back.tables) == set(res.tables)
    for name, table in res.tables.items():
        for column, values in table.items():
            assert back.tables[name][column].dtype.kind == values.dtype.kind, (name, column)
            assert np.array_equal(
                back.tables[name][column], values, equal_nan=values.dtype.kind == "f"
            )
    assert back.kpis() == res.kpis()


BAD = """name = "bad"
network = "{net}"
extends = "{parent}"
colour = "red"
[horizon]
start = 2019-01-01
end = 2019-02-01
[services.train]
family = "rail_sea"
vehicle = "train"
path = ["cq_tuanjiecun", "atlantis"]
capacity_teu = -5.0
per_day = true
[demand.flows.f]
origin = "cq_tuanjiecun"
destination = "qinzhou_port"
direction = "southbound"
teu_per_year = 100.0
chain = ["train"]
chain_family = "rail_sea"
"""


def test_bad_scenario_exits_2_naming_every_problem(cli, tmp_path):
    net = (ROOT / "networks" / "chongqing_asean").as_posix()
    (tmp_path / "parent.toml").write_text('name = "parent"\nextends = "bad.toml"\n')
    bad = tmp_path / "bad.toml"
    bad.write_text(BAD.format(net=net, parent="parent.toml"))
    res = cli("run", str(bad))
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "extends" in res.stderr and "cycle" in res.stderr  # bad -> parent -> bad
    bad.write_text(BAD.format(net=net, parent="").replace('extends = ""\n', ""))
    res = cli("run", str(bad))
    assert res.returncode == 2 and "Traceback" not in res.stderr
    for fragment in (
        "colour: unknown key",
        "services.train.path: unknown node, got 'atlantis'",
        "services.train.capacity_teu: must be in (0, 100000] TEU",
        "services.train.per_day",
    ):
        assert fragment in res.stderr, (fragment, res.stderr)
    assert str(bad) in res.stderr
    assert "ends at 'atlantis'" not in res.stderr  # no knock-on error from the unknown node


def test_set_without_equals_is_a_clear_error(cli):
    res = cli("run", EXAMPLE, "--set", "seed")
    assert res.returncode == 2 and "--set" in res.stderr and "Traceback" not in res.stderr


def test_kpi_patterns_pick_the_kpis_of_a_run_and_of_replications(cli, tmp_path):
    one = cli("run", EXAMPLE, "--kpi", "departures.r*", "--kpi", "teu.created")
    assert one.returncode == 0, one.stderr
    rows = one.stdout.split("\n\n", 1)[1].splitlines()
    assert rows[0].split() == ["kpi", "value"]
    assert [r.split()[0] for r in rows[2:]] == [
        *("departures.rail_sea", "departures.river", "departures.road", "teu.created")
    ]
    none = cli("run", EXAMPLE, "--kpi", "nomatch*")
    assert none.stdout.rstrip().endswith("no KPI matches nomatch*")
    out = tmp_path / "reps"
    reps = cli("run", EXAMPLE, "--replications", "2", "--jobs", "1", "--kpi", "departures.road")
    heading, table = reps.stdout.split("\n\n")
    assert heading == "example: 2 replications (seed 1); mean [95% CI]"
    name, mean, low, high = table.splitlines()[2].split()
    assert name == "departures.road" and float(low) <= float(mean) <= float(high)
    every = cli("run", EXAMPLE, "--replications", "2", "--jobs", "1", "--all", "--out", out)
    assert every.returncode == 0, every.stderr
    assert every.stdout.count("\n") > 100  # every KPI, one a line
    assert f"wrote {out}/ (kpis.json with mean and 95% CI" in every.stdout
    summary = json.loads((out / "kpis.json").read_text(encoding="utf-8"))
    assert summary["departures.road"]["mean"] == pytest.approx(float(mean))


def test_out_that_is_a_file_is_refused_before_the_run(cli, tmp_path):
    a_file = tmp_path / "notes.txt"
    a_file.write_text("keep me", encoding="utf-8")
    res = cli("run", EXAMPLE, "--out", a_file)
    assert res.returncode == 2 and f"--out {a_file}: exists and is not a folder" in res.stderr
    assert a_file.read_text(encoding="utf-8") == "keep me" and res.stdout == ""
