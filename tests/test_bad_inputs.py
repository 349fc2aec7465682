"""Bad input a careless user or a spreadsheet produces: one clear error, never a traceback."""

from __future__ import annotations

import pytest
from conftest import ROOT

import sim
from sim.errors import shown

EXAMPLE = ROOT / "scenarios" / "example.toml"


def network_problems(folder) -> list[str]:
    with pytest.raises(sim.NetworkError) as info:
        sim.load_network(folder)
    return [str(p) for p in info.value.problems]


def test_a_spreadsheet_csv_with_a_byte_order_mark_loads(network_copy):
    for name in ("nodes.csv", "links.csv"):
        path = network_copy / name
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert len(sim.load_network(network_copy).nodes) == 44


@pytest.mark.parametrize("name", ["nodes.csv", "links.csv", "meta.toml"])
def test_a_byte_that_is_not_utf8_names_the_file_and_line(network_copy, name):
    path = network_copy / name
    lines = path.read_bytes().split(b"\n")
    lines[2] = lines[2] + b"\xff"
    path.write_bytes(b"\n".join(lines))
    [problem] = network_problems(network_copy)
    assert f"{name}:3: is not UTF-8 text (byte 0xff)" in problem


def test_a_nul_character_is_refused(network_copy):
    path = network_copy / "links.csv"
    path.write_bytes(path.read_bytes().replace(b"rail_guiyang_nanning", b"rail_guiyang\x00nanning"))
    assert any("links.csv:3: contains a NUL character" in p for p in network_problems(network_copy))


def test_a_column_twice_and_cells_past_the_last_column_are_refused(network_copy):
    path = network_copy / "links.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    (network_copy / "nodes.csv").write_text(
        (network_copy / "nodes.csv").read_text(encoding="utf-8").replace(",source\n", ",lat\n", 1),
        encoding="utf-8",
    )
    lines[2] += ",surplus"
    path.write_text("\n".join(lines), encoding="utf-8")
    found = network_problems(network_copy)
    assert any("nodes.csv:1: lat: column appears more than once" in p for p in found)
    assert any("links.csv:3: more cells than columns, got ['surplus']" in p for p in found)


def test_modes_that_are_not_a_table_are_refused(network_copy):
    meta = network_copy / "meta.toml"
    text = meta.read_text(encoding="utf-8")
    meta.write_text(text[: text.index("[modes.")] + "modes = 5\n", encoding="utf-8")
    assert any(
        "modes: must be a table of modes, got 5" in p for p in network_problems(network_copy)
    )


def test_a_scenario_with_a_byte_order_mark_loads_and_bad_bytes_are_named(tmp_path):
    text = EXAMPLE.read_text(encoding="utf-8").replace('network = "../', f'network = "{ROOT}/')
    good, bad = tmp_path / "good.toml", tmp_path / "bad.toml"
    good.write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert sim.load_scenario(good).name == "example"
    bad.write_bytes(text.encode().replace(b"# ", b"# \xfe", 1))
    with pytest.raises(sim.ScenarioError, match=r"bad.toml:1: is not UTF-8 text \(byte 0xfe\)"):
        sim.load_scenario(bad)


def test_errors_cut_long_values_and_show_dates_plainly():
    import datetime

    text = shown("x" * 10_000_000)
    assert len(text) < 250 and text.endswith("(10,000,002 characters)")
    assert shown(datetime.date(9999, 12, 31)) == "9999-12-31"


def test_the_size_check_sees_a_season_packed_into_a_short_horizon():
    # 3 million TEU a year, all of it in February, over a February horizon: about 3 million
    # consignments of 1 TEU, though a year's even spread would put 230,000 in the month.
    over = {
        "horizon.start": __import__("datetime").date(2019, 2, 1),
        "horizon.end": __import__("datetime").date(2019, 3, 1),
        "horizon.warmup_days": 0.0,
        "demand.flows.cq_hanoi_road.teu_per_year": 3_000_000.0,
        "demand.flows.cq_hanoi_road.size_teu": [1.0],
        "demand.flows.cq_hanoi_road.seasonality": [0.0, 1.0] + [0.0] * 10,
    }
    with pytest.raises(sim.ScenarioError, match="consignments in the horizon"):
        sim.load_scenario(EXAMPLE, overrides=over)


def test_trailing_blank_cells_from_a_spreadsheet_are_fine(network_copy):
    path = network_copy / "links.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[2] += ",,"
    path.write_text("\n".join(lines), encoding="utf-8")
    assert len(sim.load_network(network_copy).links) == 74


@pytest.mark.parametrize("hours", ["08:00--17:00", "-08:00-17:00", "08:00-17:00-"])
def test_malformed_opening_hours_are_refused(network_copy, hours):
    path = network_copy / "nodes.csv"
    text = path.read_text(encoding="utf-8").replace("08:00-17:00", hours, 1)
    path.write_text(text, encoding="utf-8")
    assert any("opening_hours: must be HH:MM-HH:MM" in p for p in network_problems(network_copy))


NET = str(ROOT / "networks" / "chongqing_asean")


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["run", str(EXAMPLE), "--set", "services.truck_cq_hanoi.path=[]"], "2 to 100 nodes"),
        (["run", str(EXAMPLE), "--set", "services.truck_cq_hanoi.family=[]"], "must be a string"),
        (["run", str(EXAMPLE), "--set", "horizon.end=9999-12-31"], "got 9999-12-31"),
        (["run", str(EXAMPLE), "--set", "demand.scale=1e6"], "must be in (0, 1000]"),
        (["run", str(EXAMPLE), "--set", "demand.scale=500"], "consignments in the horizon"),
        (
            [
                *("run", str(EXAMPLE), "--set", "horizon.end=2060-01-01"),
                *("--set", "demand.scale=0.01", "--set", "services.truck_cq_hanoi.per_day=1440"),
                *("--set", "services.truck_cq_hanoi.dispatch='timetable'"),
            ],
            "timetable departures",
        ),
        (["run", str(EXAMPLE), "--out", "/proc/x"], "/proc/x"),
        (["run", str(EXAMPLE), "--out", ".", "--force"], "the working folder"),
        (["run", str(EXAMPLE), "--replications", "1000000000000"], "must be <= 10,000"),
        (["network", "route", NET, "cq_nanpeng", "hanoi", "--k", "1000000"], "[1, 100]"),
        (["network", "export", NET, "--geojson", "{tmp}"], "is a folder"),
        (["network", "export", NET, "--map", "{tmp}/x.txt"], "must end in .png"),
        (["plot", "{tmp}"], "not a run folder"),
        (["plot", "{bad_manifest}"], "cannot be read as JSON"),
    ],
)
def test_bad_arguments_exit_2_with_one_clear_error(cli, tmp_path, argv, fragment):
    bad = tmp_path / "bad_run"
    bad.mkdir()
    (bad / "manifest.json").write_text("{not json", encoding="utf-8")
    argv = [a.format(tmp=tmp_path, bad_manifest=bad) for a in argv]
    out = cli(*argv, cwd=tmp_path)  # were "--out . --force" obeyed, it would replace tmp_path
    assert out.returncode == 2, (out.returncode, out.stderr)
    assert "Traceback" not in out.stderr and fragment in out.stderr, out.stderr


def test_a_single_run_folder_is_replaced_whole_and_others_are_refused(cli, tmp_path):
    def run(*extra):
        return cli("run", EXAMPLE, "--out", out, *extra)

    out = tmp_path / "run"
    assert run().returncode == 0 and list(out.glob("legs.*"))  # the example logs its legs
    assert run("--no-events").returncode == 0
    assert not list(out.glob("legs.*"))  # no file of the first run is left beside the second
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary folder
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me", encoding="utf-8")
    refused = run()
    assert refused.returncode == 2 and "not a single run's" in refused.stderr
    assert (out / "notes.txt").read_text(encoding="utf-8") == "keep me"
    assert run("--force").returncode == 0 and not (out / "notes.txt").exists()


def test_a_replications_folder_of_other_code_is_not_resumed(tmp_path, monkeypatch):
    import sim.results.output as output

    sc = sim.load_scenario(EXAMPLE)
    sim.replicate(sc, n=2, out=tmp_path / "reps", workers=sim.Workers("serial"))
    monkeypatch.setattr(output, "code_hash", lambda: "an uncommitted edit")
    with pytest.raises(sim.SimError, match="holds a different experiment"):
        sim.replicate(sc, n=2, out=tmp_path / "reps", workers=sim.Workers("serial"))


def test_errors_do_not_print_values_from_a_parent_outside_the_folder(tmp_path):
    (tmp_path / "private").mkdir()
    (tmp_path / "mine").mkdir()
    (tmp_path / "private" / "creds.toml").write_text('db_password = "hunter2"\n', encoding="utf-8")
    child = tmp_path / "mine" / "s.toml"
    child.write_text('extends = "../private/creds.toml"\nname = "s"\n', encoding="utf-8")
    with pytest.raises(sim.ScenarioError) as info:
        sim.load_scenario(child)
    text = str(info.value)
    assert "db_password: unknown key" in text and "hunter2" not in text


def test_killing_the_main_process_leaves_no_worker_alive(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    scenario = ROOT / "scenarios" / "baseline_2019.toml"
    cmd = [sys.executable, "-m", "sim", "run", str(scenario), "--replications", "20", "--jobs", "2"]
    main = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: list[int] = []
    for _ in range(200):  # until the pool has started its workers
        time.sleep(0.1)
        ps = subprocess.run(["ps", "-o", "pid=", "--ppid", str(main.pid)], capture_output=True)
        workers = [int(p) for p in ps.stdout.split()]
        if len(workers) >= 2:
            break
    assert workers, "the pool never started"
    main.send_signal(signal.SIGKILL)
    main.wait()

    def alive(pid: int) -> bool:
        from pathlib import Path

        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return False
        return stat.split(")")[-1].split()[0] != "Z"  # a zombie has ended, waiting to be reaped

    deadline = time.monotonic() + 15
    while any(alive(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(alive(p) for p in workers)


def test_plots_refuse_a_run_whose_scenario_changed_since(tmp_path):
    import shutil

    scenario = tmp_path / "s.toml"
    shutil.copy(EXAMPLE, scenario)
    text = scenario.read_text(encoding="utf-8")
    scenario.write_text(text.replace('"../networks/', f'"{ROOT}/networks/'), encoding="utf-8")
    res = sim.run(sim.load_scenario(scenario), seed=1)
    from sim.results.output import write_run

    write_run(res, tmp_path / "run")
    from sim.results.load import load_run

    assert load_run(tmp_path / "run").seed == 1
    scenario.write_text(scenario.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    with pytest.raises(sim.SimError, match="changed since the run"):
        load_run(tmp_path / "run")


@pytest.mark.parametrize(
    ("what", "rule"),
    [("per_day", "[1, 1440]"), ("path", "2 to 100 nodes"), ("id", "at most 64 characters")],
)
def test_huge_counts_lists_and_ids_are_refused(what, rule):
    overrides = {
        "per_day": {"services.truck_cq_hanoi.per_day": 1_000_000_000},
        "path": {"services.truck_cq_hanoi.path": ["cq_nanpeng", "nanning"] * 500},
        "id": {"services." + "x" * 10_000_000: {"family": "road"}},  # a 10 MB id
    }[what]
    with pytest.raises(sim.ScenarioError) as info:
        sim.load_scenario(EXAMPLE, overrides=overrides)
    text = str(info.value)
    assert rule in text and len(text) < 5_000


def test_a_tiny_wait_with_a_minimum_load_neither_hangs_nor_grows():
    over = {
        "services.truck_cq_hanoi.max_wait_h": 1e-4,
        "services.truck_cq_hanoi.min_load_share": 0.9,
    }
    k = sim.run(sim.load_scenario(EXAMPLE, overrides=over), seed=1).kpis()
    assert k["departures.road"] > 0


def test_more_jobs_than_cores_runs_on_the_cores_with_a_note(cli):
    out = cli("run", EXAMPLE, "--replications", "2", "--jobs", "1000")
    assert out.returncode == 0 and "note: --jobs 1000 is more than the" in out.stderr
