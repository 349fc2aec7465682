"""Validation mechanics: bands, statuses, target files, replications and the validate command."""

from __future__ import annotations

import json
import math
from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import ROOT, same_rows

import sim
from sim.experiments.validation import Target, _status, load_targets

EXAMPLE = ROOT / "scenarios" / "example.toml"


def target(**kw):
    base = {
        "id": "t",
        "kpi": ("k",),
        "value": 100.0,
        "relation": "about",
        "tolerance_rel": 0.1,
        "source": "s",
    }
    return Target(**{**base, **kw})


def summary(mean, half=1.0):
    return {"mean": mean, "std": 1.0, "ci_low": mean - half, "ci_high": mean + half}


@pytest.mark.parametrize(
    ("relation", "band"),
    [("about", (90.0, 110.0)), ("at_least", (100.0, 110.0)), ("at_most", (90.0, 100.0))],
)
def test_bands(relation, band):
    assert target(relation=relation).band() == pytest.approx(band)


def test_status_needs_the_whole_interval_in_the_band():
    t = target()
    assert _status(t, summary(100.0)) == "pass"
    assert _status(t, summary(109.5)) == "fail"  # mean inside, interval not
    assert _status(t, summary(150.0)) == "fail"
    alt = target(alternative=150.0)
    assert _status(alt, summary(150.0)) == "conflict"  # follows the other source
    assert _status(alt, summary(300.0)) == "fail"
    assert _status(target(evidence="not modelled"), summary(math.nan)) == "not modelled"


def test_bad_target_file_reports_every_problem(tmp_path):
    bad = tmp_path / "t.toml"
    bad.write_text(
        "colour = 1\n"
        '[[targets]]\nid = "a"\nkpi = "x"\nvalue = "many"\nrelation = "roughly"\n'
        'tolerance_rel = 2.0\nsource = "s"\n'
        '[[targets]]\nid = "b"\nkpi = "x"\nrelation = "about"\ntolerance_rel = 0.1\nsource = "s"\n'
        "wibble = true\n"
    )
    with pytest.raises(sim.SimError) as info:
        load_targets(bad)
    text = str(info.value)
    for fragment in (
        "colour: unknown key",
        "targets[0].value: has the wrong type",
        "targets[0].relation: must be one of",
        "targets[0].tolerance_rel: must be in",
        "targets[1].value: is required",
        "targets[1].wibble: unknown key",
    ):
        assert fragment in text, fragment


def test_replications_are_identical_whichever_executor_runs_them():
    sc = sim.load_scenario(EXAMPLE, overrides={"demand.scale": 0.3})
    serial = sim.replicate(sc, n=3, seed=5, workers=sim.Workers(jobs=1))
    pooled = sim.replicate(sc, n=3, seed=5, workers=sim.Workers(jobs=2))
    threads = sim.replicate(sc, n=3, seed=5, workers=sim.Workers(ThreadPoolExecutor(2)))
    assert same_rows(serial.rows, pooled.rows, threads.rows)
    assert serial.seeds == pooled.seeds and len(set(serial.seeds)) == 3
    s = serial.summary("departures.road")
    assert s["ci_low"] <= s["mean"] <= s["ci_high"]


def test_validate_command_json_and_exit_code(cli, tmp_path):
    targets = tmp_path / "targets.toml"
    targets.write_text(
        '[[targets]]\nid = "trucks"\nkpi = "departures.road"\nvalue = 1.0e6\nrelation = "about"\n'
        'tolerance_rel = 0.05\nprimary = true\nsource = "made up to fail"\n'
    )
    out = cli(
        *("validate", EXAMPLE, "--targets", targets, "--replications", "2", "--jobs", "1"),
        "--json",
    )
    assert out.returncode == 1, out.stderr
    data = json.loads(out.stdout, parse_constant=lambda c: pytest.fail(f"{c} is not JSON"))
    assert set(data) == {"scenario", "replications", "ok", "targets"}
    assert data["ok"] is False and data["replications"] == 2
    row = data["targets"][0]
    assert {
        "id",
        "kpi",
        "target",
        "relation",
        "tolerance_rel",
        "mean",
        "ci_low",
        "ci_high",
        "rel_error",
        "status",
        "source",
    } <= set(row)
    assert row["status"] == "fail"


def test_validation_figure_draws_every_checked_target(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    sc = sim.load_scenario(EXAMPLE, overrides={"demand.scale": 0.3})
    targets = tmp_path / "t.toml"
    targets.write_text(
        '[[targets]]\nid = "trucks"\nkpi = "departures.road"\nvalue = 100.0\nrelation = "about"\n'
        'tolerance_rel = 0.1\nprimary = true\nmode = "road"\nsource = "s"\nalternative = 90.0\n'
        '[[targets]]\nid = "kinds"\nkpi = "x"\nvalue = 1.0\nrelation = "at_least"\n'
        'tolerance_rel = 0.0\nsource = "s"\nevidence = "not modelled"\n'
    )
    report = sim.validate(sim.replicate(sc, n=2, seed=1, workers=sim.Workers(jobs=1)), targets)
    table = report.table()  # one row per target, as --json's targets
    assert list(table["id"]) == ["trucks", "kinds"] and table["status"][1] == "not modelled"
    ax = sim.plot.validation(report)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Road: trucks (primary, 100)"]
    assert "simulated / published" in ax.get_xlabel()
    assert len(ax.collections) >= 2  # the band and the error bar
    out = tmp_path / "v.png"
    ax.figure.savefig(out)
    assert out.stat().st_size > 10_000


def test_unknown_kpi_and_bad_target_file_shapes_are_clear_errors(tmp_path):
    sc = sim.load_scenario(EXAMPLE, overrides={"demand.scale": 0.1})
    reps = sim.replicate(sc, n=1, seed=1, workers=sim.Workers(jobs=1))
    typo = tmp_path / "typo.toml"
    typo.write_text(
        '[[targets]]\nid = "t"\nkpi = "departures.raod"\nvalue = 1.0\n'
        'relation = "about"\ntolerance_rel = 0.1\nsource = "s"\n'
    )
    with pytest.raises(sim.SimError, match="unknown KPI in target 't'"):
        sim.validate(reps, typo)
    shapes = tmp_path / "shapes.toml"
    shapes.write_text("targets = 3\nbase_scenario = 5\n")
    with pytest.raises(sim.SimError) as info:
        load_targets(shapes)
    assert "targets: must be an array of tables" in str(info.value)
    assert "base_scenario: must be a path" in str(info.value)


def test_replicate_sends_the_scenario_itself_so_overrides_of_any_type_survive():
    import datetime as dt

    sc = sim.load_scenario(EXAMPLE, overrides={"horizon.end": dt.date(2019, 2, 1)})
    pooled = sim.replicate(sc, n=2, seed=3, workers=sim.Workers(jobs=2))
    assert same_rows(pooled.rows, sim.replicate(sc, n=2, seed=3, workers=sim.Workers(jobs=1)).rows)
    with pytest.raises(sim.SimError, match="n must be a whole number from 1 to 10,000"):
        sim.replicate(sc, n=0)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", str(EXAMPLE), "--seed", "-1"], "--seed: must be >= 0"),
        (["validate", str(EXAMPLE), "--replications", "0"], "--replications: must be >= 1"),
        (["validate", str(EXAMPLE), "--jobs", "-1"], "--jobs: must be >= 0"),
    ],
)
def test_bad_numbers_on_the_command_line_exit_2(cli, args, message):
    out = cli(*args)
    assert out.returncode == 2 and message in out.stderr and "Traceback" not in out.stderr


TARGETS = """year = 2019
[elasticity]
families = ["road", "rail_sea"]
checked = ["road"]
scales = [0.5, 1.0]

[[targets]]
id = "barges"
kpi = "departures.river"
value = 83.0
relation = "about"
tolerance_rel = 0.05
primary = true
source = "made up to pass: the example's 83 barges on their timetable"
"""

FAILING = """
[[targets]]
id = "trains"
kpi = "departures.rail_sea"
value = 1.0e6
relation = "about"
tolerance_rel = 0.05
primary = true
source = "made up to fail"

[[targets]]
id = "boxes"
kpi = "teu.created"
value = 5.0
relation = "at_most"
tolerance_rel = 0.1
source = "made up, secondary"
conflicts = "another source says more"
"""


def test_validate_command_says_its_verdict_first_then_every_table(cli, tmp_path):
    targets = tmp_path / "targets.toml"
    targets.write_text(TARGETS + FAILING, encoding="utf-8")
    figure = tmp_path / "v.png"
    args = ("--replications", "2", "--jobs", "1", "--elasticity-replications", "2")
    out = cli("validate", EXAMPLE, "--targets", targets, *args, "--plot", figure)
    assert out.returncode == 1, out.stderr  # a primary target fails
    lines = out.stdout.splitlines()
    assert lines[0] == f"example: 2 replications against {targets}"
    assert lines[1].startswith("Verdict: a primary target FAILS (1 of 2 pass; trains: 81 against")
    sections = out.stdout.split("\n\n")
    primary = next(s for s in sections if s.startswith("Primary targets")).splitlines()
    assert [row.split()[0] for row in primary[3:]] == ["barges", "trains"]
    assert primary[3].split()[-2:] == ["pass", "independent"]
    other = next(s for s in sections if s.startswith("Other published figures"))
    assert "boxes" in other and "Growth" not in out.stdout  # no growth target, no empty table
    assert "Notes\n- boxes (fail): another source says more" in out.stdout
    assert (
        "How the corridor answers growth: every flow x0.5, x1 on the same seeds, 2 " in out.stdout
    )
    # One 40' box a truck: 2 TEU a departure at any volume, departures in step with the TEU.
    road = next(line for line in lines if line.startswith("road "))
    # Against the demand scale, each replication's own arrivals add noise: with 2 replications
    # the slope's interval is wide, but it holds 1, and the load is the same at both scales.
    cells = road.split()
    assert cells[:2] == ["road", "responding"]
    assert float(cells[3].strip("[,")) <= 1.0 <= float(cells[4].strip("]"))
    assert cells[5:9] == [*("2.0", "(+0%)") * 2]
    assert next(line for line in lines if line.startswith("rail_sea ")).endswith("(reported)")
    assert lines[-3:] == ["Verdict: a primary target FAILS.", "", f"wrote {figure}"]
    assert figure.read_bytes()[:4] == b"\x89PNG"
    targets.write_text(TARGETS, encoding="utf-8")
    ok = cli("validate", EXAMPLE, "--targets", targets, *args[:4], "--elasticity-replications", 0)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.splitlines()[1] == "Verdict: every primary target passes (1 of 1 pass)"
    assert "How the corridor answers growth" not in ok.stdout  # 0 replications skip the check


def test_validate_finds_the_targets_of_the_horizons_year_beside_the_scenarios(cli, tmp_path):
    (tmp_path / "scenarios").mkdir()
    scenario = tmp_path / "scenarios" / "mine.toml"
    scenario.write_text(f'extends = "{EXAMPLE.as_posix()}"\nname = "mine"\n', encoding="utf-8")
    missing = cli("validate", scenario, "--replications", "2")
    assert missing.returncode == 2
    expected = tmp_path / "seeds" / "targets_2019.toml"
    assert f"{expected}: target file not found (give --targets FILE)" in missing.stderr
    expected.parent.mkdir()
    expected.write_text(TARGETS, encoding="utf-8")
    found = cli("validate", scenario, "--replications", "2", "--elasticity-replications", "0")
    assert found.returncode == 0, found.stderr
    assert found.stdout.startswith(f"mine: 2 replications against {expected}\n")


def test_a_verdict_from_few_replications_says_why_a_mean_in_the_band_fails():
    from sim.cli.validate_cmd import format_report

    row = {
        "id": "trains",
        "kpi": "departures.rail_sea",
        "target": 100.0,
        "relation": "about",
        "tolerance_rel": 0.05,
        "band_low": 95.0,
        "band_high": 105.0,
        "mean": 99.0,
        "ci_low": 80.0,
        "ci_high": 118.0,
        "rel_error": -0.01,
        "status": "fail",
        "source": "s",
        "quote": "",
        "primary": True,
        "growth": False,
        "mode": "rail",
        "scope": "",
        "evidence": "independent",
        "conflicts": "",
        "alternative": None,
        "alternative_source": "",
    }
    report = {"scenario": "x", "replications": 3, "ok": False, "targets": [row]}
    text = format_report(report, "t.toml")
    assert "1 of them has a mean inside the band but a 95% interval that reaches outside" in text
    assert "3 replications give wide intervals" in text
    far = format_report({**report, "targets": [{**row, "mean": 130.0}]}, "t.toml")
    assert "inside the band" not in far  # a mean outside the band fails plainly
