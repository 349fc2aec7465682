"""Load a scenario file into a checked :class:`~sim.scenario.schema.Scenario`.

The ``extends`` chain and the overrides are merged first (:mod:`sim.scenario.merge`); then every
key is checked against the file format and every id against the network, and all problems found
are raised together as one :class:`~sim.errors.ScenarioError`, each naming the file that set the
value, the dotted key, the rule and the value.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sim.errors import ScenarioError
from sim.network import Network, load_network
from sim.scenario import file_format
from sim.scenario.checker import Checker
from sim.scenario.choice_io import read_choice
from sim.scenario.limits import check_size
from sim.scenario.merge import RawScenario, apply_overrides, diff_tables, load_chain
from sim.scenario.readers import (
    read_disruption,
    read_facilities,
    read_flow,
    read_horizon,
    read_random_disruption,
    read_service,
    read_service_defaults,
)
from sim.scenario.schema import Flow, Scenario, Service

__all__ = ["load_scenario", "scenario_diff"]


def _network(check: Checker, raw: RawScenario, folder: str | None) -> Network | None:
    """The network folder the scenario names, relative to the file that named it."""
    setter = raw.file_of("network")
    here = raw.files[raw.labels.index(setter)].parent if setter in raw.labels else Path.cwd()
    if folder and (here / folder).is_dir():
        return load_network(here / folder)
    if folder:
        check.fail("network", f"network folder not found: {here / folder}", folder)
    return None


def _services(check: Checker, top: dict[str, Any]) -> dict[str, Service]:
    """``[services]``, each service starting from its family's ``[service_defaults]``."""
    defaults = read_service_defaults(check, top.pop("service_defaults") or {})
    tables = {
        sid: {**defaults.get(str(table.get("family")), {}), **table}
        if isinstance(table, dict)
        else table
        for sid, table in (top.pop("services") or {}).items()
    }
    if "background" in tables:  # the name of the facilities' other traffic in the log
        check.fail("services.background", "is reserved for background traffic: rename the service")
    entries = check.entries("services", tables, file_format.SERVICE)
    return {sid: read_service(check, key, values) for sid, key, values in entries}


def _flows(
    check: Checker, demand: dict[str, Any], services: Mapping[str, Service]
) -> dict[str, Flow]:
    """``[demand]`` (read): every flow, its demand scaled by ``scale`` and ``chain_scale``."""
    by_family = check.read(
        "demand.chain_scale", demand["chain_scale"] or {}, file_format.CHAIN_SCALE
    )
    scale = demand["scale"] or 1.0
    return {
        fid: read_flow(
            check, key, values, scale * (by_family.get(values["chain_family"]) or 1.0), services
        )
        for fid, key, values in check.entries(
            "demand.flows", demand["flows"] or {}, file_format.FLOW
        )
    }


def load_scenario(path: str | Path, overrides: Mapping[str, Any] | None = None) -> Scenario:
    r"""Load, merge and check the scenario file ``path``.

    Parameters
    ----------
    path : str or Path
        A scenario TOML file; its ``extends`` chain is read first.
    overrides : mapping, optional
        Dotted key -> value, applied after the chain (``{"demand.scale": 1.2}``).

    Returns
    -------
    Scenario
        The checked scenario, with its network and the files and overrides it came from.

    Raises
    ------
    ScenarioError
        With every problem found (file, dotted key, rule, value).
    NetworkError
        If the network the scenario names is broken.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> net = pathlib.Path("networks/chongqing_asean").resolve().as_posix()
    >>> text = f'name = "demo"\nnetwork = "{net}"\n[horizon]\nstart = 2019-01-01\n'
    >>> file = pathlib.Path(tempfile.mkdtemp()) / "demo.toml"
    >>> _ = file.write_text(text + "end = 2019-02-01\n")
    >>> sc = load_scenario(file, overrides={"seed": 7})
    >>> sc.seed, sc.horizon.length_h, sc.facilities["youyiguan"].kind
    (7, 744.0, 'border_post')

    """
    raw = load_chain(path)
    overrides = dict(overrides or {})
    check = Checker(raw, apply_overrides(raw, overrides))
    top = check.read("", raw.data, file_format.TOP)
    check.network = _network(check, raw, top.pop("network"))
    horizon = read_horizon(check, top.pop("horizon") or {})
    log = check.read("log", top.pop("log") or {}, file_format.LOG)
    demand = check.read("demand", top.pop("demand") or {}, file_format.DEMAND)
    services = _services(check, top)
    flows = _flows(check, demand, services)
    choice = read_choice(check, top.pop("choice") or {}, flows, services)
    facilities = read_facilities(check, top.pop("facilities") or {})
    entries = check.entries("disruptions", top.pop("disruptions") or {}, file_format.DISRUPTION)
    disruptions = [read_disruption(check, key, values, horizon) for _, key, values in entries]
    table = top.pop("random_disruptions") or {}
    entries = check.entries("random_disruptions", table, file_format.RANDOM_DISRUPTION)
    randoms = tuple(read_random_disruption(check, key, values) for _, key, values in entries)
    if not check.problems and horizon is not None:
        check_size(check, horizon, flows, facilities, services)
    if check.problems or check.network is None or horizon is None:
        raise ScenarioError(check.problems)  # (no network or horizon is always a problem)
    return Scenario(
        network=check.network,
        horizon=horizon,
        services=services,
        flows=flows,
        facilities=facilities,
        disruptions=tuple(sorted(disruptions, key=lambda d: (d.start_h, d.id))),
        random_disruptions=randoms,
        log_events=log["events"],
        choice=choice,
        files=tuple(str(f) for f in raw.files),
        overrides=overrides,
        data=copy.deepcopy(raw.data),
        **top,  # name, description, seed, replications, gauge_change_h
    )


def scenario_diff(base: Scenario, alt: Scenario) -> list[tuple[str, Any, Any]]:
    """What changed between two scenarios, key by key.

    Sorted ``(dotted key, base value, alt value)`` where the merged raw tables (after overrides)
    differ; a key set on one side only shows as None on the other.

    Examples
    --------
    >>> from types import SimpleNamespace as Ns
    >>> scenario_diff(Ns(data={"seed": 1, "demand": {"scale": 1.0}}), Ns(data={"seed": 2}))
    [('demand.scale', 1.0, None), ('seed', 1, 2)]

    """
    return diff_tables(base.data, alt.data)
