"""Read and check the ``[choice]`` table of a scenario: markets, costs' parameters, constants."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sim.scenario import schema as sc
from sim.scenario import spec as sp
from sim.scenario.checker import Checker
from sim.scenario.merge import is_kind
from sim.textio import ID

__all__ = ["read_choice"]


def _numbers(c: Checker, key: str, table: Any, known: tuple[str, ...] | None) -> dict[str, float]:
    """A table of names -> numbers; names outside ``known`` (when given) are errors."""
    out: dict[str, float] = {}
    for name, value in (table or {}).items():
        if known is not None and name not in known:
            c.fail(f"{key}.{name}", f"unknown key: must be one of {', '.join(known)}", value)
        elif not is_kind("float", value):
            c.fail(f"{key}.{name}", "must be a number", value)
        else:
            out[name] = float(value)
    return out


def _complete(flow: sc.Flow) -> bool:
    """Whether the keys a market reads are all valid (a broken key leaves None)."""
    keys = ("direction", "commodity", "teu_per_year", "size_teu", "chain")
    return all(getattr(flow, k) is not None for k in keys)


def _markets(
    c: Checker, table: Mapping[str, Any], flows: Mapping[str, sc.Flow], services: Mapping
) -> dict[str, tuple[str, ...]]:
    """Each market: a list of two or more flows with one direction and one commodity."""
    out: dict[str, tuple[str, ...]] = {}
    seen: dict[str, str] = {}
    for name, members in table.items():
        key = f"choice.markets.{name}"
        if not ID.match(name):
            c.fail(key, "id must match [a-z][a-z0-9_]*, at most 64 characters", name)
        if not is_kind("strs", members) or len(members) < 2:
            c.fail(key, "must list two or more flows (the alternatives)", members)
            continue
        known = [f for f in members if c.known(key, f, flows, "flow") is not None]
        for f in known:
            if seen.get(f) == name:
                c.fail(key, f"lists flow {f!r} twice", f)
            elif f in seen:
                c.fail(key, f"flow {f!r} is already in market {seen[f]!r}", f)
            seen[f] = name
        # Flows with broken keys are reported where they are; check what can be checked.
        specs = [flows[f] for f in dict.fromkeys(known) if _complete(flows[f])]
        for attr in ("direction", "commodity"):
            values = sorted({getattr(f, attr) for f in specs})
            if len(values) > 1:
                c.fail(key, f"its flows must share one {attr}", values)
        if specs and sum(f.teu_per_year for f in specs) <= 0:
            c.fail(key, "its flows must have some demand (teu_per_year)", list(members))
        biggest = max((max(f.size_teu) for f in specs), default=0.0)
        for f in specs:
            for sid in f.chain:
                svc = services.get(sid)
                if svc is not None and svc.capacity_teu is not None and svc.capacity_teu < biggest:
                    rule = f"a {biggest:g} TEU consignment does not fit {sid!r} of flow {f.id!r}"
                    c.fail(key, rule, svc.capacity_teu)
        out[name] = tuple(members)
    return out


def read_choice(
    c: Checker,
    table: Mapping[str, Any],
    flows: Mapping[str, sc.Flow],
    services: Mapping[str, sc.Service],
) -> sc.Choice:
    """The checked :class:`~sim.scenario.Choice` of a scenario's ``[choice]`` table."""
    v = c.read("choice", table, sp.CHOICE)
    markets = _markets(c, v.pop("markets") or {}, flows, services)
    vot = _numbers(
        c, "choice.value_of_time_cny_per_teu_h", v.pop("value_of_time_cny_per_teu_h"), None
    )
    asc = _numbers(c, "choice.asc_cny_per_teu", v.pop("asc_cny_per_teu"), sc.CHAIN_FAMILIES)
    for name, value in vot.items():
        if value < 0:
            c.fail(f"choice.value_of_time_cny_per_teu_h.{name}", "must be >= 0", value)
    choice = sc.Choice(
        markets=markets,
        value_of_time_cny_per_teu_h=vot,
        asc_cny_per_teu=asc,
        **{k: x for k, x in v.items() if x is not None},
    )
    if choice.model != "logit":
        return choice
    if not markets:
        c.fail("choice.markets", "a logit choice needs at least one market", None)
    for name, members in markets.items():
        for fid in dict.fromkeys(members):
            flow = flows.get(fid)
            if flow is None or not _complete(flow):
                continue
            if flow.commodity not in vot:
                key = f"choice.value_of_time_cny_per_teu_h.{flow.commodity}"
                c.fail(key, f"is required: market {name!r} carries {flow.commodity!r}", None)
            for sid in flow.chain:
                svc = services.get(sid)
                key = f"services.{sid}.tariff_cny_per_teu"
                reported = any(p.column == key for p in c.problems)  # set, but broken
                if svc is not None and svc.tariff_cny_per_teu is None and not reported:
                    rule = f"is required: flow {fid!r} of market {name!r} uses this service"
                    c.fail(key, rule, None)
    return choice
