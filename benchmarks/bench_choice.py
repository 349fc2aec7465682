"""Route and mode choice: cost, fit and reaction on the 2019 corridor.

Prints:
- the time of one simulated year with the logit on and with fixed chains (median of 3 runs);
- the 2019 TEU shares by chain of the markets: given by the flows, from the fitted logit in an
  empty corridor, and simulated (mean of N replications, with the largest gap in points);
- doubling the Chongqing rail-sea frequency (scenarios/rail_sea_cq_doubled.toml) with the logit
  on: the rise of the markets' rail-sea share predicted from the logit's own costs (empty
  corridor) against the simulated rise (paired replications, 95% CI);
- Youyiguan shut for 30 days (scenarios/youyiguan_closed_*.toml): diverted TEU, the queue at the
  closed post and the Hanoi road door-to-door time, with choice and with fixed chains.

Run from the repository root:  python benchmarks/bench_choice.py [--replications N]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import sim
from sim.choice import family_shares, observed_family_shares


def market_shares(res: sim.RunResult) -> dict[str, float]:
    """TEU share of each chain family among the consignments of the markets."""
    cons = res.tables["consignments"]
    inside = cons["market"] != ""
    total = cons["teu"][inside].sum()
    return {
        chain: float(cons["teu"][inside & (cons["chain"] == chain)].sum() / total)
        for chain in observed_family_shares(res.scenario)
    }


def mean_ci(values: list[float]) -> tuple[float, float]:
    """Mean and the half-width of its 95% CI (t quantile for small n approximated by 2.05)."""
    arr = np.asarray(values)
    half = 2.05 * arr.std(ddof=1) / np.sqrt(len(arr)) if len(arr) > 1 else float("nan")
    return float(arr.mean()), float(half)


def main() -> None:
    """Print the figures of the route-choice issue."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=10)
    n = parser.parse_args().replications
    logit = sim.load_scenario("scenarios/baseline_2019_choice.toml")
    fixed = sim.load_scenario("scenarios/baseline_2019.toml")
    for name, sc in (("logit", logit), ("fixed", fixed)):
        times = []
        for seed in range(3):
            start = time.perf_counter()
            sim.run(sc, seed=seed)
            times.append(time.perf_counter() - start)
        print(f"one simulated year, choice {name}: {statistics.median(times):.2f} s (median of 3)")

    given, fitted = observed_family_shares(logit), family_shares(logit)
    base_runs = [sim.run(logit, seed=s) for s in range(n)]
    simulated = {c: mean_ci([market_shares(r)[c] for r in base_runs]) for c in given}
    print(f"\n2019 TEU shares of the markets (simulated: mean of {n} replications, 95% CI)")
    print(f"{'chain':<10} {'given':>7} {'logit':>7} {'simulated':>18}")
    for chain, share in given.items():
        m, h = simulated[chain]
        print(f"{chain:<10} {share:>7.2%} {fitted[chain]:>7.2%} {m:>9.2%} ± {h:.2%}")
    gap = max(abs(simulated[c][0] - s) for c, s in given.items())
    print(f"largest gap, simulated against given: {100 * gap:.2f} points (target: under 2)")

    doubled = sim.load_scenario(
        "scenarios/rail_sea_cq_doubled.toml", overrides={"choice.model": "logit"}
    )
    predicted = family_shares(doubled)["rail_sea"] - fitted["rail_sea"]
    alt_runs = [sim.run(doubled, seed=s) for s in range(n)]
    rises = [
        market_shares(a)["rail_sea"] - market_shares(b)["rail_sea"]
        for a, b in zip(alt_runs, base_runs, strict=True)
    ]
    m, h = mean_ci(rises)
    print("\nChongqing rail-sea trains doubled, choice on: rail-sea share of the markets")
    print(f"predicted by the logit's costs: {100 * predicted:+.2f} points")
    print(f"simulated (paired, {n} replications): {100 * m:+.2f} ± {100 * h:.2f} points")

    print("\nYouyiguan shut 30 days from 1 February (seed 0..n-1, means)")
    for name in ("youyiguan_closed_choice", "youyiguan_closed_fixed"):
        sc = sim.load_scenario(f"scenarios/{name}.toml")
        kpis = [sim.run(sc, seed=s).kpis() for s in range(n)]
        row = {
            k: statistics.mean(x[k] for x in kpis)
            for k in (
                "teu.diverted",
                "border_queue_vehicles.youyiguan.max",
                "border_wait_h.youyiguan.mean",
                "door_to_door_h.cq_nanpeng.hanoi.road.mean",
                "diversion.extra_h.mean",
                "diversion.extra_tariff_cny",
                "diversion.extra_co2_kg",
            )
        }
        print(f"{name}: " + ", ".join(f"{k} {v:,.1f}" for k, v in row.items()))


if __name__ == "__main__":
    main()
