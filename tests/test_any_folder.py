"""The README's quickstart, the defaults and the examples work from any folder, not only the root.

Default files (the calibration, the targets, the published times, the scenario library) are found
beside the package or the scenario, never in the working folder; a path typed on the command line
is still read from the working folder. Every test here runs from an empty temporary folder.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

import sim.shipped

README = (ROOT / "README.md").read_text(encoding="utf-8")

#: The README's quickstart commands ("Set up and run", the network, a researcher's first five
#: minutes), each as the README writes it.
QUICKSTART = [
    "corridor-sim validate scenarios/baseline_2019.toml",
    "corridor-sim run scenarios/baseline_2019.toml",
    "corridor-sim network check networks/chongqing_asean",
    "corridor-sim network route networks/chongqing_asean cq_nanpeng hanoi --modes road --k 2",
    "corridor-sim run scenarios/baseline_2019.toml --replications 30 --out runs/b2019",
    "corridor-sim plot runs/b2019 --kind d2d-parts --out d2d.png",
    "corridor-sim report runs/b2019",
    "corridor-sim sweep scenarios/example.toml --grid demand.scale=0.5,1,2 --replications 5 "
    "--out runs/sweep",
]


def _from_anywhere(command: str) -> list[str]:
    """``command``'s arguments with the repository's files as absolute paths, on 2 replications.

    Outputs (``runs/...``, ``d2d.png``) stay relative: they go to the working folder.
    """
    words = shlex.split(command)[1:]
    words = [str(ROOT / w) if re.match(r"(scenarios|seeds|networks)/", w) else w for w in words]
    if "--replications" in words:
        words[words.index("--replications") + 1] = "2"
    if words[0] == "validate":
        words += ["--replications", "2", "--elasticity-replications", "0"]
    return words


@pytest.fixture
def elsewhere(tmp_path, monkeypatch):
    """An empty working folder outside the repository."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


@pytest.fixture
def no_data(tmp_path, monkeypatch):
    """The package as installed without the repository beside it (no seeds/, no scenarios/)."""
    installed = tmp_path / "site-packages" / "sim" / "shipped.py"
    installed.parent.mkdir(parents=True)
    monkeypatch.setattr(sim.shipped, "__file__", str(installed))
    return installed.parent


def test_the_quickstart_commands_are_the_readmes():
    for command in QUICKSTART:
        assert command in " ".join(README.split()), command


@pytest.mark.slow
def test_the_readme_quickstart_runs_from_another_folder(cli, elsewhere):
    done = {}
    for command in QUICKSTART:
        res = done[command] = cli(*_from_anywhere(command))
        status = (0, 1) if command.startswith("corridor-sim validate") else (0,)
        assert res.returncode in status, (command, res.stderr[-1000:])
    targets = ROOT / "seeds" / "targets_2019.toml"  # beside the scenario's folder
    assert done[QUICKSTART[0]].stdout.splitlines()[0].endswith(f"against {targets}")
    assert (elsewhere / "runs" / "b2019" / "report.html").is_file()
    assert (elsewhere / "d2d.png").read_bytes()[:4] == b"\x89PNG"
    assert (elsewhere / "runs" / "sweep" / "sweep.csv").is_file()


def test_the_default_calibration_file_is_the_repositorys_from_any_folder(
    cli, elsewhere, monkeypatch
):
    from sim.cli.calibrate_cmd import calibration_file
    from sim.experiments import calibration

    default = ROOT / "seeds" / "calibration.toml"
    assert calibration_file(None) == default
    assert calibration_file("mine.toml") == Path("mine.toml")  # typed: from the working folder
    spec = calibration.load_calibration(calibration_file(None))
    assert spec.write_to == ROOT / "scenarios" / "baseline_2019.toml"

    def fitted(spec, **options):  # the command as it runs, without the hour of fitting
        best = {p.name: p.low for p in spec.parameters}
        return calibration.CalibrationResult(spec, best, 0.0, [])

    monkeypatch.setattr(calibration, "calibrate", fitted)
    res = cli("calibrate")
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith(f"{default}: 0 points")
    assert f"write them into {spec.write_to}" in res.stdout
    typed = cli("calibrate", "mine.toml")
    assert typed.returncode == 2
    assert "mine.toml: calibration file not found" in typed.stderr


def test_without_the_data_a_default_file_is_one_clear_error(cli, elsewhere, no_data):
    assert sim.shipped.project_root() is None
    res = cli("calibrate")
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "seeds/calibration.toml: not found" in res.stderr
    assert str(no_data) in res.stderr
    assert "give the calibration file: corridor-sim calibrate FILE" in res.stderr
    from sim.plot.by_kind import _published

    assert _published() == []  # the transit figure then marks no published times


def test_serve_without_the_data_asks_for_the_scenario_library(cli, elsewhere, no_data):
    pytest.importorskip("uvicorn")
    pytest.importorskip("starlette")
    res = cli("serve", "--workspace", elsewhere / "ws")
    assert res.returncode == 2
    assert "scenarios: not found" in res.stderr
    assert "give the scenario library: --scenarios DIR" in res.stderr


def test_the_workbench_library_is_the_repositorys_from_any_folder(elsewhere):
    pytest.importorskip("starlette")
    from sim.web.app import create_app

    app = create_app(elsewhere / "ws", start_jobs=False)
    assert app.state.wb.library.shipped == ROOT / "scenarios"


def test_the_published_times_are_the_repositorys_from_any_folder(elsewhere):
    from sim.plot.by_kind import _published
    from sim.results.published import published_transit

    shipped = published_transit(ROOT / "seeds" / "published_transit.toml")
    assert shipped and _published() == shipped


def test_the_door_to_door_example_runs_from_another_folder(tmp_path):
    out = subprocess.run(
        [sys.executable, ROOT / "examples" / "door_to_door_2019.py", "--replications", "2"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    rows = [line for line in out.stdout.splitlines() if line.startswith("| Chongqing")]
    assert len(rows) == 5 and "2 days rail + 6 days sea" in out.stdout


def test_the_notebooks_name_no_file_of_the_working_folder():
    # A repository path as a bare string ("scenarios/<name>.toml") would be read from the working
    # folder; the notebooks build theirs from sim.shipped.project_root() (test_notebook.py runs
    # examples/quickstart.ipynb from a temporary folder).
    bare = re.compile(r"""["'](?:scenarios|seeds|networks|examples)/""")
    notebooks = sorted((ROOT / "examples").glob("*.ipynb")) + sorted(ROOT.glob("docs/**/*.ipynb"))
    assert notebooks
    for path in notebooks:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        assert not bare.findall(code), path.relative_to(ROOT)
