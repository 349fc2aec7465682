"""Run results: the log as tables, KPIs computed from it, and the RunResult that holds both."""

from sim.model.records import TABLE_COLUMNS, Recorder
from sim.results.kpis import compute_kpis
from sim.results.run_result import RunResult

__all__ = ["TABLE_COLUMNS", "Recorder", "RunResult", "compute_kpis"]
