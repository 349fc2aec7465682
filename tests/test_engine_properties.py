"""Properties of every run, over random small scenarios (hypothesis), and the invariant checks.

For any scenario: TEU are conserved, no vehicle or facility is over capacity, no clock runs
backwards, and the same seed gives the same run.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tiny import write_scenario

import sim
from sim.model.corridor import Corridor
from sim.model.invariants import check_invariants
from sim.model.records import BREAKDOWN_COLUMNS
from sim.scenario import load_scenario


@st.composite
def small_scenarios(draw):
    with_ship = draw(st.booleans())
    dispatch = draw(st.sampled_from(["timetable", "when_full"]))
    capacity = draw(st.floats(2.0, 80.0))
    train = {
        "family": "rail_sea",
        "vehicle": "train",
        "path": ["a", "b", "c"],
        "capacity_teu": capacity,
        "dispatch": dispatch,
        "min_load_teu": draw(st.floats(0.0, 1.0)) * capacity,
        "max_wait_h": draw(st.floats(1.0, 72.0)),
        "cutoff_h": draw(st.floats(0.0, 12.0)),
        "extra_when_full": draw(st.booleans()),
    }
    if dispatch == "timetable":
        train["per_day"] = draw(st.integers(1, 4))
    size = draw(st.sampled_from([[1.0], [2.0], [1.0, 2.0]]))
    flow = {
        "origin": "a",
        "destination": "d" if with_ship else "c",
        "direction": "southbound",
        "teu_per_year": draw(st.floats(200.0, 30000.0)),
        "chain": ["train", "ship"] if with_ship else ["train"],
        "chain_family": "rail_sea",
        "size_teu": size,
        "size_p": [1.0 / len(size)] * len(size),
        "arrivals": draw(
            st.sampled_from(
                ["poisson", "regular", *(["booked"] if dispatch == "timetable" else [])]
            )
        ),
    }
    border = {
        "tracks": draw(st.integers(1, 3)),
        "clearance_h": draw(st.floats(0.1, 6.0)),
        "clearance_cv": draw(st.floats(0.0, 1.5)),
        "clearance_dist": draw(st.sampled_from(["lognormal", "exponential", "deterministic"])),
        "inspection_share": draw(st.floats(0.0, 1.0)),
        "inspection_h": draw(st.floats(0, 5)),
        "opening_hours": draw(st.sampled_from(["", "08:00-17:00", "00:30-23:30"])),
        "background_per_day": draw(st.sampled_from([0.0, 2.0, 20.0])),
        "background_batch": draw(st.integers(1, 3)),
    }
    tables = {
        "horizon": {
            "start": "2019-01-07",
            "end": "2019-01-21",
            "warmup_days": draw(st.floats(0.0, 3.0)),
        },
        "demand.flows.f": flow,
        "services.train": train,
        "facilities.b": border,
        # yard and customs at the port (a transfer, or the destination)
        "facilities.c": {"dwell_h": draw(st.floats(0.0, 48.0)), "dwell_cv": draw(st.floats(0, 1))},
    }
    if with_ship:
        tables["services.ship"] = {
            "family": "sea",
            "vehicle": "ship",
            "path": ["c", "d"],
            "capacity_teu": draw(st.floats(10.0, 500.0)),
            "days": draw(st.lists(st.sampled_from(["mon", "wed", "fri"]), min_size=1, unique=True)),
            "times": ["18:00"],
        }
    if draw(st.booleans()):
        day = draw(st.integers(8, 18))
        tables["disruptions.shut"] = {
            "target": draw(st.sampled_from(["b", "c", "rail_bc"])),
            "start": f"2019-01-{day:02d}",
            "days": draw(st.floats(0.5, 4)),
        }
    return tables


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[
        *settings.default.suppress_health_check,
        HealthCheck.function_scoped_fixture,
    ],
)
@given(tables=small_scenarios(), seed=st.integers(0, 2**32 - 1))
def test_every_run_keeps_the_invariants(tmp_path, tables, seed):
    sc = load_scenario(write_scenario(tmp_path, tables))
    res = sim.run(sc, seed=seed)  # raises ModelError if an invariant broke
    cons, dep, visits = (res.tables[t] for t in ("consignments", "departures", "facility_visits"))
    delivered = ~np.isnan(cons["delivered_h"])
    # Every delivered TEU came off a vehicle of the chain's last service that arrived (and left
    # the destination's yard: with a dwell at c, the last train's load may still be in it):
    last = dep["service"] == ("ship" if "services.ship" in tables else "train")
    arrived = last & (dep["cancelled"] == 0) & ~np.isnan(dep["arrive_h"])
    yard = "services.ship" not in tables and tables["facilities.c"]["dwell_h"] > 0
    off_vehicles, to_consignees = dep["teu"][arrived].sum(), cons["teu"][delivered].sum()
    if yard:
        assert to_consignees <= off_vehicles + 1e-6
    else:
        assert off_vehicles == pytest.approx(to_consignees)
    assert (
        dep["teu"][dep["cancelled"] == 0] <= dep["capacity_teu"][dep["cancelled"] == 0] + 1e-9
    ).all()
    assert (visits["arrive_h"] <= visits["start_h"]).all() and (
        visits["start_h"] <= visits["end_h"]
    ).all()
    assert (cons["delivered_h"][delivered] >= cons["created_h"][delivered]).all()
    d2d = cons["delivered_h"] - cons["created_h"]
    parts = sum(cons[c] for c in BREAKDOWN_COLUMNS)
    assert np.allclose(d2d[delivered], parts[delivered])  # the breakdown adds up
    k = res.kpis()  # the TEU balance of the measured period, with or without a warm-up
    assert k["teu.created"] == pytest.approx(k["teu.delivered"] + k["teu.in_system"])
    assert k["teu.in_system"] + k["teu.in_system.from_warmup"] == pytest.approx(
        cons["teu"][~delivered].sum()
    )
    assert k == sim.run(sc, seed=seed).kpis()


def _corridor(tmp_path):
    flow = {
        "origin": "a",
        "destination": "c",
        "direction": "southbound",
        "teu_per_year": 8000.0,
        "chain": ["train"],
        "chain_family": "rail_sea",
    }
    train = {
        "family": "rail_sea",
        "vehicle": "train",
        "path": ["a", "b", "c"],
        "capacity_teu": 20.0,
        "per_day": 2,
    }
    sc = load_scenario(write_scenario(tmp_path, {"demand.flows.f": flow, "services.train": train}))
    corridor = Corridor(sc, seed=1)
    corridor.run()
    return corridor


def test_invariant_checks_catch_lost_teu_overload_and_backward_time(tmp_path):
    corridor = _corridor(tmp_path)
    tables = corridor.recorder.tables()
    queued = sum(r.queued_teu for r in corridor.services.values())
    check_invariants(corridor, tables, queued)  # a clean run passes
    with pytest.raises(sim.ModelError, match="TEU not conserved"):
        check_invariants(corridor, tables, queued + 1.0)
    over = {
        **tables,
        "departures": {**tables["departures"], "teu": tables["departures"]["teu"] + 100},
    }
    with pytest.raises(sim.ModelError, match="> capacity"):
        check_invariants(corridor, over, queued)
    visits = dict(tables["facility_visits"])
    visits["end_h"] = visits["start_h"] + 1000.0  # every train on the border's one track at once
    with pytest.raises(sim.ModelError, match="vehicles at once"):
        check_invariants(corridor, {**tables, "facility_visits": visits}, queued)
    cons = dict(tables["consignments"])
    cons["delivered_h"] = cons["created_h"] - 1.0
    with pytest.raises(sim.ModelError, match="before created_h"):
        check_invariants(corridor, {**tables, "consignments": cons}, queued)
