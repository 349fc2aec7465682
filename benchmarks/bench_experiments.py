"""Experiment benchmark: 30 replications of the 2019 baseline, serially, on 2 workers, on Dask.

Prints the wall time of each, the speed-up of the process pool over serial (target >= 1.8 on 2
cores) and the overhead of a Dask local cluster against the process pool (target < 25%), both
including the time to start the workers. Checks that all three give identical rows.

Run from the repository root:  python benchmarks/bench_experiments.py [--replications N]
"""

from __future__ import annotations

import argparse
import time

import sim
from sim.fileio import json_text


def timed(scenario, n: int, **kw) -> tuple[float, list[dict]]:
    start = time.perf_counter()
    reps = sim.replicate(scenario, n=n, seed=1, **kw)
    return time.perf_counter() - start, reps.rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="scenarios/baseline_2019.toml")
    parser.add_argument("--replications", type=int, default=30)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    sc = sim.load_scenario(args.scenario)
    n = args.replications
    sim.run(sc, seed=0)  # warm imports
    serial, rows_serial = timed(sc, n, workers=sim.Workers("serial"))
    pool, rows_pool = timed(sc, n, workers=sim.Workers("process", jobs=args.jobs))
    dask, rows_dask = timed(sc, n, workers=sim.Workers("dask", jobs=args.jobs))
    speedup = serial / pool
    overhead = dask / pool - 1
    print(f"{n} replications of {args.scenario}")
    print(f"serial:                {serial:6.2f} s  ({serial / n:.2f} s per replication)")
    print(
        f"process pool, {args.jobs} workers: {pool:6.2f} s  speed-up {speedup:.2f}   "
        f"target >= 1.8: {'met' if speedup >= 1.8 else 'NOT met'}"
    )
    print(
        f"Dask local cluster:    {dask:6.2f} s  overhead vs the pool {overhead:+.0%}   "
        f"target < 25%: {'met' if overhead < 0.25 else 'NOT met'}"
    )
    same = json_text(rows_serial) == json_text(rows_pool) == json_text(rows_dask)  # NaN = NaN
    print(f"identical rows, in the same order, from all three: {same}")


if __name__ == "__main__":
    main()
