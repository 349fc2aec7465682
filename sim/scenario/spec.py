"""The scenario file format as data: every table's keys, their kinds, defaults and rules.

Each table maps a key to ``(kind, default or REQUIRED, rule or None)``; a rule is a predicate and
the sentence a user reads when it fails. :mod:`sim.scenario.io` reads the files against these.
"""

from __future__ import annotations

import re

from sim.scenario import merge as mg
from sim.scenario import schema as sc
from sim.scenario.merge import REQUIRED as REQ
from sim.scenario.merge import at_least, one_of

#: Node kinds that get a :class:`~sim.scenario.schema.Facility` in every scenario.
FACILITY_KINDS = ("border_post", "rail_terminal", "road_terminal", "seaport", "river_port", "lock")
ID = re.compile(r"^[a-z][a-z0-9_]*$")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
POS, NONNEG, ONE = at_least(0, strict=True), at_least(0), at_least(1)
FULL: mg.Rule = (bool, "must not be empty")
# Each table's allowed keys: name -> (kind, default or REQ, rule or None).
TOP = {"name": ("str", REQ, FULL), "network": ("str", REQ, FULL), "seed": ("int", 0, NONNEG)}
TOP |= {"description": ("str", "", None), "replications": ("int", 1, ONE)}
TOP |= {"gauge_change_h": ("float", 0.0, NONNEG)}
TOP |= {k: ("table", {}, None) for k in ("horizon", "log", "demand", "services", "facilities")}
TOP |= {"disruptions": ("table", {}, None), "service_defaults": ("table", {}, None)}
TOP |= {"random_disruptions": ("table", {}, None), "choice": ("table", {}, None)}
HORIZON = {"start": ("date", REQ, None), "end": ("date", REQ, None)}
HORIZON |= {"warmup_days": ("float", 0.0, NONNEG)}
DEMAND = {"scale": ("float", 1.0, POS), "flows": ("table", {}, None)}
DEMAND |= {"chain_scale": ("table", {}, None)}
CHAIN_SCALE = {k: ("float", 1.0, POS) for k in sc.CHAIN_FAMILIES}
PATH = (lambda p: len(p) >= 2, "must list at least 2 nodes")
DAYS = (lambda ds: ds and set(ds) <= set(WEEKDAYS), f"must be weekdays {', '.join(WEEKDAYS)}")
SERVICE = {"family": ("str", REQ, one_of(*sc.SERVICE_FAMILIES)), "path": ("strs", REQ, PATH)}
SERVICE |= {"vehicle": ("str", REQ, one_of(*sc.VEHICLE_MODES))}
SERVICE |= {"capacity_teu": ("float", REQ, POS), "days": ("strs", WEEKDAYS, DAYS)}
SERVICE |= {"dispatch": ("str", "timetable", one_of(*sc.DISPATCH_RULES))}
TIMES = (lambda ts: ts and None not in map(mg.clock_hours, ts), "must be HH:MM times (to 23:59)")
SERVICE |= {"times": ("strs", None, TIMES), "per_day": ("int", None, ONE)}
SERVICE |= {"min_load_teu": ("float", 0.0, NONNEG), "max_wait_h": ("float", 168.0, POS)}
SERVICE |= {"cutoff_h": ("float", 0.0, NONNEG), "extra_when_full": ("bool", False, None)}
SHARE = (lambda x: 0 <= x <= 1, "must be in [0, 1]")
SERVICE |= {"min_load_share": ("float", 0.0, SHARE)}
PART = (lambda x: 0 < x <= 1, "must be in (0, 1]")
SERVICE |= {"corridor_share": ("float", 1.0, PART)}
SERVICE |= {"tariff_cny_per_teu": ("float", None, NONNEG)}
FLOW = {"origin": ("str", REQ, None), "destination": ("str", REQ, None)}
FLOW |= {"direction": ("str", REQ, one_of("southbound", "northbound"))}
FLOW |= {"teu_per_year": ("float", REQ, NONNEG), "chain": ("strs", REQ, FULL)}
FLOW |= {"chain_family": ("str", REQ, one_of(*sc.CHAIN_FAMILIES))}
FLOW |= {"arrivals": ("str", "poisson", one_of(*sc.ARRIVAL_PROCESSES))}
FLOW |= {"booking_h": ("float", 24.0, POS)}
MONTH_LIST = (lambda ms: ms and all(1 <= m <= 12 for m in ms), "must be months 1-12")
MONTHS = (lambda m: len(m) == 12 and min(m) >= 0 < max(m), "must be 12 factors >= 0, not all zero")
SIZES = (lambda xs: xs and min(xs) > 0, "must be one or more sizes > 0")
FLOW |= {"commodity": ("str", "general", FULL), "seasonality": ("floats", (1.0,) * 12, MONTHS)}
FLOW |= {"size_teu": ("floats", (1.0,), SIZES), "size_p": ("floats", (1.0,), FULL)}
FACILITY = {k: ("int", None, ONE) for k in ("lanes", "tracks", "berths")}
FACILITY |= {k: ("float", None, NONNEG) for k in ("handling_h", "clearance_cv", "inspection_h")}
OPEN = (lambda t: not t or mg.clock_hours(t, span=True), "must be HH:MM-HH:MM or '' for 24 h")
FACILITY |= {"clearance_h": ("float", None, POS), "opening_hours": ("str", None, OPEN)}
FACILITY |= {"inspection_share": ("float", None, SHARE)}
FACILITY |= {"clearance_dist": ("str", None, one_of("lognormal", "exponential", "deterministic"))}
FACILITY |= {"transfer_h": ("float", None, NONNEG), "release_h": ("float", None, NONNEG)}
FACILITY |= {"dwell_h": ("float", None, NONNEG), "dwell_cv": ("float", None, NONNEG)}
FACILITY |= {"background_per_day": ("float", None, NONNEG), "background_batch": ("int", None, ONE)}
FACILITY |= {"background_seasonality": ("floats", None, MONTHS)}
FACILITY |= {"dwell_by_vehicle_h": ("table", None, None)}
#: ``[facilities.<node>.dwell_by_vehicle_h]``: the dwell of the boxes each kind of vehicle brings.
DWELL_BY_VEHICLE = {v: ("float", None, NONNEG) for v in sc.VEHICLE_MODES}
DISRUPTION = {"target": ("str", REQ, None), "start": ("when", REQ, None)}
DISRUPTION |= {"end": ("when", None, None), "days": ("float", None, POS)}
DISRUPTION |= {"effect": ("str", "close", one_of("close", "slow")), "factor": ("float", 1.0, ONE)}


#: Random disruptions: a season (months), a mean number of events, durations drawn in a range.
RANDOM_DISRUPTION = {"target": ("str", REQ, None), "months": ("ints", REQ, MONTH_LIST)}
RANDOM_DISRUPTION |= {"events_per_year": ("float", REQ, NONNEG)}
RANDOM_DISRUPTION |= {"days_min": ("float", REQ, POS), "days_max": ("float", REQ, POS)}
RANDOM_DISRUPTION |= {
    "effect": ("str", "close", one_of("close", "slow")),
    "factor": ("float", 1.0, ONE),
}
#: The ``[choice]`` table: how consignments choose their chain (:class:`~sim.scenario.Choice`).
CHOICE = {"model": ("str", "fixed", one_of(*sc.CHOICE_MODELS)), "markets": ("table", {}, None)}
CHOICE |= {"scale_per_cny": ("float", 1e-3, POS), "reliability_ratio": ("float", 1.0, NONNEG)}
CHOICE |= {"value_of_time_cny_per_teu_h": ("table", {}, None)}
CHOICE |= {"asc_cny_per_teu": ("table", {}, None), "calibrated_to": ("str", "", None)}
CHOICE |= {"rechoose_delay_h": ("float", 48.0, POS), "review_h": ("float", 24.0, POS)}
CHOICE |= {"notice_h": ("float", 0.0, NONNEG)}
#: Service keys a ``[service_defaults.<family>]`` table may set.
DEFAULTABLE = {
    k: (kind, None, rule)
    for k, (kind, _, rule) in SERVICE.items()
    if k not in ("family", "vehicle", "path")
}
