"""Every family of KPI in one registry: its names, unit, meaning, and whether it is an average.

A KPI's name is dotted; a family writes its names as patterns where ``<x>`` stands for one name
part and ``{a,b}`` for one of the listed parts. From this registry come :func:`missing_value`
(what a KPI a run lacks stands for), the glossary of ``docs/kpis.md`` (written by
``docs/make_docs.py``), and the test that every KPI a run makes belongs to exactly one family.
To add a KPI: compute it in :mod:`sim.results.kpis`, add (or extend) its family here, and run
``python docs/make_docs.py``.

>>> family_of("border_wait_h.youyiguan.p90").unit, missing_value("closed_h.youyiguan")
('h', 0.0)
"""

from __future__ import annotations

import functools
import math
import re
from typing import NamedTuple

from sim.model.records import TRIP_PARTS

__all__ = ["FAMILIES", "KpiFamily", "family_of", "missing_value"]

_PARTS = "{" + ",".join(p.part for p in TRIP_PARTS) + "}"


class KpiFamily(NamedTuple):
    """KPIs with one unit and meaning: their name patterns, and how a missing one reads."""

    names: tuple[str, ...]  #: patterns: ``<x>`` one name part, ``{a,b}`` one of the parts
    unit: str
    what: str
    #: An average (a mean, percentile, share or part of one): a run without an observation has
    #: no value (NaN, ``n/a``). Otherwise a count or total, 0 where a run lacks it.
    average: bool

    def patterns(self) -> list[re.Pattern[str]]:
        """The names as regular expressions matching whole KPI names."""
        out = []
        for name in self.names:
            pattern = re.escape(name).replace(r"\<", "<").replace(r"\>", ">")
            pattern = re.sub(r"<[^>]+>", "[^.]+", pattern)
            pattern = re.sub(
                r"\\\{([^}]+)\\\}", lambda m: "(?:" + m.group(1).replace(",", "|") + ")", pattern
            )
            out.append(re.compile(pattern + r"\Z"))
        return out


def _f(names: str, unit: str, what: str, average: bool = False) -> KpiFamily:
    return KpiFamily(tuple(names.split()), unit, what, average)


_PART_WORDS = "waiting for the first departure (a closed origin or link included), for the next "
_PART_WORDS += "one at a transfer, in a yard and customs, moving, handled, queueing at posts and "
_PART_WORDS += "locks, cleared there; they add up to the mean"

#: Every KPI family, in the order of the glossary.
FAMILIES: tuple[KpiFamily, ...] = (
    _f(
        "teu.created teu.delivered teu.in_system",
        "TEU",
        "TEU created after the warm-up; of them, delivered and still in the system at the end "
        "(the three add up with or without a warm-up)",
    ),
    _f(
        "teu.in_system.from_warmup",
        "TEU",
        "the rest of the stock at the end: created during the warm-up",
    ),
    _f("teu.carried.<family> teu.carried.service.<service>", "TEU", "TEU that left on a vehicle"),
    _f(
        "teu.chain.<chain> teu.route.<route> teu.post.<post>",
        "TEU",
        "TEU created, by the chain taken, by route, and through each border post",
    ),
    _f("departures.<family> departures.service.<service>", "vehicles", "vehicles that left"),
    _f(
        "capacity_added.<service>",
        "departures a week",
        "for a service with `respond = true`: the weekly departures its operator added and still "
        "runs at the end (added less withdrawn)",
    ),
    _f(
        "cancelled.<family> cancelled.service.<service>",
        "slots",
        "timetable slots that did not run: their minimum load was not ready",
    ),
    _f(
        "rolled_share.service.<service>",
        "share (0 to 1)",
        "for a timetabled service: TEU left behind by its departures that left full, over those "
        "and the TEU they carried (a box left behind twice counts twice); where it is high, its "
        "timetable binds",
        average=True,
    ),
    _f(
        "load_factor.<family>",
        "share (0 to 1)",
        "TEU carried / capacity of the vehicles that left",
        average=True,
    ),
    _f(
        "door_to_door_h.<origin>.<destination>.<chain>.{mean,p50,p90,p95}",
        "h",
        "hours from the box handed in at its origin to its release at its destination "
        "(delivered boxes)",
        average=True,
    ),
    _f(
        f"breakdown_h.<origin>.<destination>.<chain>.{_PARTS}",
        "h",
        f"the door-to-door mean in its parts: {_PART_WORDS}",
        average=True,
    ),
    _f(
        f"route_door_to_door_h.<route>.mean route_breakdown_h.<route>.{_PARTS}",
        "h",
        "door to door over every flow of a route, and its parts",
        average=True,
    ),
    _f("border_crossings.<post>", "vehicles", "the corridor's vehicles served at a post or lock"),
    _f(
        "border_wait_h.<post>.{mean,p90}",
        "h",
        "their wait for a lane (or a lock's line), the wait for an opening included",
        average=True,
    ),
    _f(
        "border_queue_vehicles.<post>.mean",
        "vehicles",
        "the corridor's vehicles waiting there, time-average",
        average=True,
    ),
    _f(
        "border_queue_vehicles.<post>.max border_queue_teu.<post>.max",
        "vehicles; TEU",
        "the most of the corridor's vehicles waiting there at once, and the most TEU on them",
    ),
    _f(
        "queue_vehicles.<post>.mean",
        "vehicles",
        "every vehicle waiting there, the corridor's and the other traffic's, time-average; an "
        "event of the other traffic counts as its `background_batch` vehicles from its arrival "
        "to its start",
        average=True,
    ),
    _f(
        "queue_vehicles.<post>.max",
        "vehicles",
        "every vehicle waiting there, the most at once (counted as above)",
    ),
    _f(
        "background_vehicles.<node>",
        "vehicles",
        "the facility's other traffic (the border KPIs above count the corridor's own vehicles)",
    ),
    _f(
        "utilisation.<node>.{lanes,tracks,berths}",
        "share (0 to 1)",
        "busy share of the servers, other traffic included (0 where a run has none)",
    ),
    _f(
        "line_trains.<link>",
        "trains",
        "for a rail link with `paths_per_day`: the corridor's trains that took a path on it",
    ),
    _f(
        "line_wait_h.<link>.mean line_utilisation.<link>",
        "h; share (0 to 1)",
        "for a rail link with `paths_per_day`: the corridor's trains' mean wait for a free path, "
        "and the share of its paths (both directions) taken, the line's other trains included",
        average=True,
    ),
    _f("closed_h.<target>", "h", "hours a node or link was closed"),
    _f(
        "backlog.<disruption>.{vehicles,corridor_vehicles,peak_vehicles}",
        "vehicles",
        "for each closure or slow-down of a facility in the scenario's `[disruptions]`: vehicles "
        "waiting when it ends (other traffic included), the corridor's part of them, and the "
        "longest whole queue from its start until it recovered",
    ),
    _f(
        "backlog.<disruption>.{cleared_h,recovered_h,wait_h.mean,sent_d2d_h.mean}",
        "h",
        "for the same: hours until the last of the vehicles waiting at its end is served (absent "
        "while some are still waiting at the end of the run), hours from its end until the whole "
        "queue first falls back to its average of the 30 days before it (before the first of a "
        "run of windows at that node, each within 30 days of the next; absent if it never does: "
        "returning traffic can keep the queue long), mean wait of the vehicles that came during "
        "it, door to door of the corridor's boxes handed in during it on a chain through the node",
        average=True,
    ),
    _f(
        "missed_connections",
        "count",
        "times a box reached a transfer after a timetabled departure's cut-off but before it left",
    ),
    _f(
        "rolled",
        "count",
        "times a box ready for a timetabled departure was left behind because the vehicle left "
        "full",
    ),
    _f(
        "co2_kg_per_teu.<chain>",
        "kg CO2 per TEU",
        "a static figure: the chain's distance times the mode's CO2 per TEU-km",
        average=True,
    ),
    _f(
        "teu.diverted teu.rechosen",
        "TEU",
        "route choice: TEU that took another chain than planned, and that chose again while "
        "waiting",
    ),
    _f(
        "diversion.extra_h.mean",
        "h",
        "route choice: the mean extra door to door of the diverted boxes against their planned "
        "chains",
        average=True,
    ),
    _f(
        "diversion.{extra_tariff_cny,extra_co2_kg}",
        "CNY; kg CO2",
        "route choice: what diverting cost in tariffs and CO2 against the planned chains",
    ),
)

_MATCHERS = [(pattern, family) for family in FAMILIES for pattern in family.patterns()]


@functools.lru_cache(maxsize=4096)
def family_of(kpi: str) -> KpiFamily | None:
    """The family ``kpi`` belongs to, or None for a name no run makes."""
    return next((family for pattern, family in _MATCHERS if pattern.match(kpi)), None)


def missing_value(kpi: str) -> float:
    """What a KPI a run does not have stands for: a count or total is 0; an average has no value.

    ``closed_h.<node>`` exists only in the runs that drew a closure (0 hours in the others);
    ``door_to_door_h.<key>.mean`` only where freight took that chain, and
    ``backlog.<id>.wait_h.mean`` only where vehicles came in the window: without an observation
    there is no mean (NaN, shown as n/a), not a mean of 0. A name in no family has no value.

    >>> missing_value("closed_h.youyiguan"), missing_value("border_wait_h.youyiguan.mean")
    (0.0, nan)
    """
    family = family_of(kpi)
    return 0.0 if family is not None and not family.average else math.nan
