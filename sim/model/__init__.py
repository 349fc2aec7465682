"""The SimPy model: facilities, services, the corridor that wires them, and its invariants.

Nothing is imported here, so that the layers above can use the model's light modules (the log's
tables in :mod:`sim.model.records`, the random streams) without loading SimPy; the engine is
:mod:`sim.model.corridor`, and its public entry point :func:`sim.run`.
"""
