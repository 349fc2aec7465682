"""How ``corridor-sim`` ends: the exit status and the one message of each kind of failure."""

from __future__ import annotations

import json
import multiprocessing
import os
import sys

import pytest
from conftest import NETWORK_DIR, ROOT

import sim

EXAMPLE = ROOT / "scenarios" / "example.toml"


def test_no_command_and_help_are_usage(cli):
    res = cli()
    assert res.returncode == 2 and "the following arguments are required: COMMAND" in res.stderr
    res = cli("--help")
    assert res.returncode == 0
    for command in ("run", "validate", "calibrate", "compare", "sweep", "sensitivity", "plot"):
        assert command in res.stdout


def test_a_number_that_is_not_whole_is_a_usage_error(cli):
    res = cli("run", EXAMPLE, "--seed", "abc")
    assert res.returncode == 2
    assert "argument --seed: must be a whole number, got 'abc'" in res.stderr


def test_debug_shows_the_traceback_of_an_input_error(cli, tmp_path):
    missing = tmp_path / "missing.toml"
    res = cli("run", missing)
    assert res.returncode == 2 and f"{missing}: scenario file not found" in res.stderr
    with pytest.raises(sim.ScenarioError, match="scenario file not found"):
        cli("--debug", "run", missing)


def test_a_broken_invariant_is_a_bug_and_keeps_its_traceback(cli, monkeypatch):
    def broken(*args, **kwargs):
        raise sim.ModelError("TEU created != delivered + in the system")

    monkeypatch.setattr("sim.model.corridor.check_invariants", broken)
    with pytest.raises(sim.ModelError, match="TEU created"):
        cli("run", EXAMPLE)  # not exit 2: a user could not fix it by changing the input


def test_a_file_that_cannot_be_written_names_the_path(cli, tmp_path):
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    res = cli("network", "export", NETWORK_DIR, "--geojson", a_file / "net.geojson")
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert res.stderr.startswith(f"corridor-sim: error:\n{a_file}: ")


def test_output_into_a_closed_pipe_ends_quietly(cli, monkeypatch):
    class ClosedPipe:
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self):
            pass

    monkeypatch.setattr(sys, "stdout", ClosedPipe())  # `corridor-sim network show ... | head -1`
    assert cli("network", "show", NETWORK_DIR).returncode == 0


def test_ctrl_c_keeps_the_finished_runs_and_the_same_command_resumes(cli, monkeypatch, tmp_path):
    from sim.model import corridor

    check, runs = corridor.check_invariants, []

    def interrupted_in_the_second_run(*args, **kwargs):
        runs.append(1)
        if len(runs) == 2:
            raise KeyboardInterrupt
        return check(*args, **kwargs)

    out = tmp_path / "reps"
    command = ("run", EXAMPLE, "--replications", "3", "--jobs", "1", "--out", out)
    with monkeypatch.context() as patch:
        patch.setattr(corridor, "check_invariants", interrupted_in_the_second_run)
        res = cli(*command)
    assert res.returncode == 130
    assert res.stderr == (
        f"corridor-sim: interrupted; finished runs are kept in {out}: "
        "run the same command again to resume\n"
    )
    assert sorted(p.name for p in (out / "runs").glob("*.json")) == ["r0000.json"]
    assert cli(*command).returncode == 0  # resumed: the two runs left
    fresh = tmp_path / "fresh"
    assert cli(*command[:-1], fresh).returncode == 0
    resumed = json.loads((out / "kpis.json").read_text(encoding="utf-8"))
    assert resumed == json.loads((fresh / "kpis.json").read_text(encoding="utf-8"))


@pytest.mark.skipif(
    multiprocessing.get_all_start_methods()[0] != "fork",  # the default comes first
    reason="the worker inherits the patch by fork",
)
def test_a_worker_that_dies_is_named_and_exits_1(cli, monkeypatch, tmp_path):
    from sim.model import corridor

    suite = os.getpid()

    def killed_when_a_worker(*args, **kwargs):
        if os.getpid() != suite:
            os._exit(9)  # as the kernel's out-of-memory killer would end it

    monkeypatch.setattr(corridor, "check_invariants", killed_when_a_worker)
    out = tmp_path / "reps"
    res = cli("run", EXAMPLE, "--replications", "2", "--jobs", "2", "--out", out)
    assert res.returncode == 1
    assert res.stderr.startswith("corridor-sim: a worker died (")
    assert f"finished runs are kept in {out}: run the same command again" in res.stderr
