"""The workbench's answers to wrong requests: unknown jobs and actions, unfinished downloads."""

from __future__ import annotations

import pytest

pytest.importorskip("starlette", reason="the web extra is not installed")

from conftest import ROOT
from webkit import web_client


def test_unknown_actions_unfinished_downloads_and_unknown_jobs(workspace):
    with web_client(workspace, start_jobs=False) as client:
        jobs = client.app.state.wb.jobs
        job = jobs.submit("run", [str(workspace / "scenarios" / "small.toml")], 1, 1)
        r = client.post(f"/jobs/{job.id}/start-everything", follow_redirects=False)
        assert r.status_code == 404 and jobs.get(job.id).state == "queued"
        for url in ("download/kpis.csv", "download/run.zip", "tables/departures.csv"):
            r = client.get(f"/jobs/{job.id}/{url}")
            assert r.status_code == 409 and "the job has not finished" in r.text, url
        assert client.get(f"/jobs/{job.id}/animation.json").status_code == 409
        r = client.get("/jobs/j9999-none/status")
        assert r.status_code == 404 and "j9999-none" in r.json()["error"]
        assert client.get("/jobs/j9999-none").status_code == 404


def test_an_unknown_compare_base_is_named(workspace):
    form = {"alt": "small", "base": "nowhere", "replications": "1", "executor": "serial"}
    with web_client(workspace, start_jobs=False) as client:
        r = client.post("/compare", data=form)
        assert "Base: no scenario &#39;nowhere&#39; in the library" in r.text
        assert "has no parent" not in r.text


def test_a_sim_error_other_than_an_unknown_thing_is_a_400(workspace):
    from sim.errors import SimError
    from sim.web.app import create_app

    app = create_app(workspace, ROOT / "scenarios", "serial", start_jobs=False)

    async def broken(request):
        raise SimError("the scenario's horizon ends before it starts")

    from starlette.routing import Route
    from starlette.testclient import TestClient

    app.router.routes.insert(0, Route("/broken", broken))
    with TestClient(app, base_url="http://localhost") as client:
        r = client.get("/broken")
        assert r.status_code == 400 and "horizon ends before" in r.text
        assert "Not found" not in r.text


def test_rows_filled_in_without_a_target_or_service_are_errors_and_nothing_is_saved(tmp_path):
    import tomllib

    from webkit import EXAMPLE

    from sim.web.builder import build_scenario, toml_text

    folder = tmp_path / "scenarios"
    row = {"d1.start": "2019-01-10", "d1.days": "20", "d1.effect": "close"}
    built = build_scenario({"name": "a", **row, "svc.per_day": "3"}, folder, EXAMPLE)
    assert built.errors["d1.target"] == ["Closure 1 — what: pick what to close or slow"]
    assert built.errors["svc"] == ["Service: pick the service to change"]
    assert not folder.exists() or not list(folder.glob("*.toml"))
    built = build_scenario(
        {"name": "b", "svc": "nowhere_express", "svc.per_day": "3"}, folder, EXAMPLE
    )
    assert built.errors == {"svc": ["Service: unknown service 'nowhere_express'"]}
    assert not folder.exists() or not list(folder.glob("*.toml"))
    # An untouched effect (the form always sends one) is not a filled-in row.
    assert build_scenario({"name": "c", "d1.effect": "close"}, folder, EXAMPLE).ok
    text = toml_text({"description": "a\x7fb"})
    assert "\x7f" not in text and tomllib.loads(text)["description"] == "a\x7fb"


def test_workers_beyond_the_cores_are_capped_with_the_clis_note(workspace, monkeypatch):
    import os

    import sim.cli.argtypes as argtypes
    import sim.cli.serve_cmd as serve_cmd
    import sim.web.run_form as run_form

    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    form = {"scenario": "small", "replications": "1", "executor": "serial", "jobs": "64"}
    with web_client(workspace, start_jobs=False) as client:
        r = client.post("/run", data=form, follow_redirects=False)
        job = client.app.state.wb.jobs.all()[0]
        assert r.status_code == 303 and job.jobs == 2
        assert (
            "note: 64 workers asked for, more than the 2 cores here: using 2"
            in client.get(r.headers["location"]).text
        )
        r = client.post("/run", data=form | {"address": "tcp://h:8786"})
        assert "Cluster address: only for runs on a cluster: pick" in r.text
    # One check of the address, used by the command line, serve and the forms.
    for module in (run_form, serve_cmd):
        assert module.check_address is argtypes.check_address


def test_serve_refuses_a_missing_library_and_a_busy_port_and_brackets_ipv6(
    cli, tmp_path, monkeypatch
):
    import socket

    import uvicorn

    import sim.cli.serve_cmd as serve_cmd

    ws = tmp_path / "ws"
    r = cli("serve", "--workspace", ws, "--scenarios", tmp_path / "nowhere")
    assert r.returncode == 2 and "nowhere" in r.stderr and "no such folder" in r.stderr
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        r = cli("serve", "--workspace", ws, "--scenarios", ROOT / "scenarios", "--port", port)
    assert r.returncode == 2 and f"127.0.0.1:{port}" in r.stderr
    assert "workbench on" not in r.stdout
    served = []
    monkeypatch.setattr(serve_cmd, "listen", lambda host, port: socket.socket())
    monkeypatch.setattr(uvicorn.Server, "run", lambda self, sockets=None: served.append(sockets))
    r = cli("serve", "--workspace", ws, "--scenarios", ROOT / "scenarios", "--host", "::1")
    assert r.returncode == 0 and "http://[::1]:8000/" in r.stdout and served


def test_the_jobs_list_says_submitted_and_counts_a_comparisons_pairs(workspace):
    small = str(workspace / "scenarios" / "small.toml")
    with web_client(workspace, start_jobs=False) as client:
        jobs = client.app.state.wb.jobs
        job = jobs.submit("compare", [small, small], 3, 1)
        for side in ("base", "alt"):
            runs = jobs.root / job.id / side / "runs"
            runs.mkdir(parents=True)
            (runs / "r0000.json").write_text("{}")
        (jobs.root / job.id / "base" / "runs" / "r0001.json").write_text("{}")
        text = client.get("/jobs").text
        assert "<th>submitted</th>" in text and "<th>started</th>" not in text
        assert "<td>1 / 3 pairs</td>" in text


def test_the_kpi_csv_writes_every_number_so_that_it_reads_back():
    from sim.web import results

    assert results.kpi_csv({"a": {"mean": 1, "ci_low": 0.5, "ci_high": 2.25, "n": 3}}) == (
        "kpi,mean,ci_low,ci_high,n,label\na,1.0,0.5,2.25,3,a\n"
    )
