"""The border post obeys queueing theory: Erlang C (M/M/c), Pollaczek–Khinchine (M/D/1), Little.

Trucks of 1 TEU leave as soon as a consignment arrives (Poisson), drive 2 h with no spread, and
queue at border post ``b`` of the tiny network; the mean wait over replications must agree with the
formula, within the 95% confidence interval of the replications.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from tiny import write_scenario

from sim import run
from sim.scenario import load_scenario

REPLICATIONS = 20


def erlang_c_wait_h(lam: float, mu: float, c: int) -> float:
    """Mean wait in queue of an M/M/c queue (Erlang C)."""
    a, rho = lam / mu, lam / (c * mu)
    top = a**c / math.factorial(c) / (1 - rho)
    p_wait = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
    return p_wait / (c * mu - lam)


def md1_wait_h(lam: float, service_h: float) -> float:
    """Mean wait in queue of an M/D/1 queue (Pollaczek–Khinchine)."""
    rho = lam * service_h
    return rho * service_h / (2 * (1 - rho))


def border_scenario(tmp_path, lam_per_h, lanes, service_h, dist, hours="", background_per_h=0.0):
    flow = {
        "origin": "a",
        "destination": "e",
        "direction": "southbound",
        "teu_per_year": lam_per_h * 8760.0,
        "chain": ["truck"],
        "chain_family": "road",
    }
    truck = {
        "family": "road",
        "vehicle": "truck",
        "path": ["a", "b", "e"],
        "capacity_teu": 1.0,
        "dispatch": "when_full",
    }
    border = {
        "lanes": lanes,
        "clearance_h": service_h,
        "clearance_cv": 1.0,
        "clearance_dist": dist,
        "opening_hours": hours,
        "background_per_day": background_per_h * 24.0,
    }
    tables = {
        "horizon": {"start": "2019-01-01", "end": "2019-04-01", "warmup_days": 5.0},
        "demand.flows.f": flow,
        "services.truck": truck,
        "facilities.b": border,
        "log": {"events": False},
    }
    return load_scenario(write_scenario(tmp_path, tables))


def mean_waits(scenario) -> np.ndarray:
    return np.array(
        [run(scenario, seed=s).kpis()["border_wait_h.b.mean"] for s in range(REPLICATIONS)]
    )


def ci95(x: np.ndarray) -> tuple[float, float]:
    half = 2.093 * x.std(ddof=1) / math.sqrt(len(x))  # t(0.975, 19)
    return x.mean() - half, x.mean() + half


def test_mmc_border_matches_erlang_c(tmp_path):
    expected = erlang_c_wait_h(1.5, 1.0, 2)  # 1.2857 h
    low, high = ci95(mean_waits(border_scenario(tmp_path, 1.5, 2, 1.0, "exponential")))
    assert low <= expected <= high, (low, expected, high)
    assert high - low < 0.25 * expected  # the interval is tight enough to mean something


def test_background_traffic_shares_the_lanes_as_one_mmc_queue(tmp_path):
    # The corridor's trucks (0.5 an hour) and the post's other traffic (1 an hour) queue for the
    # same 2 lanes: by PASTA, the corridor's trucks wait as in M/M/2 at the combined 1.5 an hour.
    expected = erlang_c_wait_h(1.5, 1.0, 2)  # 1.2857 h, against 0.0667 h for 0.5 an hour alone
    sc = border_scenario(tmp_path, 0.5, 2, 1.0, "exponential", background_per_h=1.0)
    waits = mean_waits(sc)
    low, high = ci95(waits)
    assert low <= expected <= high, (low, expected, high)
    assert high - low < 0.3 * expected
    k = run(sc, seed=1).kpis()
    days = (sc.horizon.length_h - sc.horizon.warmup_h) / 24.0
    assert k["background_vehicles.b"] == pytest.approx(24.0 * days, rel=0.05)
    assert k["border_crossings.b"] == pytest.approx(0.5 * 24.0 * days, rel=0.08)  # its own only


def test_md1_border_matches_pollaczek_khinchine(tmp_path):
    expected = md1_wait_h(0.7, 1.0)  # 1.1667 h
    low, high = ci95(mean_waits(border_scenario(tmp_path, 0.7, 1, 1.0, "deterministic")))
    assert low <= expected <= high, (low, expected, high)
    assert high - low < 0.25 * expected


@pytest.mark.parametrize("hours", ["", "08:00-17:00"])
def test_littles_law_holds_on_the_log(tmp_path, hours):
    # With opening hours, trucks that hold a lane until the post opens are waiting too.
    sc = border_scenario(tmp_path, 1.5 if not hours else 0.5, 2, 1.0, "exponential", hours)
    res = run(sc, seed=3)
    visits = res.tables["facility_visits"]
    w, end = sc.horizon.warmup_h, sc.horizon.length_h
    arrived = visits["arrive_h"] >= w
    lam = arrived.sum() / (end - w)
    wait = (visits["start_h"] - visits["arrive_h"])[arrived].mean()
    queue = res.kpis()["border_queue_vehicles.b.mean"]  # time average of the logged queue length
    assert queue == pytest.approx(lam * wait, rel=0.03)
    assert lam == pytest.approx(1.5 if not hours else 0.5, rel=0.05)
    assert wait > (0.5 if not hours else 5.0)
