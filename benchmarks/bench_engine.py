"""Engine benchmark: one simulated year of the 2019 corridor (about 120,000 TEU over all modes).

Prints, with the targets of the engine issue beside them:
- median wall time of one simulated year (run only, event log off, 5 runs), events, events/s;
- the ratio to a bare SimPy loop that processes the same number of timeout events in this process;
- the time at demand x1, x2, x4, x8 and the fitted growth exponent (time ~ demand^b);
- peak memory of one run (tracemalloc peak of the run, and the process's maximum RSS).

Run from the repository root:  python benchmarks/bench_engine.py [--scenario FILE] [--runs N]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
import tracemalloc

import numpy as np
import simpy

import sim


def bare_simpy_s(events: int) -> float:
    """Wall time of a bare SimPy loop: one process yielding ``events`` timeouts."""
    env = simpy.Environment()

    def proc():
        for _ in range(events):
            yield env.timeout(1.0)

    env.process(proc())
    start = time.perf_counter()
    env.run()
    return time.perf_counter() - start


def timed_run(scenario, seed: int) -> tuple[float, int]:
    start = time.perf_counter()
    res = sim.run(scenario, seed=seed, log_events=False)
    return time.perf_counter() - start, res.events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="scenarios/baseline_2019.toml")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    scenario = sim.load_scenario(args.scenario)
    teu = sum(f.teu_per_year for f in scenario.flows.values())
    print(
        f"scenario {args.scenario}: {teu:,.0f} TEU a year, {len(scenario.flows)} flows, "
        f"{len(scenario.services)} services, horizon {scenario.horizon.length_h / 24:.0f} days"
    )

    timed_run(scenario, 0)  # warm caches and imports
    walls, events = zip(*(timed_run(scenario, seed) for seed in range(args.runs)), strict=True)
    wall = statistics.median(walls)
    bare = statistics.median(bare_simpy_s(events[0]) for _ in range(5))
    ratio = wall / bare
    print(
        f"\none simulated year: median {wall:.3f} s over {args.runs} runs "
        f"(min {min(walls):.3f}, max {max(walls):.3f})   target <= 1.0 s: "
        f"{'met' if wall <= 1.0 else 'NOT met'}"
    )
    print(
        f"events processed: {events[0]:,}; {events[0] / wall:,.0f} events/s; "
        f"{wall / events[0] * 1e6:.2f} us per event"
    )
    print(
        f"bare SimPy loop, same {events[0]:,} timeouts: {bare:.3f} s "
        f"({bare / events[0] * 1e6:.2f} us per event); ratio {ratio:.1f}   target <= 3: "
        f"{'met' if ratio <= 3 else 'NOT met'}"
    )

    scales = [1, 2, 4, 8]
    times = []
    for k in scales:
        sc = sim.load_scenario(args.scenario, overrides={"demand.scale": float(k)})
        runs = 3 if k <= 2 else 1
        times.append(statistics.median(timed_run(sc, seed)[0] for seed in range(runs)))
    slope = float(np.polyfit(np.log(scales), np.log(times), 1)[0])
    print(
        "\ndemand scale:  "
        + "  ".join(f"x{k}: {t:.2f} s" for k, t in zip(scales, times, strict=True))
    )
    print(
        f"growth exponent (time ~ demand^b): b = {slope:.2f}   target <= 1.1: "
        f"{'met' if slope <= 1.1 else 'NOT met'}"
    )

    tracemalloc.start()
    sim.run(scenario, seed=0, log_events=False)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"\npeak memory of one run, event log off: {peak / 2**20:.1f} MB allocated (tracemalloc); "
        f"process max RSS {rss_mb:.0f} MB (includes the x8 runs and imports)   target < 200 MB: "
        f"{'met' if peak / 2**20 < 200 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
