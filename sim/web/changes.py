"""What a scenario changes from its parent, in a few short lines a planner reads.

The library shows these instead of the dotted keys of :func:`sim.scenario.scenario_diff`: places,
flows and services by their names in the network, closures with their dates, and the same change
of many flows or services said once.

Examples
--------
>>> import sim
>>> sc = sim.load_scenario("scenarios/youyiguan_closed_choice.toml")
>>> diff = [("disruptions.youyiguan_closed.target", None, "youyiguan"), ("seed", 2019, 7)]
>>> change_lines(sc, diff)
['random seed: 2019 → 7', 'Youyiguan / Huu Nghi closed from 2019-02-01 to 2019-03-03']
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sim.results.routes import CHAIN_LABELS, FAMILY_LABELS
from sim.web.places import disruption_label, flow_label, service_label, target_label

__all__ = ["change_lines"]

Change = tuple[str, Any, Any]  # (field, parent's value, its value)

#: Scenario keys in words (the last part of a dotted key).
_WORDS = {
    "teu_per_year": "TEU a year",
    "seasonality": "monthly profile",
    "times": "departure times",
    "capacity_teu": "TEU a vehicle",
    "per_day": "departures a day",
    "max_wait_h": "longest wait for a load (h)",
    "min_load_teu": "least load (TEU)",
    "min_load_share": "least load (share)",
    "background_per_day": "other traffic a day",
    "background_seasonality": "other traffic's monthly profile",
    "release_h": "release time (h)",
    "transfer_h": "transfer time (h)",
    "respond": "departures follow demand",
    "respond_lead_days": "notice to add a departure (days)",
    "late_share": "share late",
    "late_mean_h": "mean lateness (h)",
    "warmup_days": "warm-up (days)",
}
#: The tables of named things, in the order their lines come, and what a group of them is.
_SECTIONS = {
    "disruptions": "closures",
    "random_disruptions": "random closures",
    "facilities": "facilities",
    "services": "services",
    "service_defaults": "service families",
    "demand.flows": "demand flows",
}
_WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: Subjects changed alike that are said one by one; more share a line.
_ONE_BY_ONE = 3


def _value(value: Any) -> str:
    """A value as the library shows it: numbers with separators, lists cut short."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        if value and all(v in _WEEK for v in value):
            return "every day" if set(value) == set(_WEEK) else ", ".join(v.title() for v in value)
        shown = ", ".join(_value(v) for v in value[:3])
        return f"[{shown}{', …' if len(value) > 3 else ''}]"
    return str(value)


def _said(changes: Sequence[Change], most: int = 2, named: bool = True) -> str:
    """``TEU a year 1,490 → 364.5; lanes set to 12``: at most ``most`` changes, then a count.

    Without ``named``, the values alone (the settings were named before).
    """
    parts = []
    for f, old, new in changes[:most]:
        words = f"{_WORDS.get(f, f.replace('_', ' '))} " if named else ""
        if old is None:
            parts.append(f"{words}set to {_value(new)}")
        else:
            parts.append(f"{words}{_value(old)} → {_value(new)}")
    more = len(changes) - most
    if more > 0:
        parts.append(f"and {more} more setting{'s' if more > 1 else ''}")
    return "; ".join(parts)


def _ends(scenario: Any, section: str, ident: str) -> tuple[str, str] | None:
    """Where a flow or a service goes from and to (None for other things)."""
    if section == "demand.flows" and ident in scenario.flows:
        flow = scenario.flows[ident]
        return flow.origin, flow.destination
    if section == "services" and ident in scenario.services:
        path = scenario.services[ident].path
        return path[0], path[-1]
    return None


def _names(scenario: Any, section: str, idents: Sequence[str]) -> str:
    """Things changed alike: ``A and B``, ``A, B and 3 more``, or ``A, and back``."""
    labels = [_label(scenario, section, i) for i in idents]
    if len(idents) == 2:
        ends = [_ends(scenario, section, i) for i in idents]
        if ends[0] is not None and ends[1] == ends[0][::-1]:
            return f"{labels[0]}, and back"
    if len(labels) <= 2:
        return " and ".join(labels)
    return f"{labels[0]}, {labels[1]} and {len(labels) - 2} more"


def _label(scenario: Any, section: str, ident: str) -> str:
    if section == "facilities":
        return target_label(scenario.network, ident)
    if section == "services":
        return service_label(scenario, ident)
    if section == "service_defaults":
        return f"{FAMILY_LABELS.get(ident, ident)}, every service"
    if section == "demand.flows":
        return flow_label(scenario, ident)
    return ident


def _closures(scenario: Any, section: str, subjects: dict[str, list[Change]]) -> list[str]:
    """A closure or slow-down by its place and dates; random ones by how often and when."""
    out = []
    fixed = {d.id: d for d in scenario.disruptions}
    drawn = {d.id: d for d in scenario.random_disruptions}
    order = {d.id: k for k, d in enumerate((*scenario.disruptions, *scenario.random_disruptions))}
    for ident, changes in sorted(subjects.items(), key=lambda s: order.get(s[0], len(order))):
        if section == "disruptions" and ident in fixed:
            out.append(disruption_label(scenario, fixed[ident]))
        elif section == "random_disruptions" and ident in drawn:
            d = drawn[ident]
            what = "closed" if d.effect == "close" else f"slowed ×{d.factor:g}"
            months = ", ".join(dt.date(2000, m, 1).strftime("%b") for m in d.months)
            out.append(
                f"{target_label(scenario.network, d.target)} {what} at random, "
                f"{d.events_per_year:g} times a year for {d.days_min:g}–{d.days_max:g} days, "
                f"in {months}"
            )
        else:
            out.append(f"{ident}: {_said(changes)}")
    return out


def _grouped(scenario: Any, section: str, subjects: dict[str, list[Change]]) -> list[str]:
    """One line per subject, save those changed alike.

    More than a few changed in the same settings share a line (with an example); a few that
    changed the same way, too (a service and its return).
    """
    out: list[str] = []
    settings: dict[tuple[str, ...], list[str]] = {}
    for ident, changes in subjects.items():
        settings.setdefault(tuple(f for f, _, _ in changes), []).append(ident)
    for fields, idents in settings.items():
        if len(idents) > _ONE_BY_ONE:
            first = subjects[idents[0]]
            words = ", ".join(_WORDS.get(f, f.replace("_", " ")) for f in fields[:2])
            example = _said(first, named=len(fields) > 1)
            out.append(
                f"{words} of {len(idents)} {_SECTIONS[section]}, e.g. "
                f"{_label(scenario, section, idents[0])}: {example}"
            )
            continue
        alike: dict[str, list[str]] = {}  # the same changes (as text: lists are not hashable)
        for ident in idents:
            alike.setdefault(repr(subjects[ident]), []).append(ident)
        for same in alike.values():
            out.append(f"{_names(scenario, section, same)}: {_said(subjects[same[0]])}")
    return out


def _top(scenario: Any, diff: Sequence[Change]) -> list[str]:
    """The scenario-wide keys: the dates, the seed, demand scales, route choice."""
    by_key = {k: (old, new) for k, old, new in diff}
    out = []
    if "horizon.start" in by_key or "horizon.end" in by_key:
        h = scenario.horizon
        start = by_key.get("horizon.start", (h.start, h.start))
        end = by_key.get("horizon.end", (h.end, h.end))
        was, now = (f"{_value(start[k])} to {_value(end[k])}" for k in (0, 1))
        out.append(f"dates: {was} → {now}")
    for key, (old, new) in by_key.items():
        if key in ("horizon.start", "horizon.end"):
            continue
        if key == "seed":
            out.append(f"random seed: {_value(old)} → {_value(new)}")
        elif key == "choice.model":
            said = {"fixed": "off (fixed chains)", "logit": "on (logit)", None: "—"}
            out.append(f"route choice: {said.get(old, old)} → {said.get(new, new)}")
        elif key == "demand.scale":
            out.append(f"all demand: ×{_value(1.0 if old is None else old)} → ×{_value(new)}")
        elif key.startswith("demand.chain_scale."):
            chain = key.rsplit(".", 1)[1]
            scale = 1.0 if old is None else old
            out.append(
                f"{CHAIN_LABELS.get(chain, chain)} demand: ×{_value(scale)} → ×{_value(new)}"
            )
        else:
            out.append(f"{key}: {_value(old)} → {_value(new)}")
    return out


def change_lines(scenario: Any, diff: Sequence[Change]) -> list[str]:
    """``diff`` (dotted key, parent's value, ``scenario``'s) as short lines, the broadest first.

    The dates, seed, demand and route choice; then closures, facilities, services and flows.
    """
    top: list[Change] = []
    named: dict[str, dict[str, list[Change]]] = {s: {} for s in _SECTIONS}
    for key, old, new in diff:
        if key in ("name", "description", "extends"):  # the scenario's own, not a change
            continue
        section = next((s for s in _SECTIONS if key.startswith(s + ".")), None)
        rest = key.removeprefix(f"{section}.").split(".", 1) if section else []
        if section is None or len(rest) < 2:
            top.append((key, old, new))
            continue
        named[section].setdefault(rest[0], []).append((rest[1], old, new))
    out = _top(scenario, top)
    for section, subjects in named.items():
        if section in ("disruptions", "random_disruptions"):
            out += _closures(scenario, section, subjects)
        else:
            out += _grouped(scenario, section, subjects)
    return out
