"""Engine benchmark: the 2019 year against a bare SimPy loop of the same volume, in one process.

The machine may be shared, so every time is CPU time, the minimum over interleaved rounds, and the
figures that matter are ratios. Prints, each with the engine issue's target beside it:

- ``sim.run`` + ``kpis()`` of the 2019 baseline (fixed chains), against a lean SimPy loop of
  the same volume, the primary figure: one ``timeout`` per TEU arriving, appended to its
  service's list, a daily train per rail service and a weekly ship per sea service taking their
  loads. The idiomatic per-container model (each TEU ``put`` in a ``Store``) is printed too, as
  a softer reference;
- the 2019 year with route choice against the fixed one;
- run time at demand x1, x2, x4, x8 and its growth exponent (time ~ demand^b);
- peak memory of one run (tracemalloc), and resident memory over 30 serial replications;
- start-up: CPU time of ``python -c "import sim"``, ``corridor-sim --help`` and ``--version``;
- ``corridor-sim plot`` and ``report`` on a 2019 run folder (wall time, one process each).

The speed-up of 30 replications on 2 cores is in ``benchmarks/bench_experiments.py``.

Run from the repository root:  python benchmarks/bench_engine.py [--rounds N] [--quick]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np
import simpy

import sim

BASELINE = "scenarios/baseline_2019.toml"
CHOICE = "scenarios/baseline_2019_choice.toml"


def bare_simpy(teu: int, rail: int, sea: int, store: bool = True, days: int = 365) -> None:
    """The per-container SimPy loop: TEU arrive one by one and trains and ships take them."""
    env = simpy.Environment()
    gaps = np.random.default_rng(0).exponential(days * 24.0 / teu, teu).tolist()
    queues: list = [simpy.Store(env) if store else [] for _ in range(rail + sea)]

    def arrivals():
        for k, gap in enumerate(gaps):
            yield env.timeout(gap)
            queue = queues[k % len(queues)]
            if store:
                yield queue.put(env.now)
            else:
                queue.append(env.now)

    def vehicle(queue, period_h: float, capacity: int):
        items = queue.items if store else queue
        while True:
            yield env.timeout(period_h)
            del items[:capacity]

    env.process(arrivals())
    for k in range(rail + sea):
        env.process(vehicle(queues[k], 24.0 if k < rail else 168.0, 50 if k < rail else 1200))
    env.run(until=days * 24.0)


def cpu(fn: Callable[[], object]) -> float:
    """CPU seconds of one call."""
    start = time.process_time()
    fn()
    return time.process_time() - start


def interleaved(tasks: dict[str, Callable[[], object]], rounds: int) -> dict[str, float]:
    """Minimum CPU time of each task over ``rounds`` rounds that run every task in turn."""
    best = dict.fromkeys(tasks, float("inf"))
    for _ in range(rounds):
        for name, fn in tasks.items():
            best[name] = min(best[name], cpu(fn))
    return best


def child_cpu(args: list[str], tries: int = 5) -> float:
    """Minimum CPU seconds (user + system) of a child process."""
    best = float("inf")
    for _ in range(tries):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(args, stdout=subprocess.DEVNULL, check=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        used = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        best = min(best, used)
    return best


def rss_mb() -> float:
    """Resident memory of this process now (MB)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (5)")
    parser.add_argument("--quick", action="store_true", help="skip scaling, memory and CLI")
    args = parser.parse_args()

    fixed, choice = sim.load_scenario(BASELINE), sim.load_scenario(CHOICE)
    teu = round(sum(f.teu_per_year for f in fixed.flows.values()))
    rail = sum(s.family in ("rail_sea", "intl_rail") for s in fixed.services.values())
    sea = sum(s.family == "sea" for s in fixed.services.values())
    print(f"{BASELINE}: {teu:,} TEU a year; reference: {rail} daily trains, {sea} weekly ships")
    for scenario in (fixed, choice):
        sim.run(scenario, seed=0).kpis()  # imports and caches warm

    best = interleaved(
        {
            "fixed": lambda: sim.run(fixed, seed=1, log_events=False).kpis(),
            "choice": lambda: sim.run(choice, seed=1, log_events=False).kpis(),
            "bare": lambda: bare_simpy(teu, rail, sea),
            "lean": lambda: bare_simpy(teu, rail, sea, store=False),
        },
        args.rounds,
    )
    events = sim.run(fixed, seed=1, log_events=False).events
    ratio, lean, choice_ratio = (
        best["fixed"] / best["bare"],
        best["fixed"] / best["lean"],
        best["choice"] / best["fixed"],
    )
    print(f"\nCPU time, minimum of {args.rounds} interleaved rounds")
    print(f"  2019 year, sim.run + kpis():   {best['fixed']:.3f} s ({events:,} SimPy events)")
    print(f"  with route choice:             {best['choice']:.3f} s")
    print(f"  bare SimPy loop (Store):       {best['bare']:.3f} s")
    print(f"  leaner loop (list, no Store):  {best['lean']:.3f} s")
    print(f"  year / leaner loop: {lean:.2f}   target <= 4.5 (record 2.0): {verdict(lean <= 4.5)}")
    print(f"  year / bare loop:   {ratio:.2f}   (the Store loop, a softer reference)")
    print(
        f"  choice / fixed:     {choice_ratio:.2f}   target <= 2.0 (record 1.5): "
        f"{verdict(choice_ratio <= 2.0)}"
    )
    if args.quick:
        return

    scales = (1, 2, 4, 8)
    runs = {k: sim.load_scenario(BASELINE, overrides={"demand.scale": float(k)}) for k in scales}
    times = interleaved(
        {k: (lambda sc=sc: sim.run(sc, seed=1, log_events=False).kpis()) for k, sc in runs.items()},
        max(1, args.rounds // 2),
    )
    slope = float(np.polyfit(np.log(scales), np.log([times[k] for k in scales]), 1)[0])
    print("\ndemand scale: " + "  ".join(f"x{k}: {times[k]:.2f} s" for k in scales))
    print(
        f"  growth exponent b (time ~ demand^b): {slope:.2f}   "
        f"target <= 1.05: {verdict(slope <= 1.05)}"
    )

    tracemalloc.start()
    sim.run(fixed, seed=1, log_events=False).kpis()
    peak_mb = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    print(
        f"\npeak memory of one run (tracemalloc): {peak_mb:.0f} MB   "
        f"target <= 120 MB: {verdict(peak_mb <= 120)}"
    )
    resident = []
    for seed in range(30):
        sim.run(fixed, seed=seed, log_events=False).kpis()
        resident.append(rss_mb())
    growth = resident[-1] - resident[0]
    print(
        f"resident memory over 30 serial replications: {resident[0]:.0f} MB after the first, "
        f"{resident[-1]:.0f} MB after the last (+{growth:.1f} MB)   target <= 10 MB: "
        f"{verdict(growth <= 10)}"
    )

    python = sys.executable
    starts = {
        "import sim": child_cpu([python, "-c", "import sim"]),
        "corridor-sim --help": child_cpu([python, "-m", "sim", "--help"]),
        "corridor-sim --version": child_cpu([python, "-m", "sim", "--version"]),
        "(python -c pass)": child_cpu([python, "-c", "pass"]),
    }
    print("\nstart-up, CPU time of a fresh process (min of 5)")
    for name, used in starts.items():
        target = "" if name.startswith("(") else f"   target <= 0.15 s: {verdict(used <= 0.15)}"
        print(f"  {name:24} {used:.3f} s{target}")

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "run"
        subprocess.run(
            [python, "-m", "sim", "run", BASELINE, "--out", str(folder)],
            stdout=subprocess.DEVNULL,
            check=True,
        )
        print("\nfigures of a 2019 run folder (wall time of one corridor-sim process each)")
        for command, target in (
            (["plot", str(folder), "--kind", "throughput", "--out", f"{tmp}/t.png"], 3.0),
            (["plot", str(folder), "--kind", "map", "--out", f"{tmp}/m.png"], 3.0),
            (["report", str(folder)], 8.0),
        ):
            start = time.perf_counter()
            subprocess.run([python, "-m", "sim", *command], stdout=subprocess.DEVNULL, check=True)
            wall = time.perf_counter() - start
            name = " ".join(command[:1] + command[2:4]) if command[0] == "plot" else "report"
            print(f"  {name:24} {wall:.2f} s   target <= {target:g} s: {verdict(wall <= target)}")


if __name__ == "__main__":
    main()
