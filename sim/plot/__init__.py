"""Figures. Every function takes an optional matplotlib ``ax`` and returns the Axes it drew on.

matplotlib is imported inside the functions, never at import time, so that ``import sim`` and the
command line stay fast for runs that draw nothing. No function calls ``plt.show()``.
"""

from sim.plot.choice_figures import chain_teu
from sim.plot.common import MODE_COLOURS
from sim.plot.map_figure import INSET_BOX, network_map
from sim.plot.marey_figure import marey
from sim.plot.operations_figures import cumulative_departures, teu_map, utilisation
from sim.plot.queue_figure import border_queue
from sim.plot.results_figures import comparison_forest, throughput, transit_times
from sim.plot.sensitivity_figure import sensitivity
from sim.plot.trip_parts_figure import d2d_parts
from sim.plot.validation_figure import validation

__all__ = [
    "INSET_BOX",
    "MODE_COLOURS",
    "border_queue",
    "chain_teu",
    "comparison_forest",
    "cumulative_departures",
    "d2d_parts",
    "marey",
    "network_map",
    "sensitivity",
    "teu_map",
    "throughput",
    "transit_times",
    "utilisation",
    "validation",
]
