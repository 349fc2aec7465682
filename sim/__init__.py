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

#: Every public name: the module it lives in (imported the first time the name is used) and
#: what it is. ``__all__`` and the contents ``help(sim)`` shows are both made from this list.
_PUBLIC: dict[str, tuple[str, str]] = {
    "load_network": ("sim.network", "read a network folder (nodes, links, meta)"),
    "Network": ("sim.network", "a network: nodes, links, routes between places"),
    "Route": ("sim.network", "one route through the network"),
    "load_scenario": ("sim.scenario", "read and check a scenario file, with overrides"),
    "Scenario": ("sim.scenario", "a checked scenario: horizon, services, demand, disruptions"),
    "run": ("sim.experiments.single", "one replication of a scenario"),
    "RunResult": ("sim.results", "one replication's tables and KPIs"),
    "Table": ("sim.results.table", "the table type of every result (to_pandas for pandas)"),
    "load_run": ("sim.results.load", "read a run folder back"),
    "load_runs": ("sim.results.load", "read every run of a folder back"),
    "replicate": ("sim.experiments.replications", "replications on independent seeds"),
    "Replications": ("sim.experiments.replications", "their KPIs, summaries and table"),
    "compare": ("sim.experiments.comparisons", "two scenarios on common random numbers"),
    "Comparison": ("sim.experiments.comparisons", "the paired differences"),
    "sweep": ("sim.experiments.sweeps", "replications at every point of a grid"),
    "SweepResult": ("sim.experiments.sweeps", "one row per point and replication"),
    "validate": ("sim.experiments.validation", "replications against published figures"),
    "ValidationReport": ("sim.experiments.validation", "one row per target, pass or fail"),
    "calibrate": ("sim.experiments.calibration", "fit the calibrated parameters"),
    "sensitivity": ("sim.experiments.sensitivity_analysis", "global sensitivity (Sobol, Morris)"),
    "SensitivityResult": ("sim.experiments.sensitivity_analysis", "its indices and table"),
    "Workers": ("sim.experiments.workers", "where runs go: serial, a process pool, Dask"),
    "choice": ("sim.choice", "route and mode choice: costs and the logit"),
    "plot": ("sim.plot", "figures from results"),
}
#: The errors, loaded with the package.
_ERRORS = {
    "SimError": "every error of corridor-sim",
    "ArgumentError": "a bad argument to a function",
    "ScenarioError": "a scenario file or override breaks a rule",
    "NetworkError": "a network folder breaks a rule",
    "ModelError": "a run broke an invariant",
}
_LAZY = {name: module for name, (module, _) in _PUBLIC.items()}

__doc__ = (
    (__doc__ or "")
    + "\nContents\n--------\n"
    + "\n".join(f"{name}\n    {what}" for name, (_, what) in _PUBLIC.items())
    + "\n"
    + "\n".join(f"{name}\n    {what}" for name, what in _ERRORS.items())
    + "\n"
)


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


#: Written out for type checkers and linters, which read no computed ``__all__``;
#: ``tests/test_public_api.py`` holds it to ``_PUBLIC`` and ``_ERRORS``.
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
