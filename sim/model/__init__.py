"""The SimPy model: facilities, services, the corridor that wires them, and its invariants."""

from sim.model.corridor import Corridor, run

__all__ = ["Corridor", "run"]
