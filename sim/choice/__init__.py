"""Route and mode choice: generalised cost of a chain, logit shares, fitted constants.

:class:`ChainCoster` prices each flow's chain (expected door-to-door time with its waits, border
queues and known closures, the spread of that time, and the tariff). :func:`probabilities` and
:func:`pick` make the multinomial logit; :func:`family_shares` gives the expected shares of a
scenario's markets and :func:`calibrate_asc` fits the constants to the shares its flows give.
The model (:mod:`sim.model.chooser`) uses the same functions while it runs.
"""

from sim.choice.costs import ChainCoster
from sim.choice.logit import (
    Alternative,
    Calibration,
    alternatives_table,
    base_costs,
    calibrate_asc,
    family_shares,
    observed_family_shares,
    pick,
    probabilities,
)
from sim.choice.queues import LiveState, full_loads_ahead, nominal_rates_teu_h

__all__ = [
    "Alternative",
    "Calibration",
    "ChainCoster",
    "LiveState",
    "alternatives_table",
    "base_costs",
    "calibrate_asc",
    "family_shares",
    "full_loads_ahead",
    "nominal_rates_teu_h",
    "observed_family_shares",
    "pick",
    "probabilities",
]
