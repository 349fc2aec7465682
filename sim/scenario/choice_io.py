"""Read and check the ``[choice]`` table of a scenario: markets, costs' parameters, constants."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sim.scenario import file_format
from sim.scenario.checker import Checker, is_kind
from sim.scenario.schema import Choice, Flow, Service
from sim.scenario.vocabulary import CHAIN_FAMILIES
from sim.textio import ID

__all__ = ["read_choice"]


def _numbers(
    check: Checker, key: str, table: Any, known: tuple[str, ...] | None
) -> dict[str, float]:
    """A table of names -> numbers; names outside ``known`` (when given) are errors."""
    out: dict[str, float] = {}
    for name, value in (table or {}).items():
        if known is not None and name not in known:
            check.fail(f"{key}.{name}", f"unknown key: must be one of {', '.join(known)}", value)
        elif not is_kind("float", value):
            check.fail(f"{key}.{name}", "must be a number", value)
        else:
            out[name] = float(value)
    return out


def _complete(flow: Flow) -> bool:
    """Whether the keys a market reads are all valid (a broken key leaves None)."""
    keys = ("direction", "commodity", "teu_per_year", "size_teu", "chain")
    return all(getattr(flow, k) is not None for k in keys)


def _markets(
    check: Checker,
    table: Mapping[str, Any],
    flows: Mapping[str, Flow],
    services: Mapping[str, Service],
) -> dict[str, tuple[str, ...]]:
    """Each market: a list of two or more flows with one direction and one commodity.

    An empty list takes away a market that a parent file set (the file that extends it leaves
    those flows on their own chains).
    """
    out: dict[str, tuple[str, ...]] = {}
    seen: dict[str, str] = {}
    for name, members in table.items():
        key = f"choice.markets.{name}"
        if not ID.match(name):
            check.fail(key, "id must match [a-z][a-z0-9_]*, at most 64 characters", name)
        if isinstance(members, list) and not members:
            continue
        if not is_kind("strs", members) or len(members) < 2:
            rule = "must list two or more flows (the alternatives), or none to take it away"
            check.fail(key, rule, members)
            continue
        known = [f for f in members if check.known(key, f, flows, "flow") is not None]
        for f in known:
            if seen.get(f) == name:
                check.fail(key, f"lists flow {f!r} twice", f)
            elif f in seen:
                check.fail(key, f"flow {f!r} is already in market {seen[f]!r}", f)
            seen[f] = name
        # Flows with broken keys are reported where they are; check what can be checked.
        specs = [flows[f] for f in dict.fromkeys(known) if _complete(flows[f])]
        for attr in ("direction", "commodity"):
            values = sorted({getattr(f, attr) for f in specs})
            if len(values) > 1:
                check.fail(key, f"its flows must share one {attr}", values)
        if specs and sum(f.teu_per_year for f in specs) <= 0:
            check.fail(key, "its flows must have some demand (teu_per_year)", list(members))
        biggest = max((max(f.size_teu) for f in specs), default=0.0)
        for f in specs:
            for sid in f.chain:
                svc = services.get(sid)
                if svc is not None and svc.capacity_teu is not None and svc.capacity_teu < biggest:
                    rule = f"a {biggest:g} TEU consignment does not fit {sid!r} of flow {f.id!r}"
                    check.fail(key, rule, svc.capacity_teu)
        out[name] = tuple(members)
    return out


def read_choice(
    check: Checker,
    table: Mapping[str, Any],
    flows: Mapping[str, Flow],
    services: Mapping[str, Service],
) -> Choice:
    """The checked :class:`~sim.scenario.Choice` of a scenario's ``[choice]`` table."""
    values = check.read("choice", table, file_format.CHOICE)
    markets = _markets(check, values.pop("markets") or {}, flows, services)
    key = "choice.value_of_time_cny_per_teu_h"
    vot = _numbers(check, key, values.pop("value_of_time_cny_per_teu_h"), None)
    key = "choice.asc_cny_per_teu"
    asc = _numbers(check, key, values.pop("asc_cny_per_teu"), CHAIN_FAMILIES)
    carried = sorted({f.commodity for f in flows.values() if f.commodity is not None})
    for name, value in vot.items():
        if value < 0:
            check.fail(f"choice.value_of_time_cny_per_teu_h.{name}", "must be >= 0", value)
        if flows and name not in carried:  # a typo would silently leave its market unpriced
            rule = f"no flow carries this commodity (they carry {', '.join(carried) or 'none'})"
            check.fail(f"choice.value_of_time_cny_per_teu_h.{name}", rule, value)
    choice = Choice(
        markets=markets,
        value_of_time_cny_per_teu_h=vot,
        asc_cny_per_teu=asc,
        **{k: x for k, x in values.items() if x is not None},
    )
    if choice.model != "logit":
        return choice
    if not markets:
        check.fail("choice.markets", "a logit choice needs at least one market", None)
    for name, members in markets.items():
        for fid in dict.fromkeys(members):
            flow = flows.get(fid)
            if flow is None or not _complete(flow):
                continue
            if flow.commodity not in vot:
                key = f"choice.value_of_time_cny_per_teu_h.{flow.commodity}"
                check.fail(key, f"is required: market {name!r} carries {flow.commodity!r}", None)
            for sid in flow.chain:
                svc = services.get(sid)
                key = f"services.{sid}.tariff_cny_per_teu"
                reported = any(p.column == key for p in check.problems)  # set, but broken
                if svc is not None and svc.tariff_cny_per_teu is None and not reported:
                    rule = f"is required: flow {fid!r} of market {name!r} uses this service"
                    check.fail(key, rule, None)
    return choice
