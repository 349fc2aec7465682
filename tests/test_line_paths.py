"""Rail lines with limited train paths: a queue for paths (sim/model/lines.py), on the tiny network.

Link rail_ab (a -> b, 2 h) gets ``paths_per_day``: one path every 24 / paths_per_day hours in each
direction, taken first come, first served by the corridor's trains and the line's other trains.
"""

from __future__ import annotations

import numpy as np
import pytest
from tiny import EVERY_2H, TRAIN, write_scenario

from sim import run
from sim.errors import NetworkError
from sim.scenario import load_scenario

#: Two daily trains a to c leaving at 06:00, each with its own flow.
TWO_TRAINS_AT_6 = {
    "services.first": {**TRAIN, "times": ["06:00"]},
    "services.second": {**TRAIN, "times": ["06:00"]},
    "demand.flows.f": {**EVERY_2H, "chain": ["first"]},
    "demand.flows.g": {**EVERY_2H, "chain": ["second"]},
}


def with_paths(tmp_path, tables, paths, others=""):
    """The tiny scenario, its rail_ab link given train paths (and other trains)."""
    scenario = write_scenario(tmp_path, tables)
    links = tmp_path / "net" / "links.csv"
    rows = links.read_text(encoding="utf-8").splitlines()
    rows[0] += ",paths_per_day,other_trains_per_day"
    rows[1:] = [r + (f",{paths},{others}" if r.startswith("rail_ab,") else ",,") for r in rows[1:]]
    links.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return load_scenario(scenario)


def test_two_trains_due_at_once_take_paths_a_headway_apart(tmp_path):
    # Two daily trains leave a at 06:00; four paths a day make a path every 6 h: one enters the
    # line at 06:00, the other waits for the 12:00 path. Its 6 h wait counts as queueing.
    tables = {
        **TWO_TRAINS_AT_6,
    }
    sc = with_paths(tmp_path, tables, paths=4)
    assert sc.network.links["rail_ab"].paths_per_day == 4.0
    res = run(sc, seed=1)
    visits = res.tables["line_visits"]
    waits = visits["start_h"] - visits["arrive_h"]
    assert set(waits.tolist()) == {0.0, 6.0} and (waits == 6.0).sum() == (waits == 0.0).sum()
    assert set((visits["start_h"] % 24).tolist()) == {6.0, 12.0}
    kpis = res.kpis()
    assert kpis["line_wait_h.rail_ab.mean"] == 3.0
    assert kpis["line_trains.rail_ab"] == len(waits)
    days = 14
    assert kpis["line_utilisation.rail_ab"] == pytest.approx(len(waits) / (4 * 2 * days))
    cons = res.tables["consignments"]
    queued = set(cons["border_queue_h"][np.isin(cons["flow"], ["f", "g"])].tolist())
    assert queued == {0.0, 6.0}  # the train that waited for its path: its boxes queued 6 h


def test_a_line_busy_with_other_trains_delays_the_corridors_as_md1_theory_says(tmp_path):
    # 24 paths a day (a 1 h headway) and 12 other trains a day each way, Poisson: a server with
    # deterministic service of 1 h at load rho = 0.5. A train arriving at a time that does not
    # depend on the others waits the time-average of the M/D/1 queue's work, rho D / (2 (1 -
    # rho)) = 0.5 h (the corridor's own two trains a day, 12 h apart, leave no work behind).
    tables = {
        "horizon": {"start": "2019-01-07", "end": "2020-01-06"},
        "services.train": {**TRAIN, "times": ["06:00", "18:00"]},
        "demand.flows.f": EVERY_2H,
    }
    sc = with_paths(tmp_path, tables, paths=24, others=12)
    res = run(sc, seed=3)
    visits = res.tables["line_visits"]
    own = visits["service"] != "background"
    waits = (visits["start_h"] - visits["arrive_h"])[own]
    rho = 12 / 24  # the other trains' load on one direction
    theory = rho * 1.0 / (2 * (1 - rho))
    assert len(waits) > 700
    assert abs(waits.mean() - theory) < 3 * waits.std(ddof=1) / np.sqrt(len(waits))
    # Paths in one direction are never closer than the headway.
    for end in ("a", "b"):
        starts = np.sort(visits["start_h"][visits["node_from"] == end])
        assert (np.diff(starts) >= 1.0 - 1e-9).all()
    # both directions: 12 other trains each way and the corridor's 2 a day, of 24 paths each way
    assert res.kpis()["line_utilisation.rail_ab"] == pytest.approx((24 + 2) / 48, rel=0.05)


@pytest.mark.parametrize(
    ("paths", "others", "rule"),
    [
        ("0", "", "must be in (0, 1440]"),
        ("", "3", "needs paths_per_day"),
        ("4", "4", "must be below paths_per_day (4)"),
    ],
)
def test_bad_train_paths_are_refused_naming_the_cell(tmp_path, paths, others, rule):
    with pytest.raises(NetworkError, match=rule.replace("(", r"\(").replace(")", r"\)")):
        with_paths(tmp_path, {"services.t": {**TRAIN, "times": ["06:00"]}}, paths, others)


def test_no_path_starts_while_the_line_is_closed(tmp_path):
    # The first Monday: rail_ab is closed 07:00-14:00. Of the two 06:00 trains one enters at
    # 06:00; the other's 12:00 path falls in the closure, so it enters when the line reopens.
    tables = {
        **TWO_TRAINS_AT_6,
        "disruptions.shut": {
            "target": "rail_ab",
            "start": "2019-01-07T07:00:00",
            "end": "2019-01-07T14:00:00",
        },
    }
    res = run(with_paths(tmp_path, tables, paths=4), seed=1)
    visits = res.tables["line_visits"]
    first_day = visits["arrive_h"] < 24
    assert sorted(visits["start_h"][first_day].tolist()) == [6.0, 14.0]
    later = visits["start_h"][~first_day] % 24
    assert set(later.tolist()) == {6.0, 12.0}
