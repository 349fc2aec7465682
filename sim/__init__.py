"""corridor-sim: a discrete-event simulator of the Chongqing–ASEAN freight corridor.

Examples
--------
>>> import sim
>>> net = sim.load_network("networks/chongqing_asean")
>>> route = net.routes("cq_tuanjiecun", "singapore", modes=["rail", "sea"])[0]
>>> "qinzhou_port" in route.nodes
True
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from sim.errors import ArgumentError, ModelError, NetworkError, ScenarioError, SimError

if TYPE_CHECKING:  # the names below load on first use: ``import sim`` stays light
    __version__: str
    from sim import choice, plot
    from sim.experiments.calibration import calibrate
    from sim.experiments.comparisons import Comparison, compare
    from sim.experiments.replications import Replications, replicate
    from sim.experiments.sensitivity_analysis import SensitivityResult, sensitivity
    from sim.experiments.single import run
    from sim.experiments.sweeps import SweepResult, sweep
    from sim.experiments.validation import ValidationReport, validate
    from sim.experiments.workers import Workers
    from sim.network import Network, Route, load_network
    from sim.results import RunResult
    from sim.results.load import load_run, load_runs
    from sim.results.table import Table
    from sim.scenario import Scenario, load_scenario

#: Where each public name lives; its module is imported the first time the name is used.
_LAZY = {
    "choice": "sim.choice",
    "plot": "sim.plot",
    "calibrate": "sim.experiments.calibration",
    "Comparison": "sim.experiments.comparisons",
    "compare": "sim.experiments.comparisons",
    "run": "sim.experiments.single",
    "Network": "sim.network",
    "Route": "sim.network",
    "load_network": "sim.network",
    "Replications": "sim.experiments.replications",
    "replicate": "sim.experiments.replications",
    "RunResult": "sim.results",
    "load_run": "sim.results.load",
    "load_runs": "sim.results.load",
    "Table": "sim.results.table",
    "Scenario": "sim.scenario",
    "load_scenario": "sim.scenario",
    "SensitivityResult": "sim.experiments.sensitivity_analysis",
    "sensitivity": "sim.experiments.sensitivity_analysis",
    "SweepResult": "sim.experiments.sweeps",
    "sweep": "sim.experiments.sweeps",
    "ValidationReport": "sim.experiments.validation",
    "validate": "sim.experiments.validation",
    "Workers": "sim.experiments.workers",
}


def __getattr__(name: str) -> Any:
    if name == "__version__":  # one version: the package's own, in pyproject.toml
        from importlib import metadata

        try:
            version = metadata.version("corridor-sim")
        except metadata.PackageNotFoundError:  # run from a source tree that is not installed
            version = "0+unknown"
        globals()[name] = version
        return version
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    value = importlib.import_module(module)
    if name not in ("choice", "plot"):
        value = getattr(value, name)
    globals()[name] = value  # later uses skip this function
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
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
