"""Scenarios: what one run simulates (horizon, services, demand, facilities, disruptions).

:func:`load_scenario` reads a TOML scenario file, follows its ``extends`` chain, applies overrides
and checks every rule; :func:`parse_set_options` turns ``--set key=value`` options into overrides;
:func:`scenario_diff` lists what two scenarios set differently.
"""

from sim.scenario.io import load_scenario, scenario_diff
from sim.scenario.merge import parse_set_options
from sim.scenario.schema import (
    Choice,
    Disruption,
    Facility,
    Flow,
    Horizon,
    RandomDisruption,
    Scenario,
    Service,
)
from sim.scenario.vocabulary import (
    ARRIVAL_PROCESSES,
    CHAIN_FAMILIES,
    CHOICE_MODELS,
    DISPATCH_RULES,
    FACILITY_KINDS,
    SERVICE_FAMILIES,
    VEHICLE_MODES,
)

__all__ = [
    "ARRIVAL_PROCESSES",
    "CHAIN_FAMILIES",
    "CHOICE_MODELS",
    "DISPATCH_RULES",
    "FACILITY_KINDS",
    "SERVICE_FAMILIES",
    "VEHICLE_MODES",
    "Choice",
    "Disruption",
    "Facility",
    "Flow",
    "Horizon",
    "RandomDisruption",
    "Scenario",
    "Service",
    "load_scenario",
    "parse_set_options",
    "scenario_diff",
]
