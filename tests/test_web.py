"""The planner's workbench (corridor-sim serve): builder, checks, job queue."""

from __future__ import annotations

import json
import re
import threading
import time

import pytest

pytest.importorskip("starlette", reason="the web extra is not installed")

from webkit import EXAMPLE, SMALL, cli_errors, wait, web_client

import sim
from sim.web.builder import build_scenario
from sim.web.jobs import JobQueue


def test_builder_writes_a_file_that_extends_its_parent_and_loads(tmp_path):
    import sim
    from sim.scenario import scenario_diff

    form = {"name": "yyg", "description": "Youyiguan shut", "d1.target": "youyiguan"}
    form |= {"d1.start": "2019-02-01", "d1.days": "30", "d1.effect": "close", **SMALL}
    form |= {"svc": "truck_cq_hanoi", "svc.capacity_teu": "3", "choice.model": "fixed"}
    built = build_scenario(form, tmp_path / "scenarios", EXAMPLE)
    assert built.ok and built.path == tmp_path / "scenarios" / "yyg.toml"
    assert 'extends = "' in built.text and built.path.read_text() == built.text
    alt, base = sim.load_scenario(built.path), sim.load_scenario(EXAMPLE)
    assert alt.files[-2] == str(EXAMPLE)
    changed = {key for key, _, _ in scenario_diff(base, alt)}
    assert {"disruptions.planner_1.target", "services.truck_cq_hanoi.capacity_teu"} <= changed
    assert alt.data["demand"]["scale"] == 0.2 and alt.description == "Youyiguan shut"
    again = build_scenario(form, tmp_path / "scenarios", EXAMPLE)  # a name is not taken twice
    assert "exists already" in again.errors["name"][0]


BAD = {
    "seed": "-1",
    "horizon.start": "soon",
    "demand.scale": "0",
    "demand.chain_scale.road": "x",
    "choice.model": "magic",
    "d1.target": "atlantis",
    "d1.start": "2019-13-01",
    "d1.days": "-3",
    "d1.effect": "melt",
    "d1.factor": "abc",
    "svc": "truck_cq_hanoi",
    "svc.capacity_teu": "-1",
    "svc.per_day": "0",
}


def test_bad_input_in_every_field_gets_the_clis_message_beside_it_and_saves_nothing(tmp_path):
    folder = tmp_path / "scenarios"
    built = build_scenario({"name": "bad", **BAD}, folder, EXAMPLE)
    assert not built.ok and not (folder / "bad.toml").exists()
    assert not list(folder.iterdir())  # the file checked is gone too
    for field in set(BAD) - {"svc"}:
        assert built.errors.get(field), field  # a message beside every field
    shown = [m for messages in built.errors.values() for m in messages]
    # The same file given to the command line: the same rules and values, each said of the
    # form's field instead of the file and key the builder wrote (no path, no planner_1).
    path = folder / "bad.toml"
    path.write_text(built.text)
    status, lines = cli_errors(path)
    assert status == 2 and len(lines) == len(shown)
    said = sorted(m.split(": ", 1)[1] for m in shown)
    assert said == sorted(line.split(": ", 2)[2] for line in lines)
    assert not any("/" in m.split(": ", 1)[0] or "planner_" in m for m in shown)
    assert built.errors["d1.start"] == [
        "Closure 1 — start: must be a date or a local date-time, got '2019-13-01'"
    ]
    per_day = "Service — departures a day: must be in [1, 1440], got 0"
    assert built.errors["svc.per_day"] == [per_day]
    bad_name = build_scenario({"name": "Bad Name!"}, folder, EXAMPLE)
    assert bad_name.errors["name"] == [
        "Name: must be lower-case letters, digits and _, starting with a letter, at most 64 "
        "characters (it names the file), got 'Bad Name!'"
    ]


def test_run_form_checks_like_the_cli_and_starts_nothing_on_bad_input(workspace):
    with web_client(workspace, start_jobs=False) as client:
        form = {"scenario": "small", "replications": "0", "seed": "x", "jobs": "-2"}
        r = client.post("/run", data=form | {"executor": "process", "address": "tcp://h:1"})
        assert r.status_code == 200  # the form again, with the messages (a 422 logs an error)
        errors = dict(re.findall(r'data-field="(\w+)">([^<]*)<', r.text))
        status, lines = cli_errors(EXAMPLE, "--replications", "0")  # the CLI's rule, in words
        assert status == 2 and "argument --replications: must be >= 1, got 0" in lines[-1]
        assert errors["replications"] == "Replications: must be &gt;= 1, got 0"
        assert errors["seed"] == "Seed: must be a whole number, got &#39;x&#39;"
        assert errors["jobs"] == "Workers: must be &gt;= 0, got -2"
        assert errors["address"].startswith("Cluster address: only for runs on a cluster")
        assert "--" not in "".join(errors.values())  # no command-line option names
        assert client.app.state.wb.jobs.all() == []


def test_two_queued_runs_both_finish_and_show_their_results(workspace):
    with web_client(workspace) as client:
        ids = []
        for seed in ("1", "2"):
            form = {"scenario": "small", "replications": "2", "seed": seed, "executor": "serial"}
            r = client.post("/run", data=form, follow_redirects=False)
            assert r.status_code == 303
            ids.append(r.headers["location"].rsplit("/", 1)[1])
        wait(client.app.state.wb.jobs)
        for job_id in ids:
            assert client.get(f"/jobs/{job_id}/status").json() == {
                "state": "done",
                "done": 2,
                "total": 2,
                "error": "",
                "cancelling": False,
            }
            page = client.get(f"/jobs/{job_id}").text
            assert "TEU created" in page and 'id="posts"' in page
        data = client.get(f"/jobs/{ids[0]}/animation.json").json()
        assert data["vehicles"] and "youyiguan" in {n["id"] for n in data["nodes"]}
        kpis = client.get(f"/jobs/{ids[0]}/download/kpis.csv").text.splitlines()
        assert kpis[0] == "kpi,mean,ci_low,ci_high,n,label"
        waits = re.compile(r'border_wait_h\.youyiguan\.mean,.*,"wait at Youyiguan / Huu Nghi, mean')
        assert any(waits.match(k) for k in kpis)
        toml = client.get(f"/jobs/{ids[0]}/download/scenario.toml").text
        assert re.search(r'^extends = "/.*example.toml"$', toml, re.M)
        assert client.get(f"/jobs/{ids[0]}/tables/departures.csv").text.startswith("service,")
        assert client.get("/").status_code == 200  # the library lists the last results


def test_a_comparison_runs_paired_replications_and_shows_the_diversion(workspace):
    import sim

    closed = {"name": "small_closed", "d1.target": "youyiguan", "d1.start": "2019-01-10"}
    closed |= {"d1.days": "20", "d1.effect": "close"}
    parent = workspace / "scenarios" / "small.toml"
    assert build_scenario(closed, workspace / "scenarios", parent).ok
    with web_client(workspace) as client:
        bad = client.post("/compare", data={"alt": "nowhere", "replications": "0"})
        assert "Alternative: no scenario" in bad.text and "Replications: must be" in bad.text
        assert client.app.state.wb.jobs.all() == []  # nothing started
        form = {"alt": "small_closed", "replications": "2", "seed": "3", "executor": "serial"}
        r = client.post("/compare", data=form, follow_redirects=False)  # base: its parent
        assert r.status_code == 303
        job_id = r.headers["location"].rsplit("/", 1)[1]
        wait(client.app.state.wb.jobs)
        assert client.get(f"/jobs/{job_id}/status").json()["state"] == "done"
        page = client.get(f"/jobs/{job_id}").text
        # What changed, said with the network's names (not disruptions.planner_1.target).
        assert "Changes: Youyiguan / Huu Nghi closed from 2019-01-10 to 2019-01-30" in page
    saved = json.loads((workspace / "runs" / job_id / "comparison.json").read_text())
    base = sim.replicate(sim.load_scenario(parent), n=2, seed=3, workers=sim.Workers("serial"))
    by_kpi = {row["kpi"]: row for row in saved["kpis"]}
    assert by_kpi["teu.created"]["base_mean"] == base.summary("teu.created")["mean"]


def test_a_restart_loses_no_finished_replication(workspace):
    from sim.web.jobs import run_job

    root = workspace / "runs"
    slow_started = threading.Event()

    def slow(job, root, cancelled):  # a batch at a time, the server stops after the first
        def stop_after_first() -> bool:
            if job.finished_runs(root) >= 2:
                slow_started.set()
                return cancelled()
            return False

        return run_job(job, root, stop_after_first)

    first = JobQueue(root, slow)
    first.start()
    job = first.submit(
        "run", [str(workspace / "scenarios" / "small.toml")], 6, 3, executor="serial"
    )
    assert slow_started.wait(60)
    first.stop(timeout=60)  # the server stops: the job stays "running", two replications kept
    kept = {p.name: p.read_bytes() for p in (root / job.id / "reps" / "runs").glob("r*.json")}
    stamps = {
        p.name: p.stat().st_mtime_ns for p in (root / job.id / "reps" / "runs").glob("r*.json")
    }
    assert len(kept) >= 2 and first.get(job.id).state == "running"
    second = JobQueue(root)  # the server starts again: the job resumes
    second.start()
    wait(second)
    done = second.get(job.id)
    assert done.state == "done" and done.finished_runs(root) == 6
    for name, data in kept.items():  # the finished replications were not run again
        path = root / job.id / "reps" / "runs" / name
        assert path.read_bytes() == data and path.stat().st_mtime_ns == stamps[name]
    second.stop()


def test_cancel_stops_a_job_and_resume_finishes_it(workspace):
    root = workspace / "runs"
    queue = JobQueue(root)
    small = str(workspace / "scenarios" / "small.toml")
    job = queue.submit("run", [small], 4, 1, executor="serial")
    queue.cancel(job.id)  # still queued: it never starts
    queue.start()
    assert queue.get(job.id).state == "cancelled"
    queue.resume(job.id)
    wait(queue)
    assert queue.get(job.id).state == "done" and queue.get(job.id).finished_runs(root) == 4
    queue.stop()


def test_a_full_disk_leaves_no_half_job_and_the_queue_goes_on(workspace, monkeypatch):
    import sim.web.jobs as jobs

    root = workspace / "runs"
    queue = JobQueue(root, lambda job, root, cancelled: True)
    small = str(workspace / "scenarios" / "small.toml")

    def full(*_):
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(jobs, "write_json_atomic", full)
        with pytest.raises(sim.SimError, match="No space left on device"):
            queue.submit("run", [small], 1, 1, executor="serial")
    assert not list(root.glob("j*"))  # no job folder without its job.json
    first = queue.submit("run", [small], 1, 1, executor="serial")
    second = queue.submit("run", [small], 1, 1, executor="serial")
    saved = queue.save

    def save_fails_once(job):  # the disk fills as the first job ends
        if job.id == first.id and job.state == "done":
            raise OSError(28, "No space left on device")
        saved(job)

    monkeypatch.setattr(queue, "save", save_fails_once)
    queue.start()
    deadline = time.monotonic() + 60
    while queue.get(second.id).state != "done" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert queue.get(second.id).state == "done"  # the thread survived the first job's failure
    failed = queue.get(first.id)  # not "running" forever: failed, saying why
    assert failed.state == "failed" and "No space left on device" in failed.error
    monkeypatch.setattr(queue, "save", saved)  # space again: resume finishes it
    queue.resume(first.id)
    wait(queue)
    assert queue.get(first.id).state == "done"
    queue.stop()
