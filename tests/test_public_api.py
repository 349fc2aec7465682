"""The public API is pinned: adding or removing a name from ``sim.__all__`` is a deliberate act."""

import subprocess
import sys

import sim

EXPECTED = [
    "ArgumentError",
    "Comparison",
    "ModelError",
    "Network",
    "NetworkError",
    "Replications",
    "Route",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "SensitivityResult",
    "SimError",
    "SweepResult",
    "Table",
    "ValidationReport",
    "Workers",
    "__version__",
    "calibrate",
    "choice",
    "compare",
    "load_network",
    "load_run",
    "load_runs",
    "load_scenario",
    "plot",
    "replicate",
    "run",
    "sensitivity",
    "sweep",
    "validate",
]


def test_all_is_pinned_and_sorted():
    assert sim.__all__ == EXPECTED
    assert sim.__all__ == sorted(sim.__all__)


def test_one_list_makes_all_and_the_contents_help_shows():
    from sim import _ERRORS, _PUBLIC

    assert sorted([*_PUBLIC, *_ERRORS, "__version__"]) == sim.__all__
    contents = sim.__doc__.split("Contents\n--------\n", 1)[1]
    assert [line for line in contents.splitlines() if line and not line.startswith(" ")] == [
        *_PUBLIC,
        *_ERRORS,
    ]


def test_every_exported_name_exists_and_is_documented():
    for name in sim.__all__:
        obj = getattr(sim, name)
        if name != "__version__":
            assert obj.__doc__, f"sim.{name} has no docstring"


def test_import_is_light():
    """``import sim`` must not pull in matplotlib or simpy: start-up time matters for the CLI."""
    code = "import sys, sim; print(sorted(m for m in ('matplotlib', 'simpy') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_bad_arguments_are_value_errors_too():
    import pytest

    sc = sim.load_scenario("scenarios/example.toml")
    for call in (
        lambda: sim.replicate(sc, n=0),
        lambda: sim.Workers("threads"),
        lambda: sim.Workers(jobs=0),
        lambda: sim.sweep(sc, {"seed": [1, 2]}),
        lambda: sim.run(sc, seed=-1),
    ):
        with pytest.raises(ValueError) as info:
            call()
        assert isinstance(info.value, sim.SimError)
