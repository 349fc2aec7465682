"""A quick subset of the input fuzzer (benchmarks/fuzz_inputs.py): no traceback, no hang, no
memory blow-up, no non-finite or huge number accepted, whatever is mutated."""

from __future__ import annotations

import sys

import pytest
from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))

import fuzz_inputs


@pytest.mark.slow
def test_generated_bad_inputs_are_refused_cleanly():
    counts, wrong = fuzz_inputs.fuzz(scenarios=150, networks=50, seed=7, timeout_s=60.0)
    described = [f"{o}: {c.what}: corridor-sim {' '.join(c.argv)}\n{e}" for c, o, e in wrong]
    assert not wrong, "\n\n".join(described)
    per_kind = {k: sum(n for (kind, _), n in counts.items() if kind == k) for k, _ in counts}
    assert per_kind["scenario"] == 150 and per_kind["network"] == 50 and per_kind["cli"] > 40
    assert counts["scenario", "refused"] > 100 and counts["network", "refused"] > 20
