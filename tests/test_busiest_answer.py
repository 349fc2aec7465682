"""The answer's "Busiest" line names where the corridor binds: a timetable, servers, a line."""

from __future__ import annotations

from conftest import ROOT

import sim
from sim.answers.run_answer import run_answer


def _stats(values: dict[str, float]) -> dict[str, dict[str, float]]:
    return {k: {"mean": v} for k, v in values.items()}


def _busiest(values: dict[str, float]) -> str:
    sc = sim.load_scenario(ROOT / "scenarios" / "baseline_2019.toml")
    lines = run_answer(sc, _stats(values), "heading").splitlines()
    return next((line for line in lines if line.startswith("Busiest: ")), "")


def test_the_line_that_keeps_trains_waiting_is_named_not_the_fullest():
    line = _busiest(
        {
            "line_utilisation.rail_kunming_nanning": 0.99,  # full of its other trains
            "line_wait_h.rail_kunming_nanning.mean": 20.0,
            "line_utilisation.rail_nanning_qinzhou_port": 0.92,
            "line_wait_h.rail_nanning_qinzhou_port.mean": 337.0,
            "utilisation.three_gorges.lanes": 0.94,
        }
    )
    assert "Three Gorges lanes 94% busy" in line
    assert "Nanning – Qinzhou line: trains wait 337 h for a path (92% of its paths taken)" in line
    assert "Kunming" not in line


def test_a_line_where_no_train_waits_an_hour_is_not_named():
    line = _busiest(
        {
            "line_utilisation.rail_nanning_qinzhou_port": 0.2,
            "line_wait_h.rail_nanning_qinzhou_port.mean": 0.5,
            "utilisation.youyiguan.lanes": 0.4,
        }
    )
    assert line == "Busiest: Youyiguan / Huu Nghi lanes 40% busy"
