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

from sim.errors import ModelError, NetworkError, ScenarioError, SimError

if TYPE_CHECKING:  # the names below load on first use: ``import sim`` stays light
    __version__: str
    from sim import choice, plot
    from sim.calibration import calibrate
    from sim.comparisons import Comparison, compare
    from sim.experiments import run
    from sim.network import Network, Route, load_network
    from sim.replications import Replications, replicate
    from sim.results import RunResult
    from sim.scenario import Scenario, load_scenario
    from sim.sensitivity_analysis import SensitivityResult, sensitivity
    from sim.sweeps import SweepResult, sweep
    from sim.validation import ValidationReport, validate

#: Where each public name lives; its module is imported the first time the name is used.
_LAZY = {
    "choice": "sim.choice",
    "plot": "sim.plot",
    "calibrate": "sim.calibration",
    "Comparison": "sim.comparisons",
    "compare": "sim.comparisons",
    "run": "sim.experiments",
    "Network": "sim.network",
    "Route": "sim.network",
    "load_network": "sim.network",
    "Replications": "sim.replications",
    "replicate": "sim.replications",
    "RunResult": "sim.results",
    "Scenario": "sim.scenario",
    "load_scenario": "sim.scenario",
    "SensitivityResult": "sim.sensitivity_analysis",
    "sensitivity": "sim.sensitivity_analysis",
    "SweepResult": "sim.sweeps",
    "sweep": "sim.sweeps",
    "ValidationReport": "sim.validation",
    "validate": "sim.validation",
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
    "ValidationReport",
    "__version__",
    "calibrate",
    "choice",
    "compare",
    "load_network",
    "load_scenario",
    "plot",
    "replicate",
    "run",
    "sensitivity",
    "sweep",
    "validate",
]
