"""How scenario loading grows with the size of a file: 1,000, 2,000 and 4,000 extra flows.

    python benchmarks/bench_load.py

Prints the seconds to load each (best of three) and the ratio to the smallest: linear growth
doubles the time when the flows double (merging once rescanned every key per key: 4.1, 15.7 and
62.5 s).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import sim

ROOT = Path(__file__).resolve().parents[1]


def scenario_with(folder: Path, n: int) -> Path:
    """The example scenario with ``n`` more road flows."""
    lines = ['name = "big"', f'extends = "{(ROOT / "scenarios" / "example.toml").as_posix()}"']
    for i in range(n):
        lines += [
            f"[demand.flows.f{i}]",
            'origin = "cq_nanpeng"',
            'destination = "hanoi"',
            'direction = "southbound"',
            "teu_per_year = 1.0",
            'chain = ["truck_cq_hanoi"]',
            'chain_family = "road"',
        ]
    path = folder / f"big_{n}.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def main() -> None:
    """Time the loads and print them."""
    with tempfile.TemporaryDirectory() as tmp:
        times = {}
        for n in (1000, 2000, 4000):
            path = scenario_with(Path(tmp), n)
            best = float("inf")
            for _ in range(3):
                start = time.perf_counter()
                sim.load_scenario(path)
                best = min(best, time.perf_counter() - start)
            times[n] = best
    for n, t in times.items():
        print(f"{n:>5,} flows: {t:.3f} s ({t / times[1000]:.1f} x the 1,000)")


if __name__ == "__main__":
    main()
