"""A replications folder keeps every replication's KPIs, and tables only as asked (--keep)."""

from __future__ import annotations

import pytest
from conftest import ROOT

import sim
from sim.results.load import load_kpis, load_runs

EXAMPLE = ROOT / "scenarios" / "example.toml"


@pytest.fixture(scope="module")
def small():
    return sim.load_scenario(EXAMPLE, overrides={"demand.scale": 0.2})


def _replicate(small, out, keep):
    return sim.replicate(small, n=3, seed=1, workers=sim.Workers(jobs=1), out=out, keep=keep)


@pytest.mark.parametrize(
    ("keep", "with_tables"), [("first", ["r0000"]), ("tables", ["r0000", "r0001", "r0002"])]
)
def test_keep_says_which_replications_keep_tables(small, tmp_path, keep, with_tables):
    reps = _replicate(small, tmp_path / keep, keep)
    runs = tmp_path / keep / "runs"
    assert sorted(p.name for p in runs.iterdir() if p.is_dir()) == with_tables
    assert sorted(p.name for p in runs.glob("*.json")) == ["r0000.json", "r0001.json", "r0002.json"]
    assert [k["teu.created"] for k in load_kpis(tmp_path / keep)] == list(
        reps.values("teu.created")
    )
    assert len(load_runs(tmp_path / keep)) == len(with_tables)


def test_a_folder_of_kpis_only_summarises_but_draws_nothing(small, tmp_path, cli):
    _replicate(small, tmp_path / "k", "kpis")
    assert not [p for p in (tmp_path / "k" / "runs").iterdir() if p.is_dir()]
    assert len(load_kpis(tmp_path / "k")) == 3
    with pytest.raises(sim.SimError, match="--keep first or --keep tables"):
        load_runs(tmp_path / "k")
    out = cli("plot", tmp_path / "k", "--out", tmp_path / "x.png")
    assert out.returncode == 2 and "--keep" in out.stderr and "Traceback" not in out.stderr


def test_plot_and_report_say_what_they_drew_from(small, tmp_path, cli):
    _replicate(small, tmp_path / "f", "first")
    plotted = cli("plot", tmp_path / "f", "--kind", "throughput", "--out", tmp_path / "t.png")
    assert plotted.returncode == 0, plotted.stderr
    assert "drawn from 1 of the 3 replications" in plotted.stdout
    reported = cli("report", tmp_path / "f", "--out", tmp_path / "r.html")
    assert reported.returncode == 0, reported.stderr
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "Figures are drawn from 1 of the 3 replications" in page
    assert "3 replications, 95% CI in brackets" in page  # the answer summarises all three


def test_keep_is_checked(small, tmp_path, cli):
    with pytest.raises(sim.ArgumentError, match="keep must be one of kpis, first, tables"):
        _replicate(small, tmp_path / "x", "some")
    out = cli("run", EXAMPLE, "--replications", "2", "--out", tmp_path / "y", "--keep", "all")
    assert out.returncode == 2 and "invalid choice: 'all'" in out.stderr


def test_widening_keep_on_resume_runs_again_the_runs_that_lack_their_tables(small, tmp_path):
    out = tmp_path / "w"
    first = sim.replicate(small, n=2, seed=1, workers=sim.Workers(jobs=1), out=out, keep="kpis")
    wider = sim.replicate(small, n=4, seed=1, workers=sim.Workers(jobs=1), out=out, keep="tables")
    assert sorted(p.name for p in (out / "runs").iterdir() if p.is_dir()) == [
        "r0000", "r0001", "r0002", "r0003"
    ]  # fmt: skip
    assert wider.rows[:2] == first.rows  # the same seeds give the same runs, now with tables
    assert [r.seed for r in load_runs(out)] == wider.seeds
