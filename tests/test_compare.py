"""Paired comparisons on common random numbers: narrower intervals, and a planner's summary."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from conftest import ROOT

import sim
from sim.experiments.comparisons import headline_kpis

EXAMPLE = ROOT / "scenarios" / "example.toml"


def test_common_random_numbers_narrow_the_interval_of_a_difference():
    base = sim.load_scenario(EXAMPLE)
    alt = sim.load_scenario(EXAMPLE, overrides={"demand.scale": 1.1})
    result = sim.compare(base, alt, n=12, seed=4, workers=sim.Workers(jobs=2))
    for kpi in ("teu.created", "departures.road", "departures.rail_sea"):
        row = result.row(kpi)
        paired = result.alt.values(kpi) - result.base.values(kpi)
        independent = result.independent.values(kpi) - result.base.values(kpi)
        assert np.std(paired, ddof=1) < np.std(independent, ddof=1), kpi
        assert row["variance_reduction"] > 1.5, (kpi, row["variance_reduction"])
    for kpi in ("teu.created", "departures.road"):  # 10% more trucks: sure, thanks to the pairing
        assert result.row(kpi)["significant"] and result.row(kpi)["diff_mean"] > 0
    assert result.row("teu.created")["rel_change"] == pytest.approx(0.1, abs=0.03)
    assert result.changes == [("demand.scale", None, 1.1)]


def test_headline_kpis_leave_out_per_service_counts_and_breakdowns():
    names = [
        "departures.rail_sea",
        "departures.service.x",
        "breakdown_h.a.b.road.moving",
        "door_to_door_h.a.b.road.mean",
        "door_to_door_h.a.b.road.p50",
        "co2_kg_per_teu.road",
    ]
    assert headline_kpis(names) == ["departures.rail_sea", "door_to_door_h.a.b.road.mean"]


def test_compare_command_reads_like_a_summary(cli, tmp_path):
    alt = tmp_path / "alt.toml"
    alt.write_text(
        f'extends = "{EXAMPLE.as_posix()}"\nname = "road_shut"\n'
        '[disruptions.shut]\ntarget = "youyiguan"\nstart = 2019-02-01\ndays = 20.0\n'
    )
    cmd = ["compare", EXAMPLE, alt, "--replications", "4", "--jobs", "2"]
    out = cli(*cmd, "--out", tmp_path / "cmp")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert len(lines) <= 15, out.stdout  # the answer first, in a dozen lines
    assert "Changes: Youyiguan / Huu Nghi closed from 2019-02-01 to 2019-02-21" in out.stdout
    wait = next(line for line in lines if line.startswith("Youyiguan / Huu Nghi: mean wait"))
    assert "→" in wait and "[" in wait
    # Resumed from the folder: nothing runs again, the same answer comes back.
    again = cli(*cmd, "--out", tmp_path / "cmp")
    assert again.stdout.splitlines()[:-1] == out.stdout.splitlines()[:-1]
    assert json.loads((tmp_path / "cmp" / "comparison.json").read_text())["replications"] == 4
    table = cli(*cmd, "--kpi", "border_wait_h.youyiguan.*")
    rows = [r for r in table.stdout.splitlines() if r.startswith("border_wait_h.")]
    assert {r.split()[0] for r in rows} == {
        "border_wait_h.youyiguan.mean",
        "border_wait_h.youyiguan.p90",
    }
    none = cli(*cmd, "--kpi", "nomatch*")
    assert "no KPI matches" in none.stdout and "border_wait_h" not in none.stdout
    text = cli(*cmd, "--json").stdout
    data = json.loads(text, parse_constant=lambda c: pytest.fail(f"{c} is not JSON"))
    assert {"base", "alt", "replications", "seed", "changes", "kpis"} <= set(data)
    wait = next(r for r in data["kpis"] if r["kpi"] == "border_wait_h.youyiguan.mean")
    assert wait["diff_ci_low"] > 0 and wait["alt_mean"] > wait["base_mean"]


def test_compare_a_scenario_with_itself_moves_nothing(cli, tmp_path):
    same = tmp_path / "same.toml"
    same.write_text(f'extends = "{EXAMPLE.as_posix()}"\nname = "same"\n', encoding="utf-8")
    cmd = ("compare", EXAMPLE, same, "--replications", "3", "--jobs", "1", "--no-independent")
    out = cli(*cmd, "--out", tmp_path / "cmp", "--plot", tmp_path / "forest.png")
    assert out.returncode == 0, out.stderr
    assert "\nChanges: nothing\nNo headline figure moved beyond its noise.\n" in out.stdout
    assert f"wrote {tmp_path / 'forest.png'}" in out.stdout
    assert f"wrote {tmp_path / 'cmp'}/ (base/ and alt/ runs, comparison.json)" in out.stdout
    assert sorted(p.name for p in (tmp_path / "cmp").iterdir()) == [
        *("alt", "base", "comparison.json")
    ]  # --no-independent: no third set of runs
    data = json.loads((tmp_path / "cmp" / "comparison.json").read_text(encoding="utf-8"))
    # The same seeds give the same runs: every difference is 0, none is sure.
    assert all(r["diff_mean"] == 0 or r["n"] == 0 for r in data["kpis"])
    assert not any(r["significant"] for r in data["kpis"])
    assert (tmp_path / "forest.png").read_bytes()[:4] == b"\x89PNG"
    # --set changes the alternative; --json with --plot still prints JSON alone.
    scaled = (*cmd, "--set", "demand.scale=1.1")
    data = json.loads(
        cli(*scaled, "--kpi", "teu.created", "--json", "--plot", tmp_path / "t.png").stdout
    )
    assert [c["alt"] for c in data["changes"] if c["key"] == "demand.scale"] == [1.1]
    (row,) = data["kpis"]
    assert row["kpi"] == "teu.created" and row["significant"] and row["diff_mean"] > 0
    assert (tmp_path / "t.png").is_file()
    table = cli(*scaled, "--all").stdout.splitlines()
    assert table[2] == "KPIs (every KPI), largest relative change first"
    relative = [abs(float(m[1])) for line in table[5:] if (m := re.search(r" ([+-][\d.]+)%", line))]
    assert relative == sorted(relative, reverse=True) and len(relative) > 50


class _Named:
    name = "made up"


def _comparison(base_rows, alt_rows):
    from sim.experiments.comparisons import Comparison
    from sim.experiments.replications import Replications

    n = len(base_rows)
    return Comparison(
        Replications(_Named(), 0, range(n), base_rows),
        Replications(_Named(), 0, range(n), alt_rows),
    )


def test_comparison_statistics_have_known_answers():
    t2 = 4.303  # Student t(0.975, 2 degrees of freedom)
    c = _comparison(
        [
            {"a": 1.0, "b": 10.0, "z": 0.0},
            {"a": 2.0, "b": 11.0, "z": 0.0},
            {"a": 3.0, "b": 12.0, "z": 0.0},
        ],
        [
            {"a": 2.0, "b": 11.0, "z": 5.0},
            {"a": 4.0, "b": 12.0, "z": 6.0},
            {"a": 6.0, "b": 13.0, "z": 7.0},
        ],
    )
    a = c.row("a")  # differences 1, 2, 3: mean 2, sd 1
    assert a["diff_mean"] == 2.0 and a["n"] == 3
    assert a["diff_ci_low"] == pytest.approx(2 - t2 / np.sqrt(3), abs=1e-3)
    assert not a["significant"]  # the interval [-0.48, 4.48] holds 0
    assert np.isnan(a["rel_change"])  # the base's own interval holds 0: no relative change
    b = c.row("b")  # differences all 1: sure; base 11 clearly not 0
    assert b["significant"] and b["rel_change"] == pytest.approx(1 / 11)
    z = c.row("z")  # from a base of 0: a change, but no relative change
    assert z["significant"] and z["diff_mean"] == 6.0 and np.isnan(z["rel_change"])


def test_kpis_with_no_observation_are_not_zero():
    c = _comparison(
        [{"w.mean": 4.0, "closed_h.x": 5.0}, {"w.mean": 6.0}, {}],
        [{"w.mean": 5.0, "closed_h.x": 5.0}, {}, {"closed_h.x": 1.0}],
    )
    w = c.row("w.mean")  # a mean: only the first replication has it on both sides
    assert w["n"] == 1 and w["diff_mean"] == 1.0 and not w["significant"]
    assert (w["base_mean"], w["alt_mean"]) == (4.0, 5.0)  # both means over the same pairs
    assert c.base.summary("w.mean")["mean"] == 5.0 and c.base.summary("w.mean")["n"] == 2
    closed = c.row("closed_h.x")  # a total: 0 where a replication has none
    assert closed["base_mean"] == pytest.approx(5 / 3) and closed["n"] == 3
    empty = _comparison([{}, {}], [{}, {}]).row("d.mean")
    assert empty["n"] == 0 and np.isnan(empty["diff_mean"]) and not empty["significant"]


def test_a_key_the_base_does_not_set_reads_as_the_models_default():
    from types import SimpleNamespace

    from sim.answers.compare_answer import _changes

    sc = sim.load_scenario(ROOT / "scenarios" / "example.toml")
    comparison = SimpleNamespace(
        alt=SimpleNamespace(scenario=sc), changes=[("demand.scale", None, 1.1)]
    )
    assert _changes(comparison) == ["demand.scale: (not set: the model's default) → 1.1"]
