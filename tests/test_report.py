"""``corridor-sim plot`` and ``report``: every figure kind from a run folder, and an HTML report
that a real browser (headless Chromium) opens with every image drawn and no console error."""

from __future__ import annotations

import re
import shutil
import subprocess

import numpy as np
import pytest
from conftest import ROOT, same_rows

from sim.cli import main
from sim.plot.by_kind import KINDS

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    assert main(["run", str(ROOT / "scenarios" / "example.toml"), "--out", str(out)]) == 0
    return out


@pytest.mark.parametrize("kind", KINDS)
def test_plot_writes_every_kind_from_a_run_folder(cli, run_dir, kind):
    out = run_dir / f"{kind}.png"
    res = cli("plot", str(run_dir), "--kind", kind, "--out", str(out))
    assert res.returncode == 0, res.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 10_000


def test_plot_of_a_folder_that_is_not_a_run_is_a_clear_error(cli, tmp_path):
    res = cli("plot", str(tmp_path))
    assert (
        res.returncode == 2 and "not a run folder" in res.stderr and "Traceback" not in res.stderr
    )


def test_report_is_one_self_contained_file(cli, run_dir):
    res = cli("report", str(run_dir))
    assert res.returncode == 0, res.stderr
    page = (run_dir / "report.html").read_text(encoding="utf-8")
    assert page.count("<img") == len(KINDS)
    assert not re.search(r"""(src|href)=["'](?!data:)""", page)  # nothing fetched from elsewhere
    assert "The answer" in page and "Departures: rail-sea" in page and "manifest" in page.lower()
    assert page.count("<figcaption>") == len(KINDS) and "departures.rail_sea" in page


def test_report_shows_the_validation_beside_the_run(cli, run_dir, tmp_path):
    folder = tmp_path / "run"
    shutil.copytree(run_dir, folder)
    targets = tmp_path / "targets.toml"
    targets.write_text(
        '[[targets]]\nid = "barges"\nkpi = "departures.river"\nvalue = 83.0\n'
        'relation = "about"\ntolerance_rel = 0.05\nprimary = true\nsource = "made up"\n',
        encoding="utf-8",
    )
    example = ROOT / "scenarios" / "example.toml"
    validation = cli("validate", example, "--targets", targets, "--replications", "2", "--json")
    (folder / "validation.json").write_text(validation.stdout, encoding="utf-8")
    res = cli("report", folder, "--out", tmp_path / "brief.html")
    assert res.returncode == 0 and res.stdout == f"wrote {tmp_path / 'brief.html'}\n"
    page = (tmp_path / "brief.html").read_text(encoding="utf-8")
    assert "<h2>Against the published figures</h2>" in page
    row = re.search(r"<tr><td>barges</td>(.*?)</tr>", page)[1]
    assert "78.85 to 87.15" in row and "83 [83, 83]" in row and "<td>pass</td>" in row


@pytest.mark.skipif(BROWSER is None, reason="needs Debian's chromium (.ci/run installs it)")
def test_report_opens_in_a_real_browser_with_every_image_drawn(cli, run_dir, tmp_path):
    assert cli("report", run_dir).returncode == 0
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--virtual-time-budget=5000",
        "--enable-logging=stderr",
        "--v=0",
    ]
    page = (run_dir / "report.html").as_uri()
    out = subprocess.run(
        [BROWSER, *flags, "--dump-dom", page], capture_output=True, text=True, timeout=120
    )
    assert f'data-images-loaded="{len(KINDS)}"' in out.stdout, out.stderr[-2000:]
    console = [line for line in out.stderr.splitlines() if "CONSOLE" in line]
    assert not [line for line in console if "ERROR" in line or "Uncaught" in line], console


@pytest.fixture(scope="module")
def replications_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("reps")
    example = str(ROOT / "scenarios" / "example.toml")
    assert main(["run", example, "--replications", "3", "--out", str(out), "--keep", "tables"]) == 0
    return out


def test_a_replications_folder_keeps_each_replications_tables(replications_dir):
    import sim
    from sim.results.load import load_run, load_runs

    runs = load_runs(replications_dir)
    reps = sim.replicate(runs[0].scenario, n=3, workers=sim.Workers(jobs=1))
    assert [r.seed for r in runs] == reps.seeds
    assert same_rows([r.kpis() for r in runs], reps.rows)
    again = sim.run(runs[1].scenario, seed=runs[1].seed, log_events=False)
    for name, table in again.tables.items():
        for column, values in table.items():
            assert runs[1].tables[name][column].tolist() == values.tolist() or (
                values.dtype.kind == "f"
                and (runs[1].tables[name][column] == values)[~np.isnan(values)].all()
            ), (name, column)
    assert load_run(replications_dir).seed == runs[0].seed
    (replications_dir / "runs" / "r0009").mkdir()  # tables of a run cut short: no KPIs beside
    assert len(load_runs(replications_dir)) == 3


def test_a_second_call_with_fewer_replications_is_what_the_folder_shows(cli, tmp_path):
    from sim.results.load import load_kpis, load_runs

    example = str(ROOT / "scenarios" / "example.toml")
    for n in ("3", "2"):
        res = cli("run", example, "--replications", n, "--jobs", "1", "--out", str(tmp_path))
        assert res.returncode == 0, res.stderr
    assert len(load_kpis(tmp_path)) == 2  # as kpis.json: the replications of the last call
    assert len(load_runs(tmp_path)) == 1  # of which the first kept its tables


def test_figures_and_report_of_replications_show_them_all(cli, replications_dir):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.collections import PolyCollection

    from sim.plot.by_kind import figure
    from sim.results.load import load_runs

    runs = load_runs(replications_dir)
    ax = figure(runs, "throughput")
    assert any(isinstance(c, PolyCollection) for c in ax.collections)  # a band over the runs
    assert "3 replications" in ax.get_title()
    assert "replication 1 of 3" in figure(runs, "utilisation").get_title()
    assert "P10-P90 of 3 replications" in figure(runs, "queues").get_title()
    res = cli("report", str(replications_dir))
    assert res.returncode == 0, res.stderr
    page = (replications_dir / "report.html").read_text(encoding="utf-8")
    assert "3 replications, 95% CI in brackets" in page and page.count("<img") == len(KINDS)
    assert re.search(r"rail-sea [0-9,]+ \[[0-9,]+, [0-9,]+\]", page)  # a mean with its CI


def test_plot_narrows_its_time_axis_and_picks_the_trains(cli, run_dir, tmp_path):
    import datetime as dt

    import matplotlib

    matplotlib.use("Agg")
    from sim.plot.by_kind import figure
    from sim.results.load import load_runs

    runs = load_runs(run_dir)
    window = (dt.date(2019, 2, 1), dt.date(2019, 3, 1))
    ax = figure(runs, "marey", services=["rail_cq_qinzhou"], window=window)
    assert ax.get_xlim() == (31.0, 59.0)  # days from 1 January
    assert "Chongqing Tuanjiecun (0 km)" in [t.get_text() for t in ax.get_yticklabels()]
    out = tmp_path / "q.png"
    ok = cli("plot", str(run_dir), "--kind", "queues", "--from", "2019-02-01", "--out", str(out))
    assert ok.returncode == 0 and out.is_file(), ok.stderr
    for bad, says in (
        (["--kind", "marey", "--services", "nope"], "unknown service 'nope'"),
        (["--kind", "queues", "--from", "2019-03-01", "--to", "2019-02-01"], "inside the run"),
        (["--kind", "map", "--from", "2019-02-01"], "only for --kind"),
        (["--kind", "queues", "--from", "1 Feb"], "must be a date"),
        (["--kind", "queues", "--post", "youyiguann"], "(did you mean 'youyiguan'?); facilities: "),
    ):
        res = cli("plot", str(run_dir), *bad, "--out", str(tmp_path / "x.png"))
        assert res.returncode == 2 and says in res.stderr and "Traceback" not in res.stderr


def test_figures_of_a_folder_that_kept_one_replications_tables_say_so(cli, tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    from sim.plot.by_kind import figure
    from sim.results.load import load_kpis, load_runs

    example = str(ROOT / "scenarios" / "example.toml")
    res = cli("run", example, "--replications", "3", "--jobs", "1", "--out", str(tmp_path))
    assert res.returncode == 0, res.stderr  # the first replication's tables, every one's KPIs
    runs, of = load_runs(tmp_path), len(load_kpis(tmp_path))
    assert (len(runs), of) == (1, 3)
    for kind in ("transit", "map", "marey", "d2d-parts"):  # drawn from replication 1 alone
        title = figure(runs, kind, replications=of).get_title()
        assert "replication 1 of 3" in title and "pooled" not in title, (kind, title)
    out = tmp_path / "t.png"
    assert cli("plot", str(tmp_path), "--kind", "transit", "--out", str(out)).returncode == 0
    assert cli("report", str(tmp_path)).returncode == 0
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert page.count("<img") == len(KINDS)
