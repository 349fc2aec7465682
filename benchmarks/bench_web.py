"""The workbench in headless chromium: page load times and the animation's frame rate.

Builds "a month of the 2019 corridor" (scenarios/youyiguan_closed_choice.toml, February 2019, with
route choice and Youyiguan closed) in a fresh workspace, runs it and its parent through the
server's own job queue, then opens each page in Debian's chromium and prints:
- each page's load time (navigation start to the load event, median of 3 loads);
- the animation's frames per second over 5 s of play (at 1 day per second), read from the frame
  counter the page keeps.

With --shots DIR it also saves a screenshot of each page there.

Run from the repository root:  python benchmarks/bench_web.py [--shots DIR]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from test_web_browser import _server  # noqa: E402  (the test suite's server in a thread)

from sim.web.builder import build_scenario  # noqa: E402
from sim.web.jobs import JobQueue  # noqa: E402

MONTH = {"horizon.start": "2019-02-01", "horizon.end": "2019-03-01"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shots", type=Path, help="save a screenshot of each page here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_web_") as tmp:  # removed when done
        _bench(Path(tmp), args.shots)


def _bench(ws: Path, shots: Path | None) -> None:
    """Build and run the month's scenarios in workspace ``ws``, then time the pages."""
    from playwright.sync_api import sync_playwright

    folder = ws / "scenarios"
    for name, parent in (
        ("feb_base", "baseline_2019_choice"),
        ("feb_youyiguan", "youyiguan_closed_choice"),
    ):
        form = {"name": name, "description": f"{parent}, February 2019", **MONTH}
        assert build_scenario(form, folder, ROOT / "scenarios" / f"{parent}.toml").ok
    queue = JobQueue(ws / "runs")
    run = queue.submit("run", [str(folder / "feb_youyiguan.toml")], 3, 1)
    both = [str(folder / "feb_base.toml"), str(folder / "feb_youyiguan.toml")]
    compare = queue.submit("compare", both, 3, 1)
    queue.start()
    while not queue.idle():
        time.sleep(0.2)
    queue.stop()
    pages = {
        "library": "/",
        "builder": "/builder?parent=youyiguan_closed_choice",
        "results": f"/jobs/{run.id}",
        "animation": f"/jobs/{run.id}/animation",
        "compare": f"/jobs/{compare.id}",
    }
    with _server(ws) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        for name, url in pages.items():
            times = []
            for _ in range(3):
                page.goto(base + url, wait_until="load")
                times.append(
                    page.evaluate(
                        "(() => { const n = performance.getEntriesByType('navigation')[0];"
                        " return n.loadEventEnd - n.startTime; })()"
                    )
                )
            print(f"{name:10s} load {statistics.median(times):6.0f} ms (median of 3)")
            if shots:
                shots.mkdir(parents=True, exist_ok=True)
                if name == "animation":
                    page.wait_for_function("document.getElementById('anim').dataset.ready === '1'")
                    page.fill("#slider", "0")
                    page.eval_on_selector(
                        "#slider", "s => { s.value = 300; s.dispatchEvent(new Event('input')); }"
                    )
                page.wait_for_timeout(500)
                page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
        page.goto(base + pages["animation"])
        page.wait_for_function("document.getElementById('anim').dataset.ready === '1'")
        page.click("#play")
        page.wait_for_timeout(500)
        f0, c0, t0 = (
            int(page.get_attribute("#anim", "data-frames")),
            float(page.get_attribute("#anim", "data-clock-h")),
            time.perf_counter(),
        )
        page.wait_for_timeout(5000)
        f1, c1, t1 = (
            int(page.get_attribute("#anim", "data-frames")),
            float(page.get_attribute("#anim", "data-clock-h")),
            time.perf_counter(),
        )
        print(
            f"animation {(f1 - f0) / (t1 - t0):.1f} frames/s over {t1 - t0:.1f} s; "
            f"clock {c0:.0f} h -> {c1:.0f} h"
        )
        browser.close()


if __name__ == "__main__":
    main()
