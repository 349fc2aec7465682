"""The planner's workbench (corridor-sim serve): builder, checks, job queue, and a real browser."""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("starlette", reason="the web extra is not installed")

from conftest import ROOT

from sim.web.builder import build_scenario
from sim.web.jobs import JobQueue

EXAMPLE = ROOT / "scenarios" / "example.toml"
SMALL = {"demand.scale": "0.2", "horizon.end": "2019-02-15"}  # a fast run of the example


def _cli_errors(path: Path, *args: str) -> tuple[int, list[str]]:
    """Exit status and message lines of ``corridor-sim run PATH ARGS``."""
    import sim.cli

    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            status = sim.cli.main(["run", str(path), *args])
        except SystemExit as exc:  # argparse
            status = int(exc.code or 0)
    lines = err.getvalue().splitlines()
    return status, [line for line in lines if line and not line.startswith("corridor-sim: error")]


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
    for field in set(BAD) - {"svc"}:
        assert built.errors.get(field), field  # a message beside every field
    # The same file given to the command line: the same messages, word for word.
    path = folder / "bad.toml"
    path.write_text(built.text)
    status, lines = _cli_errors(path)
    shown = sorted(m for messages in built.errors.values() for m in messages)
    assert status == 2 and sorted(lines) == shown
    bad_name = build_scenario({"name": "Bad Name!"}, folder, EXAMPLE)
    assert bad_name.errors["name"] == [
        "name: must match [a-z][a-z0-9_]*, at most 64 characters "
        "(it names the file), got 'Bad Name!'"
    ]


@pytest.fixture
def workspace(tmp_path):
    """A workspace holding a small scenario (the example, a fifth of its demand, 6 weeks)."""
    built = build_scenario({"name": "small", **SMALL}, tmp_path / "scenarios", EXAMPLE)
    assert built.ok, built.errors
    return tmp_path


def _client(workspace: Path, start_jobs: bool = True):
    from starlette.testclient import TestClient

    from sim.web.app import create_app

    return TestClient(create_app(workspace, ROOT / "scenarios", "serial", start_jobs=start_jobs))


def _wait(queue: JobQueue, timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while not queue.idle():
        assert time.monotonic() < end, "jobs did not finish"
        time.sleep(0.1)


def test_run_form_checks_like_the_cli_and_starts_nothing_on_bad_input(workspace):
    with _client(workspace, start_jobs=False) as client:
        form = {"scenario": "small", "replications": "0", "seed": "x", "jobs": "-2"}
        r = client.post("/run", data=form | {"executor": "process", "address": "tcp://h:1"})
        assert r.status_code == 200  # the form again, with the messages (a 422 logs an error)
        errors = dict(re.findall(r'data-field="(\w+)">([^<]*)<', r.text))
        status, lines = _cli_errors(EXAMPLE, "--replications", "0")
        assert status == 2 and errors["replications"].replace("&gt;", ">") in lines[-1]
        assert errors["seed"] == "argument --seed: must be a whole number, got &#39;x&#39;"
        assert "argument --jobs" in errors["jobs"] and "needs --executor dask" in errors["address"]
        assert client.app.state.wb.jobs.all() == []


def test_two_queued_runs_both_finish_and_show_their_results(workspace):
    with _client(workspace) as client:
        ids = []
        for seed in ("1", "2"):
            form = {"scenario": "small", "replications": "2", "seed": seed, "executor": "serial"}
            r = client.post("/run", data=form, follow_redirects=False)
            assert r.status_code == 303
            ids.append(r.headers["location"].rsplit("/", 1)[1])
        _wait(client.app.state.wb.jobs)
        for job_id in ids:
            assert client.get(f"/jobs/{job_id}/status").json() == {
                "state": "done",
                "done": 2,
                "total": 2,
                "error": "",
            }
            page = client.get(f"/jobs/{job_id}").text
            assert "TEU created" in page and 'id="posts"' in page
        data = client.get(f"/jobs/{ids[0]}/animation.json").json()
        assert data["vehicles"] and "youyiguan" in {n["id"] for n in data["nodes"]}
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
    with _client(workspace) as client:
        bad = client.post("/compare", data={"alt": "nowhere", "replications": "0"})
        assert "alt: no scenario" in bad.text and "replications" in bad.text
        assert client.app.state.wb.jobs.all() == []  # nothing started
        form = {"alt": "small_closed", "replications": "2", "seed": "3", "executor": "serial"}
        r = client.post("/compare", data=form, follow_redirects=False)  # base: its parent
        assert r.status_code == 303
        job_id = r.headers["location"].rsplit("/", 1)[1]
        _wait(client.app.state.wb.jobs)
        assert client.get(f"/jobs/{job_id}/status").json()["state"] == "done"
        page = client.get(f"/jobs/{job_id}").text
        assert "Youyiguan" in page and "closed" in page
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
    _wait(second)
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
    _wait(queue)
    assert queue.get(job.id).state == "done" and queue.get(job.id).finished_runs(root) == 4
    queue.stop()


# -- the browser ----------------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"


@contextlib.contextmanager
def _server(workspace: Path):
    import uvicorn

    from sim.web.app import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app(workspace, ROOT / "scenarios")
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)


def test_in_a_real_browser_youyiguan_closed_in_february(tmp_path):
    """Build, run 3 replications, read the answer, download the TOML, rerun it, animate."""
    playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no browser at {CHROMIUM} (apt-get install chromium)")
    errors: list[str] = []
    with _server(tmp_path / "ws") as base, playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(accept_downloads=True, viewport={"width": 1280, "height": 900})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(base + "/")
        page.wait_for_selector("#sc-baseline_2019_choice")
        page.click("#sc-baseline_2019_choice >> text=What-if")
        page.fill("input[name=name]", "youyiguan_closed_feb")
        page.fill("input[name=description]", "Youyiguan closed 30 days in February")
        page.select_option("select[name='d1.target']", "youyiguan")
        page.fill("input[name='d1.start']", "2019-02-01")
        page.fill("input[name='d1.days']", "thirty")  # bad input: the loader's message, no file
        page.click("button.primary")
        assert "disruptions.planner_1.days: must be a number, got 'thirty'" in page.inner_text(
            "[data-field='d1.days']"
        )
        page.fill("input[name='d1.days']", "30")
        page.click("button.primary")
        page.wait_for_url("**/run?scenario=youyiguan_closed_feb*")
        page.fill("input[name=replications]", "3")
        page.fill("input[name=seed]", "7")
        page.click("button.primary")
        page.wait_for_selector("#headline", timeout=120_000)  # the page reloads when done
        answer = page.inner_text("#headline")
        assert re.search(r"diverted [\d,]+ \[", answer), answer
        youyiguan = page.inner_text("#posts tr:has-text('Youyiguan')")
        assert re.search(r"\d", youyiguan)
        with page.expect_download() as download:
            page.click("#dl-toml")
        toml = tmp_path / "youyiguan_closed_feb.toml"
        download.value.save_as(toml)
        # The animation plays and its clock advances.
        page.click("text=Watch the corridor move")
        page.wait_for_function("document.getElementById('anim').dataset.ready === '1'")
        page.click("#play")
        page.wait_for_timeout(1500)
        assert float(page.get_attribute("#anim", "data-clock-h")) > 0
        browser.close()
    assert errors == []
    # The downloaded file, run by the command line on the same seed: the same KPIs to the digit.
    out = tmp_path / "cli"
    status, _ = _cli_errors(toml, "--replications", "3", "--seed", "7", "--out", str(out))
    assert status == 0
    job = next((tmp_path / "ws" / "runs").glob("j*/reps"))
    assert json.loads((out / "kpis.json").read_text()) == json.loads(
        (job / "kpis.json").read_text()
    )
    shutil.rmtree(out)
