"""The answer of ``corridor-sim run`` in a dozen lines, for one run or many.

The scenario's question, departures by family, the TEU, door to door of the headline chains in
days (and of chains that compete for one trade, with their tariff and CO2 per TEU:
:mod:`sim.answers.chain_answer`), the busiest border post, closures and diversions: each a
mean, with its 95% CI when there are replications. ``--all`` gives every table and ``--kpi``
the KPIs matching a pattern.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from sim.answers.chain_answer import compared_chain_lines
from sim.answers.text import printable, question_line
from sim.results.routes import CHAIN_LABELS, place_name

__all__ = ["RUN_HINT", "disruption_lines", "run_answer"]

#: What ``corridor-sim run`` prints after its answer: where the rest is.
RUN_HINT = "More: --all (every table), --kpi PATTERN (the KPIs matching), --out DIR."

Stats = Mapping[str, Mapping[str, float]]  # KPI -> {"mean", "ci_low", "ci_high"}


def _value(stats: Stats, kpi: str, scale: float = 1.0, digits: int = 0) -> str:
    """``mean [low, high]`` (or the mean alone for one run), divided by ``scale``; n/a if none."""
    s = stats.get(kpi)
    if s is None or math.isnan(s["mean"]):
        return "n/a"
    text = f"{s['mean'] / scale:,.{digits}f}"
    low, high = s.get("ci_low", math.nan), s.get("ci_high", math.nan)
    if math.isfinite(low) and math.isfinite(high):
        text += f" [{low / scale:,.{digits}f}, {high / scale:,.{digits}f}]"
    return text


def _mean(stats: Stats, kpi: str) -> float:
    s = stats.get(kpi)
    return math.nan if s is None else s["mean"]


#: Which Chongqing origin speaks for a chain in the headline, first found first.
_ORIGINS = ("cq_tuanjiecun", "cq_nanpeng", "cq_guoyuan")


def _origin_rank(kpi: str) -> tuple[int, str]:
    origin = kpi.split(".")[1] if kpi.count(".") >= 1 else ""
    return (_ORIGINS.index(origin) if origin in _ORIGINS else len(_ORIGINS), kpi)


#: Service families the answer names otherwise than by their id (the others read as they are).
_FAMILY_WORDS = {"china_europe": "China–Europe trains"}
#: How the answer names a service's vehicles.
_VEHICLES = {"ship": "sailings", "train": "trains", "truck": "trucks", "barge": "barges"}
_SERVERS = {"lanes": "lanes", "tracks": "tracks", "berths": "berths"}


def _busiest(scenario: Any, stats: Stats) -> list[str]:
    """Where the corridor binds: the timetable that leaves most boxes behind, the busiest servers.

    The timetabled service with the largest share of its boxes left behind by departures that
    left full (with its departures a week at the end, its operator's additions included), and
    the facility whose lanes, tracks or berths were busiest, and the rail line whose paths kept
    the corridor's trains waiting longest (an hour or more on average).
    """
    net, out = scenario.network, []
    rolled = [
        (_mean(stats, k), k.split(".")[2])
        for k in stats
        if k.startswith("rolled_share.service.") and not math.isnan(_mean(stats, k))
    ]
    if rolled and max(rolled)[0] > 0:  # a timetable that left boxes behind
        _, sid = max(rolled)
        svc = scenario.services[sid]
        added = _mean(stats, f"capacity_added.{sid}") if f"capacity_added.{sid}" in stats else 0
        per_week = len(svc.days) * len(svc.times_h) + added
        out.append(
            f"{place_name(net, svc.origin)} → {place_name(net, svc.destination)} "
            f"{_VEHICLES.get(svc.vehicle, svc.vehicle)} ({per_week:.3g} a week at the end): "
            f"{_value(stats, f'rolled_share.service.{sid}', 0.01)}% of the TEU ready at its "
            "departures left behind"
        )
    busy = [
        (_mean(stats, k), k)
        for k in stats
        if k.startswith("utilisation.") and not math.isnan(_mean(stats, k))
    ]
    if busy:
        _, kpi = max(busy)
        _, node, server = kpi.split(".")
        what = f"{place_name(net, node)} {_SERVERS.get(server, server)}"
        out.append(f"{what} {_value(stats, kpi, 0.01)}% busy")
    waits = [  # the line whose paths keep the corridor's trains waiting longest
        (_mean(stats, k), k.split(".")[1])
        for k in stats
        if k.startswith("line_wait_h.") and not math.isnan(_mean(stats, k))
    ]
    if waits and max(waits)[0] >= 1.0:
        _, lid = max(waits)
        link = net.links[lid]
        out.append(
            f"{place_name(net, link.from_id)} – {place_name(net, link.to_id)} line: trains wait "
            f"{_value(stats, f'line_wait_h.{lid}.mean', 1.0)} h for a path "
            f"({_value(stats, f'line_utilisation.{lid}', 0.01)}% of its paths taken)"
        )
    return out


def disruption_lines(scenario: Any, stats: Stats) -> list[str]:
    """A line for each of the scenario's closures and slow-downs of a facility: what it left.

    The vehicles waiting as it ends (all traffic, and the corridor's part), the days to clear
    them, the longest queue, and door to door of the boxes sent during it.
    """
    import datetime as dt

    net, start, out = scenario.network, scenario.horizon.start, []
    for d in scenario.disruptions:
        key = f"backlog.{d.id}"
        if f"{key}.vehicles" not in stats:
            continue
        when = [(start + dt.timedelta(hours=h)).strftime("%d %b") for h in (d.start_h, d.end_h)]
        what = "shut" if d.effect == "close" else f"slowed x{d.factor:g}"
        if _mean(stats, f"{key}.peak_vehicles") == 0:
            out.append(f"{place_name(net, d.target)} {what} {when[0]} – {when[1]}: no one waited")
            continue
        cleared = (
            f"cleared in {_value(stats, f'{key}.cleared_h', 24, 1)} days"
            if not math.isnan(_mean(stats, f"{key}.cleared_h"))
            else "not cleared by the end of the run"
        )
        text = (
            f"{place_name(net, d.target)} {what} {when[0]} – {when[1]}: "
            f"{_value(stats, f'{key}.vehicles')} vehicles waiting as it ended (the corridor's "
            f"{_value(stats, f'{key}.corridor_vehicles')}), {cleared}; longest queue "
            f"{_value(stats, f'{key}.peak_vehicles')}"
        )
        if not math.isnan(_mean(stats, f"{key}.sent_d2d_h.mean")):
            text += (
                f"; boxes sent during it {_value(stats, f'{key}.sent_d2d_h.mean', 24, 1)} days "
                "door to door"
            )
        out.append(text)
    return out


def run_answer(scenario: Any, stats: Stats, heading: str) -> str:
    """What a run (or replications) of ``scenario`` says, in lines under ``heading``."""
    from sim.results.kpis import HEADLINE_DESTINATIONS
    from sim.scenario import SERVICE_FAMILIES

    net = scenario.network
    lines = [heading]
    question = question_line(scenario)
    if question:
        lines.append(question)
    families = [
        f"{CHAIN_LABELS.get(f, _FAMILY_WORDS.get(f, f))} {_value(stats, f'departures.{f}')}"
        + (
            f" (load {100 * _mean(stats, f'load_factor.{f}'):.0f}%)"
            if not math.isnan(_mean(stats, f"load_factor.{f}"))
            else ""
        )
        for f in SERVICE_FAMILIES
        if _mean(stats, f"departures.{f}") > 0
    ]
    lines.append("Departures: " + "; ".join(families))
    lines.append(
        f"TEU created {_value(stats, 'teu.created')}, delivered {_value(stats, 'teu.delivered')}"
        + (
            f", diverted {_value(stats, 'teu.diverted')}"
            if _mean(stats, "teu.diverted") > 0
            else ""
        )
    )
    chains: dict[tuple[str, str], str] = {}  # (destination, chain) -> KPI, one origin each
    for kpi in sorted(stats, key=_origin_rank):
        parts = kpi.split(".")
        if (
            kpi.startswith("door_to_door_h.")
            and kpi.endswith(".mean")
            and len(parts) == 5
            and parts[1].startswith("cq_")
            and parts[2] in HEADLINE_DESTINATIONS
        ):
            chains.setdefault((parts[2], parts[3]), kpi)
    for kpi in sorted(chains.values()):
        _, origin, destination, chain, _ = kpi.split(".")
        lines.append(
            f"Door to door, {place_name(net, origin)} → {place_name(net, destination)} by "
            f"{CHAIN_LABELS.get(chain, chain)}: {_value(stats, kpi, 24, 1)} days"
        )
    lines += compared_chain_lines(scenario, stats, _value)
    waits = [
        (k.split(".")[1], _mean(stats, k))
        for k in stats
        if k.startswith("border_wait_h.") and k.endswith(".mean")
    ]
    waits = [(post, w) for post, w in waits if not math.isnan(w)]
    if waits:
        post = max(waits, key=lambda pw: pw[1])[0]
        lines.append(
            f"Longest border wait, {place_name(net, post)}: mean "
            f"{_value(stats, f'border_wait_h.{post}.mean', digits=1)} h, longest queue "
            f"{_value(stats, f'queue_vehicles.{post}.max')} vehicles (the corridor's "
            f"{_value(stats, f'border_queue_vehicles.{post}.max')})"
        )
    busiest = _busiest(scenario, stats)
    if busiest:
        lines.append("Busiest: " + "; ".join(busiest))
    closed = sorted(k.split(".", 1)[1] for k in stats if k.startswith("closed_h."))
    for target in closed:
        lines.append(
            f"Closed: {place_name(net, target)}, {_value(stats, f'closed_h.{target}', 24, 1)} days"
        )
    lines += [f"Disruption: {line}" for line in disruption_lines(scenario, stats)]
    return printable("\n".join(lines))
