"""The workbench's guards: what-ifs of what-ifs, escaping, foreign requests, portable downloads."""

from __future__ import annotations

import pytest

pytest.importorskip("starlette", reason="the web extra is not installed")

from webkit import EXAMPLE, SMALL

from sim.web.builder import build_scenario

CLOSE = {"d1.start": "2019-01-10", "d1.days": "20", "d1.effect": "close"}


def test_a_what_if_of_a_what_if_keeps_its_parents_disruption(tmp_path):
    import sim

    folder = tmp_path / "scenarios"
    first = build_scenario(
        {"name": "a", "d1.target": "youyiguan", **CLOSE, **SMALL}, folder, EXAMPLE
    )
    assert first.ok, first.errors
    assert first.path is not None
    second = build_scenario(
        {"name": "b", "d1.target": "pingxiang_dongdang", **CLOSE}, folder, first.path
    )
    assert second.ok, second.errors
    assert second.path is not None
    targets = {d.id: d.target for d in sim.load_scenario(second.path).disruptions}
    assert targets == {"planner_1": "youyiguan", "planner_2": "pingxiang_dongdang"}
