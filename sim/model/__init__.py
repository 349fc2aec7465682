"""The SimPy model: facilities, services, the corridor that wires them, and its invariants.

The corridor (and with it SimPy) loads on first use of :func:`run` or :class:`Corridor`, so that
the scenario layer can use :mod:`sim.model.demand` (the arrival schedules, numpy only) without it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.model.corridor import Corridor, run

__all__ = ["Corridor", "run"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(importlib.import_module("sim.model.corridor"), name)
    raise AttributeError(f"module 'sim.model' has no attribute {name!r}")
