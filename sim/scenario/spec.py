"""The scenario file format as data: every table's keys, their kinds, defaults and rules.

Each table maps a key to ``(kind, default or REQUIRED, rule or None)``; a rule is a predicate and
the sentence a user reads when it fails. :mod:`sim.scenario.io` reads the files against these.
"""

from __future__ import annotations

from sim.scenario import merge as mg
from sim.scenario import schema as sc
from sim.scenario.merge import REQUIRED as REQ
from sim.scenario.merge import at_least, one_of, within

#: Node kinds that get a :class:`~sim.scenario.schema.Facility` in every scenario.
FACILITY_KINDS = ("border_post", "rail_terminal", "road_terminal", "seaport", "river_port", "lock")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
POS, NONNEG, ONE = at_least(0, strict=True), at_least(0), at_least(1)
# Upper bounds: no input may be so large that a run is meaningless or never ends.
HOURS = within(0, 8760, unit=" h (at most a year)")
POS_HOURS = within(0, 8760, strict_low=True, unit=" h (at most a year)")
SCALE = within(0, 1000, strict_low=True)
TEU = within(0, 100_000, unit=" TEU")  # the largest ships carry about 24,000
POS_TEU = within(0, 100_000, strict_low=True, unit=" TEU")
CV = within(0, 3)
COUNT = within(1, 10_000)
FULL: mg.Rule = (bool, "must not be empty")
# Each table's allowed keys: name -> (kind, default or REQ, rule or None).
TOP = {"name": ("str", REQ, FULL), "network": ("str", REQ, FULL), "seed": ("int", 0, NONNEG)}
TOP |= {"description": ("str", "", None), "replications": ("int", 1, ONE)}
TOP |= {"gauge_change_h": ("float", 0.0, HOURS)}
TOP |= {k: ("table", {}, None) for k in ("horizon", "log", "demand", "services", "facilities")}
TOP |= {"disruptions": ("table", {}, None), "service_defaults": ("table", {}, None)}
TOP |= {"random_disruptions": ("table", {}, None), "choice": ("table", {}, None)}
#: The most consignments (or other-traffic arrivals) a run may make: about 1 GB of memory, 13
#: times the 2019 corridor's year.
MAX_CONSIGNMENTS = 1_000_000
#: The longest horizon a scenario may have (a run's memory grows with it).
MAX_HORIZON_YEARS = 50
MAX_HORIZON_DAYS = 366 * MAX_HORIZON_YEARS
HORIZON = {"start": ("date", REQ, None), "end": ("date", REQ, None)}
HORIZON |= {"warmup_days": ("float", 0.0, NONNEG)}
DEMAND = {"scale": ("float", 1.0, SCALE), "flows": ("table", {}, None)}
DEMAND |= {"chain_scale": ("table", {}, None)}
CHAIN_SCALE = {k: ("float", 1.0, SCALE) for k in sc.CHAIN_FAMILIES}
PATH = (lambda p: 2 <= len(p) <= 100, "must list 2 to 100 nodes")
DAYS = (lambda ds: ds and set(ds) <= set(WEEKDAYS), f"must be weekdays {', '.join(WEEKDAYS)}")
SERVICE = {"family": ("str", REQ, one_of(*sc.SERVICE_FAMILIES)), "path": ("strs", REQ, PATH)}
SERVICE |= {"vehicle": ("str", REQ, one_of(*sc.VEHICLE_MODES))}
SERVICE |= {"capacity_teu": ("float", REQ, POS_TEU), "days": ("strs", WEEKDAYS, DAYS)}
SERVICE |= {"dispatch": ("str", "timetable", one_of(*sc.DISPATCH_RULES))}
TIMES = (lambda ts: ts and None not in map(mg.clock_hours, ts), "must be HH:MM times (to 23:59)")
SERVICE |= {"times": ("strs", None, TIMES), "per_day": ("int", None, within(1, 1440))}
SERVICE |= {"min_load_teu": ("float", 0.0, TEU), "max_wait_h": ("float", 168.0, POS_HOURS)}
SERVICE |= {"cutoff_h": ("float", 0.0, HOURS), "extra_when_full": ("bool", False, None)}
SHARE = (lambda x: 0 <= x <= 1, "must be in [0, 1]")
SERVICE |= {"min_load_share": ("float", 0.0, SHARE)}
PART = (lambda x: 0 < x <= 1, "must be in (0, 1]")
SERVICE |= {"corridor_share": ("float", 1.0, PART)}
SERVICE |= {"tariff_cny_per_teu": ("float", None, NONNEG)}
FLOW = {"origin": ("str", REQ, None), "destination": ("str", REQ, None)}
FLOW |= {"direction": ("str", REQ, one_of("southbound", "northbound"))}
FLOW |= {"teu_per_year": ("float", REQ, within(0, 1e8, unit=" TEU")), "chain": ("strs", REQ, FULL)}
FLOW |= {"chain_family": ("str", REQ, one_of(*sc.CHAIN_FAMILIES))}
FLOW |= {"arrivals": ("str", "poisson", one_of(*sc.ARRIVAL_PROCESSES))}
FLOW |= {"booking_h": ("float", 24.0, POS_HOURS)}
MONTH_LIST = (lambda ms: ms and all(1 <= m <= 12 for m in ms), "must be months 1-12")
MONTHS = (
    lambda m: len(m) == 12 and min(m) >= 0 < max(m) <= 1e6,
    "must be 12 factors in [0, 1e6], not all zero",
)
SIZES = (
    lambda xs: xs and min(xs) >= 0.1 and max(xs) <= 1000,
    "must be one or more sizes in [0.1, 1000] TEU",
)
FLOW |= {"commodity": ("str", "general", FULL), "seasonality": ("floats", (1.0,) * 12, MONTHS)}
FLOW |= {"size_teu": ("floats", (1.0,), SIZES), "size_p": ("floats", (1.0,), FULL)}
FACILITY = {k: ("int", None, COUNT) for k in ("lanes", "tracks", "berths")}
FACILITY |= {k: ("float", None, HOURS) for k in ("handling_h", "inspection_h")}
FACILITY |= {"clearance_cv": ("float", None, CV)}
OPEN = (lambda t: not t or mg.clock_hours(t, span=True), "must be HH:MM-HH:MM or '' for 24 h")
FACILITY |= {"clearance_h": ("float", None, POS_HOURS), "opening_hours": ("str", None, OPEN)}
FACILITY |= {"inspection_share": ("float", None, SHARE)}
FACILITY |= {"clearance_dist": ("str", None, one_of("lognormal", "exponential", "deterministic"))}
FACILITY |= {"transfer_h": ("float", None, HOURS), "release_h": ("float", None, HOURS)}
FACILITY |= {"dwell_h": ("float", None, HOURS), "dwell_cv": ("float", None, CV)}
FACILITY |= {"background_per_day": ("float", None, within(0, 100_000))}
FACILITY |= {"background_batch": ("int", None, COUNT)}
FACILITY |= {"background_seasonality": ("floats", None, MONTHS)}
FACILITY |= {"dwell_by_vehicle_h": ("table", None, None)}
#: ``[facilities.<node>.dwell_by_vehicle_h]``: the dwell of the boxes each kind of vehicle brings.
DWELL_BY_VEHICLE = {v: ("float", None, HOURS) for v in sc.VEHICLE_MODES}
DISRUPTION = {"target": ("str", REQ, None), "start": ("when", REQ, None)}
DISRUPTION |= {"end": ("when", None, None), "days": ("float", None, within(0, 366 * 50, True))}
DISRUPTION |= {"effect": ("str", "close", one_of("close", "slow"))}
DISRUPTION |= {"factor": ("float", 1.0, within(1, 1000))}


#: Random disruptions: a season (months), a mean number of events, durations drawn in a range.
RANDOM_DISRUPTION = {"target": ("str", REQ, None), "months": ("ints", REQ, MONTH_LIST)}
RANDOM_DISRUPTION |= {"events_per_year": ("float", REQ, within(0, 365))}
RANDOM_DISRUPTION |= {"days_min": ("float", REQ, within(0, 366, True))}
RANDOM_DISRUPTION |= {"days_max": ("float", REQ, within(0, 366, True))}
RANDOM_DISRUPTION |= {
    "effect": ("str", "close", one_of("close", "slow")),
    "factor": ("float", 1.0, within(1, 1000)),
}
#: The ``[choice]`` table: how consignments choose their chain (:class:`~sim.scenario.Choice`).
CHOICE = {"model": ("str", "fixed", one_of(*sc.CHOICE_MODELS)), "markets": ("table", {}, None)}
CHOICE |= {"scale_per_cny": ("float", 1e-3, POS), "reliability_ratio": ("float", 1.0, NONNEG)}
CHOICE |= {"value_of_time_cny_per_teu_h": ("table", {}, None)}
CHOICE |= {"asc_cny_per_teu": ("table", {}, None), "calibrated_to": ("str", "", None)}
CHOICE |= {"rechoose_delay_h": ("float", 48.0, POS_HOURS)}
CHOICE |= {"review_h": ("float", 24.0, within(1, 8760, unit=" h"))}
CHOICE |= {"notice_h": ("float", 0.0, HOURS)}
#: Service keys a ``[service_defaults.<family>]`` table may set.
DEFAULTABLE = {
    k: (kind, None, rule)
    for k, (kind, _, rule) in SERVICE.items()
    if k not in ("family", "vehicle", "path")
}
