"""The workbench's guards: what-ifs of what-ifs, escaping, foreign requests, portable downloads."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

pytest.importorskip("starlette", reason="the web extra is not installed")

from conftest import ROOT
from webkit import EXAMPLE, SMALL, wait, web_client

from sim.web.builder import build_scenario

CLOSE = {"d1.start": "2019-01-10", "d1.days": "20", "d1.effect": "close"}


def test_a_what_if_of_a_what_if_keeps_its_parents_disruption(tmp_path):
    import sim

    folder = tmp_path / "scenarios"
    first = build_scenario(
        {"name": "a", "d1.target": "youyiguan", **CLOSE, **SMALL}, folder, EXAMPLE
    )
    assert first.ok, first.errors
    assert first.path is not None
    second = build_scenario(
        {"name": "b", "d1.target": "pingxiang_dongdang", **CLOSE}, folder, first.path
    )
    assert second.ok, second.errors
    assert second.path is not None
    targets = {d.id: d.target for d in sim.load_scenario(second.path).disruptions}
    assert targets == {"planner_1": "youyiguan", "planner_2": "pingxiang_dongdang"}


def _evil_network(tmp_path: Path) -> Path:
    """The corridor's network with Youyiguan's name ending a script element."""
    net = tmp_path / "net"
    shutil.copytree(ROOT / "networks" / "chongqing_asean", net)
    nodes = net / "nodes.csv"
    nodes.write_text(nodes.read_text().replace(",Youyiguan", f",{EVIL}", 1))
    return net


EVIL = "Youyiguan </script><script>alert(1)</script>"


def test_a_name_holding_a_script_end_tag_stays_inside_the_pages_json(workspace):
    net = _evil_network(workspace)
    toml = f'name = "evil"\nextends = "small.toml"\nnetwork = "{net.as_posix()}"\n'
    (workspace / "scenarios" / "evil.toml").write_text(toml)
    form = {"replications": "1", "seed": "1", "executor": "serial"}
    with web_client(workspace) as client:
        ids = []
        for data in ({"scenario": "evil"}, {"alt": "evil", "base": "small"}):
            page = "/run" if "scenario" in data else "/compare"
            r = client.post(page, data=form | data, follow_redirects=False)
            ids.append(r.headers["location"].rsplit("/", 1)[1])
        wait(client.app.state.wb.jobs)
        for job_id in ids:
            assert client.get(f"/jobs/{job_id}/status").json()["state"] == "done"
            text = client.get(f"/jobs/{job_id}").text
            assert "<script>alert(1)" not in text
            scripts = re.findall(r'type="application/json">(.*?)</script>', text, re.S)
            assert scripts and all(json.loads(s) is not None for s in scripts)
            assert any("\\u003c/script\\u003e" in s for s in scripts), job_id


def test_a_foreign_site_can_neither_post_nor_rebind_a_host_name(workspace):
    form = {"scenario": "small", "replications": "1", "executor": "serial"}
    with web_client(workspace, start_jobs=False) as client:
        foreign = client.post("/run", data=form, headers={"Origin": "http://evil.example"})
        assert foreign.status_code == 403 and "evil.example" in foreign.text
        assert client.app.state.wb.jobs.all() == []  # nothing started
        assert client.get("/", headers={"Host": "evil.example"}).status_code == 400
        own = client.post(
            "/run", data=form, headers={"Origin": "http://localhost"}, follow_redirects=False
        )
        assert own.status_code == 303 and len(client.app.state.wb.jobs.all()) == 1
        assert client.get("/", headers={"Host": "127.0.0.1:8000"}).status_code == 200
        assert client.get("/", headers={"Host": "[::1]:8000"}).status_code == 200


def test_no_page_of_the_workbench_may_be_framed_by_another_site(workspace):
    with web_client(workspace, start_jobs=False) as client:
        for page in ("/", "/builder", "/run", "/compare", "/no-such-page"):
            r = client.get(page)
            assert r.headers["x-frame-options"] == "DENY", page
            assert r.headers["content-security-policy"] == "frame-ancestors 'none'", page
        refused = client.post("/run", data={}, headers={"Origin": "http://evil.example"})
        assert refused.status_code == 403 and refused.headers["x-frame-options"] == "DENY"


def test_a_server_error_is_not_framed_either(workspace):
    def bug() -> None:
        raise RuntimeError("a bug in a page")

    with web_client(workspace, start_jobs=False, raise_server_exceptions=False) as client:
        client.app.state.wb.library.entries = bug
        r = client.get("/")
        assert r.status_code == 500 and "a bug in a page" not in r.text
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["content-security-policy"] == "frame-ancestors 'none'"


def _odd_root(workspace: Path) -> None:
    """A root scenario naming its network with odd quoting and spacing, and a what-if of it."""
    net = os.path.relpath(ROOT / "networks" / "chongqing_asean", workspace / "scenarios")
    text = (ROOT / "scenarios" / "example.toml").read_text()
    text = text.replace('network = "../networks/chongqing_asean"', f"  \"network\"  =  '{net}' # x")
    (workspace / "scenarios" / "root.toml").write_text(
        text.replace("end = 2019-04-01", "end = 2019-02-01")
    )
    what = "name = 'what'\n extends='root.toml'   # its parent\n[demand]\nscale = 0.5\n"
    (workspace / "scenarios" / "what.toml").write_text(what)


def test_downloaded_scenarios_load_from_any_folder_and_outlive_their_files(
    workspace, tmp_path_factory
):
    import sim

    _odd_root(workspace)
    form = {"replications": "1", "seed": "1", "executor": "serial"}
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    with web_client(workspace) as client:
        ids = {}
        for key in ("root", "what"):
            r = client.post("/run", data=form | {"scenario": key}, follow_redirects=False)
            ids[key] = r.headers["location"].rsplit("/", 1)[1]
        wait(client.app.state.wb.jobs)
        for key, job_id in ids.items():
            assert client.get(f"/jobs/{job_id}/status").json()["state"] == "done"
            copy = elsewhere / f"{key}.toml"
            copy.write_text(client.get(f"/jobs/{job_id}/download/scenario.toml").text)
            loaded = sim.load_scenario(copy)
            assert loaded.network is not None and loaded.horizon.end.month == 2
            assert loaded.data["demand"].get("scale") == (0.5 if key == "what" else None)
        # The scenario files go: the finished jobs still show and give their results.
        for key in ("root", "what"):
            (workspace / "scenarios" / f"{key}.toml").rename(elsewhere / f"{key}.gone")
        for job_id in ids.values():
            assert client.get(f"/jobs/{job_id}").status_code == 200
            r = client.get(f"/jobs/{job_id}/download/scenario.toml")
            assert r.status_code == 200 and ("extends" in r.text or "network" in r.text)
            assert client.get(f"/jobs/{job_id}/download/kpis.csv").status_code == 200


def test_a_cancel_during_the_only_batch_ends_the_job_cancelled_and_resume_finishes_it(workspace):
    from sim.web.jobs import JobQueue, run_job

    root = workspace / "runs"

    def cancel_in_the_batch(job, root, cancelled):
        def check() -> bool:
            if job.finished_runs(root) >= 1:  # the batch ran: the planner had pressed Cancel
                queue.cancel(job.id)
            return cancelled()

        return run_job(job, root, check)

    queue = JobQueue(root, cancel_in_the_batch)
    job = queue.submit(
        "run", [str(workspace / "scenarios" / "small.toml")], 1, 1, executor="serial"
    )
    queue.start()
    wait(queue)
    assert queue.get(job.id).state == "cancelled" and job.finished_runs(root) == 1
    queue.runner = run_job
    queue.resume(job.id)
    wait(queue)
    assert queue.get(job.id).state == "done"
    queue.stop()


def test_the_page_of_a_cancelled_running_job_says_it_waits_for_its_batch(workspace):
    with web_client(workspace, start_jobs=False) as client:
        jobs = client.app.state.wb.jobs
        job = jobs.submit("run", [str(workspace / "scenarios" / "small.toml")], 2, 1)
        job.state = "running"
        jobs.save(job)
        assert '<span id="cancelling">' not in client.get(f"/jobs/{job.id}").text
        client.post(f"/jobs/{job.id}/cancel")
        text = client.get(f"/jobs/{job.id}").text
        assert '<span id="cancelling">cancelling after the current batch' in text
        assert client.get(f"/jobs/{job.id}/status").json()["cancelling"] is True


def test_the_library_reloads_a_fixed_file_and_survives_a_deleted_parent(workspace):
    folder = workspace / "scenarios"
    bad = folder / "bad.toml"
    bad.write_text('name = "bad"\nextends = "small.toml"\nseed = -1\n')
    (folder / "kid.toml").write_text('name = "kid"\nextends = "bad.toml"\n')
    with web_client(workspace, start_jobs=False) as client:
        library = client.app.state.wb.library
        assert library.get("bad").scenario is None and "seed" in library.get("bad").error
        bad.write_text('name = "bad"\nextends = "small.toml"\nseed = 4\n')
        later = bad.stat().st_mtime + 10
        os.utime(bad, (later, later))
        assert library.get("bad").scenario is not None  # fixed: loaded again
        assert library.get("kid").scenario is not None
        bad.unlink()  # the parent goes
        page = client.get("/")
        assert page.status_code == 200 and "bad.toml" in page.text
        kid = library.get("kid")
        assert kid.scenario is None and "bad.toml" in kid.error


def test_an_unreadable_job_file_is_skipped_with_a_warning(workspace, caplog):
    for job_id, text in (("j0008-torn", "{not json"), ("j0009-odd", '{"colour": 1}')):
        (workspace / "runs" / job_id).mkdir(parents=True)
        (workspace / "runs" / job_id / "job.json").write_text(text)
    with web_client(workspace) as client:  # the job thread starts: it reads every job
        page = client.get("/jobs")
        assert page.status_code == 200 and page.text.count("warning: ") == 2
        assert "j0008-torn" in page.text and client.get("/").status_code == 200
        assert client.get("/jobs/j0009-odd").status_code == 404
    assert "j0008-torn" in caplog.text
