"""Running scenarios: one replication now; replications, comparisons and sweeps build on it.

The model (and with it SimPy) is imported on first use, so that ``import sim`` stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.results import RunResult
    from sim.scenario import Scenario

__all__ = ["run"]


def run(
    scenario: Scenario, seed: int | None = None, *, log_events: bool | None = None
) -> RunResult:
    """Simulate one replication of ``scenario`` and return its :class:`~sim.results.RunResult`.

    Parameters
    ----------
    scenario : Scenario
        From :func:`sim.load_scenario`.
    seed : int, optional
        The run's seed (default: the scenario's ``seed``). The same seed gives the same tables and
        KPIs to the last digit; every random source has its own stream (see
        :mod:`sim.model.streams`).
    log_events : bool, optional
        Keep the per-consignment ``legs`` table (default: the scenario's ``log.events``).

    Examples
    --------
    >>> import sim
    >>> res = sim.run(sim.load_scenario("scenarios/example.toml"), seed=1)
    >>> res.kpis()["departures.road"] > 0
    True
    """
    from sim.model.corridor import run as run_model
    from sim.results.run_result import RunResult

    log = run_model(scenario, seed, log_events=log_events)
    return RunResult(log.scenario, log.seed, log.tables, log.streams, events=log.events)
