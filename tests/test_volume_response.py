"""Counts that follow volume: the elasticity check and the calibration, with answers known ahead.

On the tiny network of ``tiny.py`` arrivals are regular (1 TEU every 2 h at scale 1: 168 TEU in
the two weeks), so the number of trains each rule runs is worked out by hand below.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
import tiny
from conftest import ROOT
from tiny import EVERY_2H, write_scenario

import sim
from sim.cli import main
from sim.experiments.calibration import (
    CalibrationResult,
    calibrate,
    load_calibration,
    write_calibrated,
)
from sim.experiments.elasticity import ElasticityCheck, elasticity, load_elasticity_check

TRAIN = {**tiny.TRAIN, "capacity_teu": 10.0}
RAIL_ONLY = ElasticityCheck(families=("rail_sea",), checked=("rail_sea",))


def _scenario(tmp_path: Path, **train) -> sim.Scenario:
    tables = {"demand.flows.f": EVERY_2H, "services.train": {**TRAIN, **train}}
    return sim.load_scenario(write_scenario(tmp_path, tables))


def test_a_train_that_leaves_only_when_full_follows_the_freight_exactly(tmp_path):
    # Only full trains run: 10 TEU each whatever the volume, so trains = TEU / 10 at x0.5, x1, x2
    # and the log-log slope is exactly 1.
    sc = _scenario(tmp_path, dispatch="when_full", min_load_share=1.0, max_wait_h=1.0)
    rep = elasticity(sc, RAIL_ONLY, n=2, workers=sim.Workers(jobs=1))
    (row,) = rep.rows
    assert row["teu_per_departure"] == [10.0, 10.0, 10.0]
    assert row["departures"] == [8.0, 16.0, 33.0]
    # against the demand scale: the regular arrivals fit one more full train in at x2
    assert row["slope"] == pytest.approx(np.polyfit(np.log([0.5, 1, 2]), np.log([8, 16, 33]), 1)[0])
    assert row["slope"] == pytest.approx(1.0, abs=0.03)
    assert row["status"] == "pass" and rep.ok


def test_a_train_on_a_clock_does_not_follow_the_freight_and_fails(tmp_path):
    # A train that never fills leaves 24 h after its first box, then waits for the next box: a
    # train every 28 h at x0.5 (a box every 4 h), 25 h at x1, 24.5 h at x2 -- 12, 12 and 13 in
    # the two weeks (the last clock runs past the end), whatever they carry.
    sc = _scenario(tmp_path, dispatch="when_full", capacity_teu=1000.0, max_wait_h=24.0)
    rep = elasticity(sc, RAIL_ONLY, n=2, workers=sim.Workers(jobs=1))
    (row,) = rep.rows
    assert row["departures"] == [12.0, 12.0, 13.0]
    assert row["slope"] < 0.1
    assert row["load_change_rel"][0] == pytest.approx(84 / 12 / 13 - 1)  # 7 TEU a train, not 13
    assert row["status"] == "fail" and not rep.ok


@pytest.mark.slow
def test_the_2019_corridor_counts_follow_its_volume():
    sc = sim.load_scenario(ROOT / "scenarios" / "baseline_2019.toml")
    rep = elasticity(sc, n=2, seed=7)
    slopes = {r["family"]: r["slope"] for r in rep.rows}
    assert 0.9 <= slopes["rail_sea"] <= 1.1
    assert 0.9 <= slopes["road"] <= 1.1


def _calibration_files(tmp_path: Path, trains: float) -> Path:
    scenario = write_scenario(
        tmp_path,
        {
            "demand.flows.f": EVERY_2H,
            "services.train": {**TRAIN, "dispatch": "when_full", "max_wait_h": 1.0},
            "service_defaults.rail_sea": {"min_load_share": 0.3},
        },
    )
    (tmp_path / "targets.toml").write_text(
        "year = 2019\n[[targets]]\n"
        f'id = "trains"\nkpi = "departures.rail_sea"\nvalue = {trains}\n'
        'relation = "about"\ntolerance_rel = 0.05\nsource = "test"\n',
        encoding="utf-8",
    )
    spec = tmp_path / "calibration.toml"
    spec.write_text(
        f'write_to = "{scenario.name}"\n'
        "[parameters.share]\n"
        'keys = ["service_defaults.rail_sea.min_load_share"]\n'
        'low = 0.2\nhigh = 1.0\nreason = "test"\n'
        f'[[cases]]\nscenario = "{scenario.name}"\ntargets = "targets.toml"\nfit = ["trains"]\n',
        encoding="utf-8",
    )
    return spec


def test_calibration_finds_the_minimum_load_that_gives_the_target_count(tmp_path):
    # A train leaves 1 h after its first box once it holds ceil(10 x share) TEU, one box every
    # 2 h: 28 trains in 336 h take 6 TEU each, i.e. a share in (0.5, 0.6].
    spec = _calibration_files(tmp_path, trains=28.0)
    result = calibrate(spec, points=5, rounds=4, n=1, workers=sim.Workers(jobs=1))
    assert 0.5 < result.best["share"] <= 0.6
    assert result.objective == 0.0
    shares = [row["share"] for row in result.tried]
    assert len(shares) == len(set(shares)) < 5 * 4  # a point tried before is not run again
    tried = result.table()
    assert tried.columns == ["round", "share", "objective"] and list(tried["share"]) == shares
    (row,) = result.fit
    assert (row["target"], row["mean"]) == ("trains", 28.0)
    written = write_calibrated(result)
    text = written.read_text(encoding="utf-8")
    assert f"min_load_share = {result.best['share']!r}   # CALIBRATED (share" in text
    assert "calibrated_to scenario trains" in text
    refit = sim.load_scenario(written)
    assert refit.services["train"].min_load_teu == pytest.approx(10 * result.best["share"])


def test_calibrate_command_prints_the_fit_table_and_writes_nothing_unless_asked(tmp_path, capsys):
    spec = _calibration_files(tmp_path, trains=28.0)
    before = (tmp_path / "scenario.toml").read_text(encoding="utf-8")
    code = main(["calibrate", str(spec), "--points", "3", "--rounds", "1", "--replications", "1"])
    out = capsys.readouterr().out
    assert code == 0
    assert "objective (sum of squared relative errors)" in out and "trains" in out
    assert "run again with --write" in out
    assert (tmp_path / "scenario.toml").read_text(encoding="utf-8") == before
    args = ["calibrate", str(spec), "--points", "3", "--rounds", "1", "--replications", "1"]
    assert main([*args, "--write", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["written_to"] == str((tmp_path / "scenario.toml").resolve())
    share = data["best"]["share"]
    assert f"min_load_share = {share!r}   # CALIBRATED" in Path(data["written_to"]).read_text()
    assert main([*args, "--write"]) == 0
    assert f"wrote the fitted values into {data['written_to']}" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("low = 0.2", "low = 2.0"), "parameters.share.high: must be > low (2)"),
        (('reason = "test"', 'reason = ""'), "parameters.share.reason: must say why"),
        (("low = 0.2", 'mode = "scale"\nlow = 0.2'), "parameters.share.mode: a parameter is set"),
        (('fit = ["trains"]', 'fit = ["nope"]'), "cases[0].fit: unknown target ids"),
        (("low = 0.2", 'low = "x"'), "parameters.share.low: must be a finite number"),
    ],
)
def test_a_bad_calibration_file_is_one_clear_error(tmp_path, capsys, edit, message):
    spec = _calibration_files(tmp_path, trains=28.0)
    spec.write_text(spec.read_text(encoding="utf-8").replace(*edit), encoding="utf-8")
    with pytest.raises(sim.SimError, match=re.escape(message)):
        load_calibration(spec)
    assert main(["calibrate", str(spec)]) == 2
    err = capsys.readouterr().err
    assert message in err and str(spec) in err and "Traceback" not in err


def test_the_shipped_calibration_writes_into_the_baseline_and_both_years_read_it(tmp_path):
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    shutil.copytree(ROOT / "networks", tmp_path / "networks")
    spec = load_calibration(tmp_path / "seeds" / "calibration.toml")
    assert spec.write_to == (tmp_path / "scenarios" / "baseline_2019.toml").resolve()
    assert len(spec.parameters) <= 3  # at most three calibrated parameters
    lows = {p.name: p.low + 0.0123 for p in spec.parameters}
    write_calibrated(CalibrationResult(spec, lows, 0.0, []))
    for year in (2019, 2018):  # one parameter set: 2018 inherits every value from 2019
        sc = sim.load_scenario(tmp_path / "scenarios" / f"baseline_{year}.toml")
        for p in spec.parameters:
            for key in p.keys:
                family = key.split(".")[1]
                svc = next(s for s in sc.services.values() if s.family == family)
                assert svc.min_load_teu == pytest.approx(lows[p.name] * svc.capacity_teu)


def test_a_bad_elasticity_table_is_refused_before_any_run(tmp_path, capsys):
    targets = tmp_path / "targets.toml"
    targets.write_text(
        "year = 2019\n[elasticity]\nfamilies = ['rail', 'road']\nchecked = ['sea']\n"
        "[[targets]]\nid = 'x'\nkpi = 'departures.road'\nvalue = 1.0\nrelation = 'about'\n"
        "tolerance_rel = 0.1\nsource = 'test'\n",
        encoding="utf-8",
    )
    with pytest.raises(sim.SimError) as err:
        load_elasticity_check(targets)
    assert "elasticity.families" in str(err.value) and "'rail'" in str(err.value)
    assert "elasticity.checked" in str(err.value)
    scenario = ROOT / "scenarios" / "baseline_2019.toml"
    assert main(["validate", str(scenario), "--targets", str(targets), "--replications", "1"]) == 2
    assert "elasticity.families" in capsys.readouterr().err


SHIP = {**tiny.WEEKLY_SHIP, "capacity_teu": 20.0}
#: About 15 TEU a week handed in at port c for d: three quarters of a weekly 20 TEU sailing.
BOXES = {
    "origin": "c",
    "destination": "d",
    "direction": "southbound",
    "teu_per_year": 782.0,
    "chain": ["ship"],
    "chain_family": "rail_sea",
    "arrivals": "regular",
}
SEA_CHECK = ElasticityCheck(
    families=("sea",),
    checked=(),
    door_to_door=("door_to_door_h.c.d.rail_sea.mean",),
)


def test_the_growth_check_sees_a_jam_with_supply_fixed_and_none_when_it_responds(tmp_path):
    # At x2 (30 TEU a week for 20 TEU of room) the fixed timetable falls 10 TEU a week behind:
    # about a third of the half-year's boxes are still waiting at the end, and they wait weeks.
    # The responding operator (reviews weekly, adds a sailing at once) keeps up.
    tables = {
        "horizon": {"start": "2019-01-07", "end": "2019-07-08"},
        "services.ship": {**SHIP, "respond_weeks": 1, "respond_lead_days": 0.0},
        "demand.flows.boxes": BOXES,
    }
    sc = sim.load_scenario(write_scenario(tmp_path, tables))
    rep = elasticity(sc, SEA_CHECK, n=2, workers=sim.Workers(jobs=1))
    rows = {(r["supply"], r["scale"]): r for r in rep.scale_rows}
    jammed, kept_up = rows[("fixed", 2.0)], rows[("responding", 2.0)]
    assert jammed["left_beyond_base_share"] > 0.25
    assert jammed["door_to_door_change_rel"]["door_to_door_h.c.d.rail_sea.mean"] > 1.0
    assert kept_up["left_beyond_base_share"] <= 0.02
    assert kept_up["door_to_door_change_rel"]["door_to_door_h.c.d.rail_sea.mean"] <= 0.25
    assert rep.jam_status == "pass" and rep.ok
    fixed_sea = rep.fixed_rows[0]
    assert fixed_sea["slope"] == pytest.approx(0.0, abs=1e-9)  # one sailing a week, whatever
    assert fixed_sea["status"] == "reported"
    assert rep.rows[0]["slope"] > 0.5  # sailings added as the freight grows
    # The same check on the fixed timetable alone: the jam fails it, with the reason.
    strict = ElasticityCheck(
        families=("sea",), checked=(), door_to_door=SEA_CHECK.door_to_door, left_max_share=0.0
    )
    slow = {**tables, "services.ship": {**SHIP, "respond_weeks": 52, "respond_lead_days": 365.0}}
    sc_slow = sim.load_scenario(write_scenario(tmp_path, slow))
    rep_slow = elasticity(sc_slow, strict, n=1, workers=sim.Workers(jobs=1))
    assert rep_slow.jam_status == "fail" and not rep_slow.ok
    assert any("left in the system beyond x1's share" in r for r in rep_slow.jam_reasons)
    assert any("door_to_door_h.c.d.rail_sea.mean" in r for r in rep_slow.jam_reasons)


def test_the_validate_command_prints_the_growth_table_with_both_supplies(cli, tmp_path):
    targets = tmp_path / "targets.toml"
    targets.write_text(
        "year = 2019\n[elasticity]\nfamilies = ['road']\nchecked = ['road']\n"
        "door_to_door = ['door_to_door_h.cq_nanpeng.hanoi.road.mean']\n"
        "[[targets]]\nid = 'x'\nkpi = 'departures.road'\nvalue = 1.0\n"
        "relation = 'at_least'\ntolerance_rel = 0.1\nsource = 'test'\n",
        encoding="utf-8",
    )
    scenario = ROOT / "scenarios" / "example.toml"
    argv = ["--replications", "1", "--elasticity-replications", "2"]
    out = cli("validate", scenario, "--targets", targets, *argv)
    assert out.returncode == 0, out.stderr
    assert "How the corridor answers growth" in out.stdout
    assert "The freight getting through" in out.stdout
    assert "d2d 1: door to door, Chongqing Nanpeng → Hanoi by road, mean\n" in out.stdout
    assert "Jam check, supply responding: pass" in out.stdout
    for supply in ("responding", "fixed"):
        assert re.search(rf"^road +{supply} +1\.0\d \[", out.stdout, re.M), out.stdout
