"""Outputs that lose no data: one writer per run folder, no device or link replaced, --force that
cannot delete the user's work, and a swap that leaves the old folder or the new one, never none."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

import sim
import sim.folders as folders
from sim.errors import SimError
from sim.experiments.run_folder import experiment_store
from sim.fileio import write_bytes_atomic
from sim.folders import FolderLock, check_replaceable, clean_stale, swap_in
from sim.results.output import write_run

EXAMPLE = ROOT / "scenarios" / "example.toml"
NET = ROOT / "networks" / "chongqing_asean"


def dead_pid() -> int:
    """The process id of a process that has ended."""
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(child.stdout)


# 1. Two writers to one run folder ------------------------------------------------------------


def test_a_second_writer_of_a_run_folder_is_refused_naming_the_first(tmp_path):
    sc = sim.load_scenario(EXAMPLE)
    out = tmp_path / "reps"
    first = experiment_store(out, sc, 1, {})
    with pytest.raises(SimError, match=rf"process {os.getpid()}\) is writing this folder"):
        experiment_store(out, sc, 1, {})
    with pytest.raises(SimError, match="is writing this folder"):  # another experiment too
        experiment_store(out, sc, 2, {"demand.scale": [2.0]})
    first.close()
    with experiment_store(out, sc, 1, {}) as again:  # free once the first lets go
        assert again.get("r0000") is None


def test_the_command_line_refuses_a_folder_another_run_is_writing(cli, tmp_path):
    sc = sim.load_scenario(EXAMPLE)
    out = tmp_path / "sweep"
    with experiment_store(out, sc, 3, {"demand.scale": [1.0, 1.1]}):
        argv = ["sweep", EXAMPLE, "--grid", "demand.scale=2.0,2.1", "--replications", "1"]
        got = cli(*argv, "--seed", "3", "--out", out)
    assert got.returncode == 2, got.stderr
    assert "is writing this folder" in got.stderr and "Traceback" not in got.stderr
    assert not (out / "runs").exists() or not list((out / "runs").glob("*.json"))


def test_two_concurrent_sweeps_into_one_folder_never_mix(tmp_path):
    """The audit's reproduction: both start at once; one runs, the other exits 2 (or waits its
    turn and is refused as another experiment); the folder holds one experiment's runs."""
    out = tmp_path / "X"
    argv = [
        sys.executable,
        "-m",
        "sim",
        "sweep",
        str(EXAMPLE),
        "--replications",
        "2",
        "--jobs",
        "1",
        "--seed",
        "3",
        "--json",
        "--out",
        str(out),
    ]
    runs = [
        subprocess.Popen(
            [*argv, "--grid", grid], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for grid in ("demand.scale=0.2,0.21", "demand.scale=0.3,0.31")
    ]
    codes = [p.wait(timeout=300) for p in runs]
    errors = [p.stderr.read() for p in runs]
    assert sorted(codes) == [0, 2], (codes, errors)
    assert "Traceback" not in "".join(errors)
    winner = codes.index(0)
    manifest = sim.fileio.read_json(out / "manifest.json")
    assert manifest["experiment"]["grid"] == {"demand.scale": [[0.2, 0.21], [0.3, 0.31]][winner]}


def test_a_killed_writers_temporary_files_are_cleaned_when_the_folder_is_next_taken(tmp_path):
    sc = sim.load_scenario(EXAMPLE)
    out = tmp_path / "reps"
    experiment_store(out, sc, 1, {}).close()
    (out / "runs").mkdir()
    leftovers = [out / "runs" / ".r0003.json.x1y2.tmp", out / ".manifest.json.k9.tmp"]
    for path in leftovers:
        path.write_text("half", encoding="utf-8")
    experiment_store(out, sc, 1, {}).close()
    assert not any(p.exists() for p in leftovers)


# 2. Outputs never replace a device, a fifo, a socket or a link -------------------------------


def test_a_device_fifo_socket_or_link_in_an_outputs_place_is_refused_and_left(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    target = tmp_path / "precious.txt"
    target.write_text("mine", encoding="utf-8")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    sock_path = tmp_path / "sock"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(sock_path))
    try:
        for path, kind in [
            (Path("/dev/null"), "a device"),
            (fifo, "a fifo"),
            (link, "a symbolic link"),
            (sock_path, "a socket"),
        ]:
            before = path.lstat()
            with pytest.raises(SimError, match=f"is {kind}, not a regular file"):
                write_bytes_atomic(path, b"{}")
            after = path.lstat()
            assert stat.S_IFMT(after.st_mode) == stat.S_IFMT(before.st_mode)
            assert after.st_ino == before.st_ino
    finally:
        sock.close()
    assert target.read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "fifo",
        "link.json",
        "precious.txt",
        "sock",
    ]


def test_a_regular_file_is_replaced_and_a_new_path_made(tmp_path):
    old = tmp_path / "a.json"
    old.write_text("old", encoding="utf-8")
    write_bytes_atomic(old, b"new")
    write_bytes_atomic(tmp_path / "sub" / "b.json", b"b")
    assert old.read_bytes() == b"new" and (tmp_path / "sub" / "b.json").read_bytes() == b"b"


@pytest.mark.parametrize(
    "argv",
    [
        ["network", "export", NET, "--geojson", "{fifo}"],
        ["network", "export", NET, "--geojson", "{link}"],
        ["network", "export", NET, "--geojson", "/dev/full"],
    ],
)
def test_the_command_line_refuses_special_files_as_outputs(cli, tmp_path, argv):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    link = tmp_path / "link.geojson"
    link.symlink_to(tmp_path / "elsewhere.geojson")
    argv = [str(a).format(fifo=fifo, link=link) for a in argv]
    got = cli(*argv)
    assert got.returncode == 2 and "not a regular file" in got.stderr, got
    assert "wrote" not in got.stdout
    assert stat.S_ISFIFO(fifo.lstat().st_mode) and link.is_symlink()
    assert stat.S_ISCHR(os.lstat("/dev/full").st_mode)


# 3. --force cannot delete the user's work; the swap never leaves no folder -------------------


def test_force_refuses_a_folder_that_holds_the_working_folder(cli, tmp_path):
    parent = tmp_path / "p"
    work = parent / "work"
    work.mkdir(parents=True)
    (parent / "precious.txt").write_text("mine", encoding="utf-8")
    got = cli("run", EXAMPLE, "--out", "..", "--force", cwd=work)
    assert got.returncode == 2 and "working folder" in got.stderr, got
    assert (parent / "precious.txt").read_text(encoding="utf-8") == "mine" and work.is_dir()
    got = cli("run", EXAMPLE, "--out", "/", "--force", cwd=work)
    assert got.returncode == 2 and "Traceback" not in got.stderr


def test_force_refuses_the_home_folder_and_its_parents(cli, tmp_path, monkeypatch):
    home = tmp_path / "users" / "me"
    home.mkdir(parents=True)
    (home / "thesis.tex").write_text("years of work", encoding="utf-8")
    monkeypatch.setenv("HOME", str(home))
    for out in (home, home.parent):
        got = cli("run", EXAMPLE, "--out", out, "--force", cwd=tmp_path)
        assert got.returncode == 2 and "home folder" in got.stderr, (out, got)
    assert (home / "thesis.tex").exists()


def test_force_refuses_a_mount_point_or_a_folder_holding_one(tmp_path, monkeypatch):
    with pytest.raises(SimError, match="is a mount point"):
        check_replaceable(Path("/proc"), "/proc")
    inner = tmp_path / "out" / "data" / "disk"
    inner.mkdir(parents=True)
    # a bind mount on the same disk: os.path.ismount cannot see it, the mount table can
    monkeypatch.setattr(folders, "_mount_points", lambda: [Path("/proc"), inner])
    with pytest.raises(SimError, match="holds a mount point"):
        check_replaceable(tmp_path / "out", "out")
    check_replaceable(tmp_path / "elsewhere", "elsewhere")  # a folder without one is fine


def test_a_run_does_not_replace_a_folder_an_experiment_is_writing(tmp_path):
    sc = sim.load_scenario(EXAMPLE, overrides={"demand.scale": 0.2})
    res = sim.run(sc, seed=1, log_events=False)
    out = tmp_path / "reps"
    with experiment_store(out, sc, 1, {}) as store:
        store.put("r0000", res.kpis())
        with pytest.raises(SimError, match="is writing this folder"):
            write_run(res, out, force=True)
        assert (out / "runs" / "r0000.json").is_file() and (out / "manifest.json").is_file()
    write_run(res, out, force=True)  # free once the experiment is over
    assert not (out / "runs").exists()


def test_a_lock_that_fails_half_way_lets_go_of_the_folder(tmp_path, monkeypatch):
    folder = tmp_path / "reps"
    folder.mkdir()

    def full(*_):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(folders.os, "ftruncate", full)
    with pytest.raises(OSError):
        FolderLock(folder)
    monkeypatch.undo()
    FolderLock(folder).release()  # not held by the failed attempt


def _signal_then_wait(ready, stop):
    ready.set()  # the fork's handlers have run by now
    stop.wait(30)


def test_a_forked_worker_does_not_keep_the_parents_lock(tmp_path):
    import multiprocessing

    folder = tmp_path / "reps"
    folder.mkdir()
    lock = FolderLock(folder)
    ctx = multiprocessing.get_context("fork")
    ready, stop = ctx.Event(), ctx.Event()
    child = ctx.Process(target=_signal_then_wait, args=(ready, stop))
    child.start()  # forked while the lock is held, as a pool's worker is
    try:
        assert ready.wait(30)
        lock.release()
        FolderLock(folder).release()  # the child's copy does not hold the folder
    finally:
        stop.set()
        child.join(10)


@pytest.mark.parametrize("exchange", [True, False], ids=["exchange", "two renames"])
def test_swap_in_puts_the_new_folder_in_place_and_drops_the_old(tmp_path, monkeypatch, exchange):
    if not exchange:
        monkeypatch.setattr(folders, "_exchange", lambda a, b: False)
    folder, fresh = tmp_path / "run", tmp_path / ".run.new-1-1"
    for path, text in ((folder, "old"), (fresh, "new")):
        path.mkdir()
        (path / "kpis.json").write_text(text, encoding="utf-8")
    swap_in(fresh, folder)
    assert (folder / "kpis.json").read_text(encoding="utf-8") == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def test_a_writer_killed_between_its_renames_is_undone_on_the_next_write(tmp_path):
    """The old folder a dead writer left hidden comes back; its half-made new folder goes; a live
    writer's folders stay."""
    gone, me = dead_pid(), os.getpid()
    folder = tmp_path / "run"
    old, new = tmp_path / f".run.old-{gone}-5", tmp_path / f".run.new-{gone}-5"
    live = tmp_path / f".run.new-{me}-7"
    for path in (old, new, live):
        path.mkdir()
    (old / "kpis.json").write_text("the earlier run", encoding="utf-8")
    clean_stale(folder)
    assert (folder / "kpis.json").read_text(encoding="utf-8") == "the earlier run"
    assert sorted(p.name for p in tmp_path.iterdir()) == [live.name, "run"]


def test_a_run_killed_at_any_moment_leaves_the_old_run_or_the_new_one(tmp_path):
    """kill -9 a ``run --out`` at several moments of its write: the folder is always whole, and
    the next run cleans what the killed one left."""
    out = tmp_path / "run"
    argv = [
        sys.executable,
        "-m",
        "sim",
        "run",
        str(EXAMPLE),
        "--out",
        str(out),
        "--set",
        "demand.scale=0.2",
        "--no-events",
    ]
    subprocess.run(argv, check=True, capture_output=True)
    for delay in (0.2, 0.5, 0.8, 1.1, 1.4):
        child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            child.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        assert (out / "manifest.json").is_file() and (out / "kpis.json").is_file(), delay
    subprocess.run(argv, check=True, capture_output=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_a_lock_file_that_is_a_link_is_not_followed(tmp_path):
    folder = tmp_path / "reps"
    folder.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep", encoding="utf-8")
    (folder / ".lock").symlink_to(victim)
    with pytest.raises(OSError):
        FolderLock(folder)
    assert victim.read_text(encoding="utf-8") == "keep"


def test_a_run_folder_written_before_the_supply_and_line_tables_still_loads(tmp_path):
    from sim.results.load import load_run

    sc = sim.load_scenario(EXAMPLE, overrides={"demand.scale": 0.2})
    out = write_run(sim.run(sc, seed=1), tmp_path / "old", fmt="npz")
    for name in ("capacity_changes", "line_visits"):
        (out / f"{name}.npz").unlink()
    assert load_run(out).kpis()["teu.created"] > 0


def test_a_run_whose_network_changed_since_is_refused_like_its_scenario(tmp_path, network_copy):
    from sim.results.load import load_run

    scenario = tmp_path / "s.toml"
    text = EXAMPLE.read_text(encoding="utf-8")
    scenario.write_text(text.replace('"../networks/chongqing_asean"', '"net"'), encoding="utf-8")
    out = write_run(sim.run(sim.load_scenario(scenario), seed=1), tmp_path / "run")
    assert load_run(out).seed == 1
    meta = network_copy / "meta.toml"
    meta.write_text(meta.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    with pytest.raises(SimError, match=r"meta\.toml: changed since the run"):
        load_run(out)


def test_a_full_disk_during_replications_is_one_message_and_resumes(cli, tmp_path, monkeypatch):
    import sim.experiments.run_folder as run_folder

    out = tmp_path / "reps"
    argv = ["run", EXAMPLE, "--replications", "3", "--jobs", "1", "--out", out]
    real = run_folder.write_json_atomic
    calls = []

    def fills_up(path, obj):
        calls.append(path)
        if len(calls) == 3:  # the second run's KPIs (after the manifest and the first run)
            raise OSError(28, "No space left on device")
        return real(path, obj)

    monkeypatch.setattr(run_folder, "write_json_atomic", fills_up)
    got = cli(*argv)
    assert got.returncode == 2 and "Traceback" not in got.stderr
    assert "No space left on device" in got.stderr and "to resume" in got.stderr
    monkeypatch.undo()
    assert cli(*argv).returncode == 0
    assert len(list((out / "runs").glob("r*.json"))) == 3
