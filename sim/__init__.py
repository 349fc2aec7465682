"""corridor-sim: a discrete-event simulator of the Chongqing–ASEAN freight corridor.

Examples
--------
>>> import sim
>>> net = sim.load_network("networks/chongqing_asean")
>>> route = net.routes("cq_tuanjiecun", "singapore", modes=["rail", "sea"])[0]
>>> "qinzhou_port" in route.nodes
True
"""

from sim import choice, plot
from sim.calibration import calibrate
from sim.comparisons import Comparison, compare
from sim.errors import ModelError, NetworkError, ScenarioError, SimError
from sim.experiments import run
from sim.network import Network, Route, load_network
from sim.replications import Replications, replicate
from sim.results import RunResult
from sim.scenario import Scenario, load_scenario
from sim.sensitivity import SensitivityResult, sensitivity
from sim.sweeps import SweepResult, sweep
from sim.validation import ValidationReport, validate

__version__ = "0.1.0"

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
