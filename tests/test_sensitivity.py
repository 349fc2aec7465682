"""Sensitivity analysis: indices that mean something, reproducible, resumable, and clear errors."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest
from conftest import ROOT

import sim
from sim.cli import main
from sim.experiments.sensitivity_analysis import Factor, load_factors, sensitivity

pytest.importorskip("SALib")

EXAMPLE = ROOT / "scenarios" / "example.toml"
KPI = "departures.rail_sea"
D2D = "door_to_door_h.cq_tuanjiecun.singapore.rail_sea.mean"
SMALL = {"demand.scale": 0.2, "horizon.end": dt.date(2019, 2, 15)}

GOOD = """
[factors.demand]
label = "demand (x)"
keys = ["demand.scale"]
low = 0.1
high = 0.3
mode = "set"
reason = "assumption: a test range"

[factors.tariff]
label = "rail tariff"
keys = ["services.rail_cq_qinzhou.tariff_cny_per_teu"]
low = 1000.0
high = 5000.0
mode = "set"
reason = "assumption: fixed chains do not look at prices"

[factors.ship_capacity]
label = "ship capacity"
keys = [
    "services.ship_qinzhou_singapore.capacity_teu",
    "services.ship_shanghai_singapore.capacity_teu",
]
low = 0.8
high = 1.2
mode = "scale"
reason = "assumption: 960-2,400 TEU never binds for a few hundred TEU a month"
"""


@pytest.fixture(scope="module")
def small():
    return sim.load_scenario(EXAMPLE, overrides=SMALL)


@pytest.fixture(scope="module")
def factors_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("factors") / "factors.toml"
    path.write_text(GOOD, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def morris(small, factors_file):
    factors = load_factors(factors_file, small)
    return sensitivity(
        small, factors, [KPI, D2D], samples=4, n=2, seed=7, workers=sim.Workers(jobs=1)
    )


def test_a_factor_the_kpi_ignores_has_no_effect_and_the_one_that_matters_ranks_first(morris):
    ranking = morris.ranking(KPI)
    assert ranking[0]["factor"] == "demand" and ranking[0]["mu_star"] > 0
    zero = {r["factor"]: r for r in ranking[1:]}
    assert set(zero) == {"tariff", "ship_capacity"}
    for r in zero.values():  # common random numbers: the runs are identical, not merely close
        assert r["mu_star"] == 0.0 and r["sigma"] == 0.0 and r["mu_star_conf"] == 0.0
    assert len(morris.rows) == 4 * (3 + 1) * 2
    assert [k for k in morris.rows[0]] == [
        "point",
        "demand",
        "tariff",
        "ship_capacity",
        "replication",
        "seed",
        KPI,
        D2D,
    ]
    seeds = {r["replication"]: r["seed"] for r in morris.rows}
    assert all(r["seed"] == seeds[r["replication"]] for r in morris.rows)  # the same at every point


def test_scaled_keys_are_multiplied_and_integer_keys_rounded(small):
    from sim.experiments.factors import current_value, point_overrides

    shared = {"mode": "scale", "reason": "assumption: test"}
    factors = [
        Factor("ship", ("services.ship_qinzhou_singapore.capacity_teu",), 0.5, 1.0, **shared),
        Factor("tracks", ("facilities.qinzhou_port.tracks",), 1.0, 2.0, **shared),  # network's
    ]
    bases = {k: current_value(small, k) for f in factors for k in f.keys}
    assert bases == {
        "services.ship_qinzhou_singapore.capacity_teu": 1200.0,
        "facilities.qinzhou_port.tracks": 4,
    }
    over = point_overrides(factors, bases, [0.5, 4 / 3])
    assert over == {
        "services.ship_qinzhou_singapore.capacity_teu": 600.0,
        "facilities.qinzhou_port.tracks": 5,
    }
    assert isinstance(over["facilities.qinzhou_port.tracks"], int)
    res = sensitivity(small, factors, KPI, samples=2, seed=3, workers=sim.Workers(jobs=1))
    assert all(0.5 <= r["ship"] <= 1.0 and 1.0 <= r["tracks"] <= 2.0 for r in res.rows)


def test_sobol_ranks_by_total_index(small, factors_file):
    res = sensitivity(
        small, factors_file, KPI, samples=4, method="sobol", seed=7, workers=sim.Workers(jobs=1)
    )
    ranking = res.ranking(KPI)
    assert ranking[0]["factor"] == "demand"
    assert set(ranking[0]) == {"factor", "label", "ST", "ST_conf", "S1", "S1_conf"}
    assert all(r["ST"] == 0.0 and r["S1"] == 0.0 for r in ranking[1:])
    assert len(res.rows) == 4 * (3 + 2)
    with pytest.raises(sim.SimError, match="power of 2"):
        sensitivity(
            small, factors_file, KPI, samples=6, method="sobol", workers=sim.Workers(jobs=1)
        )


def test_the_same_seed_gives_the_same_result_to_the_last_digit(small, factors_file, morris):
    again = sensitivity(
        small, factors_file, [KPI, D2D], samples=4, n=2, seed=7, workers=sim.Workers(jobs=1)
    )
    assert again.to_dict() == morris.to_dict()
    assert (again.design == morris.design).all()
    other = sensitivity(
        small, factors_file, [KPI, D2D], samples=4, n=2, seed=8, workers=sim.Workers(jobs=1)
    )
    assert (other.design != morris.design).any()


def test_serial_and_process_executors_give_identical_rows(small, factors_file, morris):
    process = sensitivity(
        small,
        factors_file,
        [KPI, D2D],
        samples=4,
        n=2,
        seed=7,
        workers=sim.Workers("process", jobs=2),
    )
    assert process.rows == morris.rows
    assert process.indices == morris.indices


def test_a_folder_resumes_without_rerunning_and_refuses_other_factors(
    small, factors_file, tmp_path
):
    out = tmp_path / "sens"
    factors = load_factors(factors_file, small)
    first = sensitivity(
        small, factors, KPI, samples=2, n=2, seed=4, workers=sim.Workers(jobs=1), out=out
    )
    runs = sorted((out / "runs").glob("*.json"))
    assert len(runs) == len(first.rows) == 2 * 4 * 2
    stamps = {p.name: p.stat().st_mtime_ns for p in runs}
    runs[3].unlink()  # as if interrupted there
    again = sensitivity(
        small, factors, KPI, samples=2, n=2, seed=4, workers=sim.Workers(jobs=1), out=out
    )
    assert again.to_dict() == first.to_dict()
    after = {p.name: p.stat().st_mtime_ns for p in (out / "runs").glob("*.json")}
    assert after.keys() == stamps.keys()
    assert [n for n in after if after[n] != stamps[n]] == [runs[3].name]  # only that one ran
    wider = [Factor(f.name, f.keys, f.low, f.high * 1.5, f.mode, f.reason) for f in factors]
    with pytest.raises(sim.SimError, match="holds a different experiment"):
        sensitivity(small, wider, KPI, samples=2, n=2, seed=4, workers=sim.Workers(jobs=1), out=out)


BAD = [
    (GOOD.replace("high = 0.3", "high = 0.1"), ["factors.demand.high", "must be > low", "0.1"]),
    (GOOD.replace("low = 0.1", "low = nan"), ["factors.demand.low", "finite", "nan"]),
    (
        GOOD.replace('reason = "assumption: a test range"', ""),
        ["factors.demand.reason", "required"],
    ),
    (GOOD.replace('mode = "set"', 'mode = "times"', 1), ["factors.demand.mode", "'times'"]),
    (
        GOOD.replace("rail_cq_qinzhou.tariff", "rail_cq_nowhere.tariff"),
        ["factors.tariff.keys", "unknown service 'rail_cq_nowhere'", "rail_cq_nowhere.tariff"],
    ),
    (
        GOOD.replace("capacity_teu", "capacity", 1),
        ["factors.ship_capacity.keys", "unknown key", "did you mean 'capacity_teu'"],
    ),
    (GOOD.replace('keys = ["demand.scale"]', "keys = []"), ["factors.demand.keys", "[]"]),
    ('[factors.a]\nkeys = ["demand.scale"\n', ["is not valid TOML"]),
]


@pytest.mark.parametrize(("text", "expected"), BAD)
def test_bad_factor_files_name_the_file_the_factor_and_the_value(small, tmp_path, text, expected):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(sim.SimError) as err:
        load_factors(path, small)
    message = str(err.value)
    assert str(path) in message
    for part in expected:
        assert part in message


def test_every_problem_is_reported_at_once_and_bytes_that_are_not_utf8_are_refused(small, tmp_path):
    path = tmp_path / "two.toml"
    text = GOOD.replace("high = 0.3", "high = 0.1").replace('mode = "scale"', 'mode = "x"')
    path.write_text(text.replace("rail_cq_qinzhou.tariff", "rail_cq_nowhere.tariff"))
    with pytest.raises(sim.SimError) as err:
        load_factors(path, small)
    assert len(err.value.problems) == 3
    assert {p.column for p in err.value.problems} == {
        "factors.demand.high",
        "factors.ship_capacity.mode",
        "factors.tariff.keys",
    }
    latin = tmp_path / "latin.toml"
    latin.write_bytes(GOOD.replace("test range", "t\xe9st").encode("latin-1"))
    with pytest.raises(sim.SimError, match=r"latin\.toml:8: is not UTF-8"):
        load_factors(latin)
    with pytest.raises(sim.SimError, match="holds no number to scale"):
        scaled = Factor("d", ("demand.chain_scale.rail_sea",), 0.5, 2.0, "scale", "r", file="f")
        sensitivity(small, [scaled], KPI, samples=2, workers=sim.Workers(jobs=1))


def test_unknown_kpis_and_missing_salib_are_clear_errors(small, factors_file, monkeypatch):
    with pytest.raises(sim.SimError, match=r"unknown KPI[\s\S]*did you mean 'departures.rail_sea'"):
        sensitivity(
            small, factors_file, "departures.rail_se", samples=2, workers=sim.Workers(jobs=1)
        )
    for name in [m for m in sys.modules if m == "SALib" or m.startswith("SALib.")]:
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(sim.SimError, match=r"pip install 'corridor-sim\[analysis\]'"):
        sensitivity(small, factors_file, KPI, samples=2, workers=sim.Workers(jobs=1))


def test_import_sim_does_not_import_salib():
    code = "import sys, sim; print([m for m in sys.modules if m.startswith('SALib')])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _small_scenario_file(tmp_path):
    path = tmp_path / "small.toml"
    net = (ROOT / "scenarios" / "example.toml").resolve().as_posix()
    path.write_text(f'extends = "{net}"\n[demand]\nscale = 0.2\n[horizon]\nend = 2019-02-15\n')
    return path


def test_cli_prints_rankings_writes_a_figure_per_kpi_and_json(tmp_path, factors_file, capsys):
    scenario = _small_scenario_file(tmp_path)
    args = ["sensitivity", str(scenario), "--factors", str(factors_file), "--kpi", KPI]
    args += ["--kpi", D2D, "--samples", "2", "--seed", "5", "--jobs", "1"]
    assert main([*args, "--plot", str(tmp_path / "fig.png")]) == 0
    text = capsys.readouterr().out
    assert (
        f"{KPI}: Morris, 8 model runs (8 points x 1 replication on the same seeds), seed 5" in text
    )
    assert "rank  factor" in text and "mu_star_conf" in text
    assert (tmp_path / f"fig_{KPI}.png").stat().st_size > 0
    assert (tmp_path / f"fig_{D2D}.png").stat().st_size > 0
    assert main([*args, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["runs"] == 8 and data["ranking"][KPI][0]["factor"] == "demand"


def test_cli_bad_factors_exit_2_with_the_message_and_no_traceback(tmp_path, capsys):
    scenario = _small_scenario_file(tmp_path)
    bad = tmp_path / "bad.toml"
    bad.write_text(GOOD.replace("low = 0.1", "low = nan"), encoding="utf-8")
    args = ["sensitivity", str(scenario), "--factors", str(bad), "--kpi", KPI, "--samples", "2"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert f"{bad}: factors.demand.low: must be a finite number, got nan" in err
    assert "Traceback" not in err


def test_the_figure_shows_the_factor_labels_most_important_on_top(morris, small, factors_file):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ax = sim.plot.sensitivity(morris, KPI)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[-1] == "demand (x)"  # the top row
    assert set(labels) == {"demand (x)", "rail tariff", "ship capacity"}
    assert "(trains)" in ax.get_xlabel() and KPI in ax.get_title()
    ax.figure.canvas.draw()
    plt.close(ax.figure)
    sobol = sensitivity(
        small, factors_file, D2D, samples=2, method="sobol", seed=1, workers=sim.Workers(jobs=1)
    )
    ax = sim.plot.sensitivity(sobol, D2D)
    assert "ST" in ax.get_xlabel()
    assert {t.get_text() for t in ax.get_yticklabels()} == set(labels)
    ax.figure.canvas.draw()
    plt.close(ax.figure)
