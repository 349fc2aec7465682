"""The vocabularies of options shared by the library and the command line.

Kept in a module of their own with no heavy imports, so that ``corridor-sim --help`` can list
them without loading numpy or the executors.
"""

from __future__ import annotations

from typing import Literal, get_args

__all__ = [
    "EXECUTORS",
    "MAX_REPLICATIONS",
    "SENSITIVITY_METHODS",
    "TABLE_FORMATS",
    "ExecutorName",
    "SensitivityMethod",
    "TableFormat",
]

#: Where the runs of an experiment go: this process, a process pool, or a Dask cluster.
ExecutorName = Literal["serial", "process", "dask"]
EXECUTORS: tuple[str, ...] = get_args(ExecutorName)

#: File formats of a run's tables: CSV for spreadsheets, Parquet (the ``analysis`` extra) or
#: compressed numpy (``npz``) to load back fast.
TableFormat = Literal["csv", "parquet", "npz"]
TABLE_FORMATS: tuple[str, ...] = get_args(TableFormat)

#: Global sensitivity methods: Morris elementary effects, or Sobol indices (both from SALib).
SensitivityMethod = Literal["morris", "sobol"]
SENSITIVITY_METHODS: tuple[str, ...] = get_args(SensitivityMethod)

#: The most replications one experiment may ask for (the command line, a scenario, sim.replicate).
MAX_REPLICATIONS = 10_000
