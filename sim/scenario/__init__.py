"""Scenarios: what one run simulates (horizon, services, demand, facilities, disruptions).

:func:`load_scenario` reads a TOML scenario file, follows its ``extends`` chain, applies overrides
and checks every rule; :func:`parse_set_options` turns ``--set key=value`` options into overrides;
:func:`scenario_diff` lists what two scenarios set differently.

To change ..., edit ...:

- a key of a scenario file (its kind, default, rule): the record's field, ``file_key(...)``, in
  ``schema.py`` (horizon, services, flows, choice) or ``operations.py`` (facilities, disruptions);
- the bounds a value must keep (hours, shares, counts): ``input_bounds.py``;
- a table's keys as the file format lists them: derived from the records by ``file_format.py``
  (edit the record, not this);
- an option word (``dispatch``, ``arrival``, a facility kind): ``vocabulary.py``;
- how a table becomes a record, or a check across tables: ``readers.py`` (``choice_io.py`` for
  ``[choice]``);
- ``extends``, overrides and ``--set``: ``merge.py``;
- how a checked value is read and a problem reported: ``checker.py``;
- a rule the engine and route choice share (servers, stops, gauge changes, dwell, opening
  hours): ``operating_rules.py``;
- a flow's expected arrivals by month: ``rates.py``; the size limits checked before a run:
  ``limits.py``.
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
