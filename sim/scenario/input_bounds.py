"""The rules a scenario's values must keep, and the limits that keep a run meaningful.

Every number has an upper bound too: no input may be so large that a run is meaningless or never
ends. The record types of :mod:`sim.scenario.schema` name these rules in their fields' metadata.
"""

from __future__ import annotations

from sim.options import MAX_REPLICATIONS
from sim.scenario.checker import Rule, at_least, within
from sim.scenario.vocabulary import WEEKDAYS
from sim.textio import clock_hours

__all__ = ["COUNT", "CV", "DAYS", "FULL", "HOURS", "MAX_CONSIGNMENTS", "MAX_HORIZON_DAYS"]
__all__ += ["MAX_HORIZON_YEARS", "MONTHS", "MONTH_LIST", "NONNEG", "OPEN", "PART", "PATH"]
__all__ += ["POS", "POS_HOURS", "POS_TEU", "REPLICATIONS", "SCALE", "SHARE", "SIZES", "TEU"]
__all__ += ["NAME", "TIMES"]

#: The most consignments (or other-traffic arrivals) a run may make: about 1 GB of memory, 13
#: times the 2019 corridor's year.
MAX_CONSIGNMENTS = 1_000_000
#: The longest horizon a scenario may have (a run's memory grows with it).
MAX_HORIZON_YEARS = 50
MAX_HORIZON_DAYS = 366 * MAX_HORIZON_YEARS

POS, NONNEG = at_least(0, strict=True), at_least(0)
HOURS = within(0, 8760, unit=" h (at most a year)")
POS_HOURS = within(0, 8760, strict_low=True, unit=" h (at most a year)")
SCALE = within(0, 1000, strict_low=True)
TEU = within(0, 100_000, unit=" TEU")  # the largest ships carry about 24,000
POS_TEU = within(0, 100_000, strict_low=True, unit=" TEU")
CV = within(0, 3)
COUNT = within(1, 10_000)
REPLICATIONS = within(1, MAX_REPLICATIONS)
FULL: Rule = (bool, "must not be empty")
NAME: Rule = (lambda s: bool(s) and s.isprintable(), "must be printable text, not empty")
SHARE: Rule = (lambda x: 0 <= x <= 1, "must be in [0, 1]")
PART: Rule = (lambda x: 0 < x <= 1, "must be in (0, 1]")
PATH: Rule = (lambda p: 2 <= len(p) <= 100, "must list 2 to 100 nodes")
DAYS: Rule = (
    lambda ds: ds and set(ds) <= set(WEEKDAYS),
    f"must be weekdays {', '.join(WEEKDAYS)}",
)
TIMES: Rule = (
    lambda ts: ts and None not in map(clock_hours, ts),
    "must be HH:MM times (to 23:59)",
)
OPEN: Rule = (
    lambda t: not t or clock_hours(t, span=True),
    "must be HH:MM-HH:MM or '' for 24 h",
)
MONTH_LIST: Rule = (lambda ms: ms and all(1 <= m <= 12 for m in ms), "must be months 1-12")
MONTHS: Rule = (
    lambda m: len(m) == 12 and min(m) >= 0 < max(m) <= 1e6,
    "must be 12 factors in [0, 1e6], not all zero",
)
SIZES: Rule = (
    lambda xs: xs and min(xs) >= 0.1 and max(xs) <= 1000,
    "must be one or more sizes in [0.1, 1000] TEU",
)
