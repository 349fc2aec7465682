"""Paired comparisons on common random numbers: narrower intervals, and a planner's summary."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from conftest import ROOT

import sim
from sim.comparisons import headline_kpis

EXAMPLE = ROOT / "scenarios" / "example.toml"


def test_common_random_numbers_narrow_the_interval_of_a_difference():
    base = sim.load_scenario(EXAMPLE)
    alt = sim.load_scenario(EXAMPLE, overrides={"demand.scale": 1.1})
    result = sim.compare(base, alt, n=12, seed=4, jobs=2)
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


def test_compare_command_reads_like_a_summary(tmp_path):
    alt = tmp_path / "alt.toml"
    alt.write_text(
        f'extends = "{EXAMPLE.as_posix()}"\nname = "road_shut"\n'
        '[disruptions.shut]\ntarget = "youyiguan"\nstart = 2019-02-01\ndays = 20.0\n'
    )
    cmd = [
        sys.executable,
        "-m",
        "sim",
        "compare",
        str(EXAMPLE),
        str(alt),
        "--replications",
        "4",
        "--jobs",
        "2",
    ]
    out = subprocess.run(cmd, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "disruptions.shut.target: (not set) -> 'youyiguan'" in out.stdout
    assert "border_wait_h.youyiguan.mean" in out.stdout and "yes" in out.stdout
    data = json.loads(subprocess.run([*cmd, "--json"], capture_output=True, text=True).stdout)
    assert {"base", "alt", "replications", "seed", "changes", "kpis"} <= set(data)
    wait = next(r for r in data["kpis"] if r["kpi"] == "border_wait_h.youyiguan.mean")
    assert wait["diff_ci_low"] > 0 and wait["alt_mean"] > wait["base_mean"]
