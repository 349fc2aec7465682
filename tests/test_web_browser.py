"""The planner's workbench in a real browser: build, run, read, download, rerun, animate."""

from __future__ import annotations

import contextlib
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
from webkit import cli_errors

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


@pytest.mark.slow
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
        assert "Closure 1 — days: must be a number, got 'thirty'" in page.inner_text(
            "[data-field='d1.days']"
        )
        page.fill("input[name='d1.days']", "30")
        page.click("button.primary")
        page.wait_for_url("**/run?scenario=youyiguan_closed_feb*")
        # Replications follow the scenario picked: its own number, until one is typed.
        own = page.eval_on_selector("#f-scenario", "s => s.selectedOptions[0].dataset.replications")
        assert page.input_value("input[name=replications]") == own
        page.select_option("#f-scenario", "example")
        example = page.eval_on_selector(
            "#f-scenario", "s => s.selectedOptions[0].dataset.replications"
        )
        assert page.input_value("input[name=replications]") == example != own
        page.select_option("#f-scenario", "youyiguan_closed_feb")
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
    status, _ = cli_errors(toml, "--replications", "3", "--seed", "7", "--out", str(out))
    assert status == 0
    job = next((tmp_path / "ws" / "runs").glob("j*/reps"))
    assert json.loads((out / "kpis.json").read_text()) == json.loads(
        (job / "kpis.json").read_text()
    )
    shutil.rmtree(out)


def _clear_of_each_other(labels: list[dict], width: float, height: float) -> None:
    """Each label drawn inside the canvas, none over another."""
    for i, label in enumerate(labels):
        x0, y0, x1, y1 = label["box"]
        assert 0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height, label
        for other in labels[:i]:
            a0, b0, a1, b1 = other["box"]
            w, h = min(x1, a1) - max(x0, a0), min(y1, b1) - max(y0, b0)
            assert w <= 0.5 or h <= 0.5, (label, other)


def test_every_node_on_the_maps_is_named_once_and_a_ringed_one_says_closed(tmp_path):
    """The animation's three views and the compare map: every node whose marker shows is named
    once, by its short name, clear of the other labels; a ringed node's label says "(closed)",
    and a queue's count is in its own node's label (not in a text a ring nearby seems to own)."""
    playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no browser at {CHROMIUM} (apt-get install chromium)")
    from webkit import small_workspace, wait

    from sim.web.builder import build_scenario
    from sim.web.jobs import JobQueue

    ws = small_workspace(tmp_path / "ws")
    small = ws / "scenarios" / "small.toml"
    form = {"name": "shut", "d1.target": "youyiguan", "d1.start": "2019-01-10", "d1.days": "20"}
    built = build_scenario(form, ws / "scenarios", small)
    assert built.ok and built.path is not None, built.errors
    queue = JobQueue(ws / "runs")
    run = queue.submit("run", [str(built.path)], 1, 3, executor="serial")
    pair = queue.submit("compare", [str(small), str(built.path)], 2, 3, executor="serial")
    queue.start()
    wait(queue, timeout=300)
    queue.stop()
    assert [queue.get(j.id).state for j in (run, pair)] == ["done", "done"]
    data = json.loads((ws / "runs" / run.id / "reps" / "animation.json").read_text())
    steps = data["queues"]["youyiguan"]
    # A time while Youyiguan is closed and trucks wait there.
    times, counts = steps[::3], steps[1::3]
    when = next(
        (t + times[i + 1]) / 2
        for i, (t, v) in enumerate(zip(times[:-1], counts[:-1], strict=True))
        if 216 <= t < 690 and v > 0
    )
    errors: list[str] = []
    with _server(ws) as base, playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        for view in ("border", "all", "north"):
            page.goto(f"{base}/jobs/{run.id}/animation?t={when}&view={view}")
            page.wait_for_function("document.getElementById('anim').dataset.ready === '1'")
            got = {
                k: json.loads(page.get_attribute("#anim", f"data-{k}"))
                for k in ("labels", "shown", "ringed", "queued")
            }
            labels = got["labels"]
            named = {label["id"]: label["text"] for label in labels}
            assert len(named) == len(labels), view  # once each
            assert set(named) == set(got["shown"]), view  # every node whose marker shows
            assert "youyiguan" in got["ringed"] and "youyiguan" in got["queued"], view
            for node in got["ringed"]:
                assert "(closed)" in named[node], (view, named[node])
            for node in got["queued"]:
                assert " waiting" in named[node], (view, named[node])
            assert re.fullmatch(r"Youyiguan \(closed\) · [\d,]+ waiting.*", named["youyiguan"])
            assert named["pingxiang_dongdang"] == "Pingxiang", view  # the ring is not its
            _clear_of_each_other(labels, 1000, 700)
        page.goto(f"{base}/jobs/{pair.id}")
        page.wait_for_selector("#divmap[data-labels]")
        labels = json.loads(page.get_attribute("#divmap", "data-labels"))
        named = {label["id"]: label["text"] for label in labels}
        shown = json.loads(page.get_attribute("#divmap", "data-shown"))
        assert set(named) == set(shown) and {"youyiguan", "chengdu", "three_gorges"} <= set(shown)
        assert len(labels) == len(named)
        assert json.loads(page.get_attribute("#divmap", "data-ringed")) == ["youyiguan"]
        assert named["youyiguan"] == "Youyiguan (closed)"
        assert named["chengdu"] == "Chengdu" and named["three_gorges"] == "Three Gorges"
        _clear_of_each_other(labels, 900, 640)
        browser.close()
    assert errors == []
