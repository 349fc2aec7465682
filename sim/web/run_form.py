"""The run and compare forms: how many replications, the seed, and where the runs go.

Each field is checked by the command line's rule for its option (``--replications``, ``--seed``,
``--jobs``, ``--executor``, ``--address``: :mod:`sim.options`), and its message names the form's
field, not the option. A blank Replications runs the scenario's own ``replications``, as
:func:`sim.replicate` does when it is not told how many.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import Any

from sim.errors import SimError
from sim.options import (
    EXECUTORS,
    MAX_REPLICATIONS,
    cap_jobs,
    check_address,
    count,
    positive,
    positive_at_most,
)

__all__ = ["FIELDS", "WHERE", "check_where", "field_message"]

#: The forms' fields as their messages name them.
FIELDS = {
    "scenario": "Scenario",
    "alt": "Alternative",
    "base": "Base",
    "replications": "Replications",
    "seed": "Seed",
    "jobs": "Workers",
    "executor": "Where to run",
    "address": "Cluster address",
}
#: Where the runs go, in plain words, by executor.
WHERE = {
    "process": "this machine, on every core",
    "serial": "this machine, one run at a time",
    "dask": "a cluster (Dask)",
}


def field_message(name: str, text: str) -> str:
    """``text`` said of the form's field ``name``: ``Seed: must be a whole number, got 'x'``."""
    return f"{FIELDS.get(name, name)}: {text}"


def check_where(form: Mapping[str, str], errors: dict[str, str]) -> dict[str, Any]:
    """Replications, seed, workers and where to run from a form, by the command line's rules.

    A blank replications, seed or workers is None (the scenario's own; one worker per core).
    Workers beyond the cores are capped as the command line caps them, with a note (``"note"``).
    """
    out: dict[str, Any] = {}
    checks = {
        "replications": positive_at_most(MAX_REPLICATIONS),
        "seed": count,
        "jobs": positive,
    }
    for name, parse in checks.items():
        text = form.get(name, "").strip()
        out[name] = None
        if text:
            try:
                out[name] = parse(text)
            except argparse.ArgumentTypeError as exc:
                errors[name] = field_message(name, str(exc))
    executor = form.get("executor", "process")
    if executor not in EXECUTORS:
        choices = ", ".join(WHERE.values())
        errors["executor"] = field_message(
            "executor", f"must be one of {choices}, got {executor!r}"
        )
    address = form.get("address", "").strip() or None
    try:
        check_address(executor, address)
    except SimError:
        errors["address"] = field_message(
            "address", f"only for runs on a cluster: pick {WHERE['dask']!r} in Where to run"
        )
    out["executor"], out["address"] = executor, address
    out["jobs"], note = cap_jobs(out["jobs"], address)
    asked = form.get("jobs", "").strip()
    out["note"] = (
        f"note: {asked} workers asked for, more than the {out['jobs']} cores here: "
        f"using {out['jobs']}"
        if note
        else ""
    )
    return out
