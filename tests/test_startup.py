"""Start-up stays light: ``import sim``, ``--help`` and ``--version`` load no heavy library."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

#: Libraries a run may need but that ``import sim`` and the CLI's help must not load.
HEAVY = ("numpy", "networkx", "tqdm", "simpy", "matplotlib", "pandas", "dask", "SALib", "scipy")
#: The experiment machinery (process pools, Dask clients) loads only for an experiment.
EXPERIMENT_MODULES = ("sim.experiments.tasks", "concurrent.futures.process", "multiprocessing")

_PROBE = """
import contextlib, io, json, sys
{code}
print(json.dumps(sorted(sys.modules)))
"""


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE.format(code=code)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return set(json.loads(out.splitlines()[-1]))


def _heavy(modules: set[str]) -> list[str]:
    return sorted(
        m for m in modules if m.split(".")[0] in HEAVY or m.startswith(EXPERIMENT_MODULES)
    )


CLI = """
import sim.cli
with contextlib.redirect_stdout(io.StringIO()):
    try:
        sim.cli.main([{args}])
    except SystemExit:
        pass
"""


@pytest.mark.parametrize(
    "code",
    ["import sim", CLI.format(args="'--help'"), CLI.format(args="'--version'")],
    ids=["import sim", "--help", "--version"],
)
def test_start_up_loads_no_heavy_library(code):
    assert _heavy(_modules_after(code)) == []


def test_the_lazy_names_load_on_first_use():
    modules = _modules_after(
        "import datetime, sim\n"
        "end = {'horizon.end': datetime.date(2019, 1, 20)}\n"
        "sim.run(sim.load_scenario('scenarios/example.toml', overrides=end))"
    )
    assert "sim.model.corridor" in modules and "simpy" in modules
    assert "networkx" not in modules  # a run never asks for a route
    assert "tqdm" not in modules and "sim.experiments.tasks" not in modules


def test_loading_a_scenario_loads_no_engine():
    modules = _modules_after("import sim\nsim.load_scenario('scenarios/example.toml')")
    assert "simpy" not in modules and "sim.model.corridor" not in modules
    assert "networkx" not in modules and "matplotlib" not in modules


def test_every_public_name_resolves_even_after_every_module_is_loaded():
    import importlib
    import pkgutil
    import types

    import sim

    for module in pkgutil.walk_packages(sim.__path__, "sim."):
        if not module.name.startswith("sim.cli"):
            importlib.import_module(module.name)  # a submodule named like a function would win
    for name in sim.__all__:
        value = getattr(sim, name)
        assert value is not None
        assert isinstance(value, types.ModuleType) == (name in ("choice", "plot")), name
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        sim.nope  # noqa: B018


def test_the_version_is_the_packages_own(cli):
    from importlib import metadata

    import sim

    assert sim.__version__ == metadata.version("corridor-sim")
    out = cli("--version")
    assert out.returncode == 0 and out.stdout.strip() == f"corridor-sim {sim.__version__}"
