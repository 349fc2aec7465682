"""The ``[elasticity]`` table of a targets file: what the growth check asks, and why.

:func:`~sim.experiments.elasticity.elasticity` runs the check; this module reads its bands (and
refuses a table it cannot use) before any run.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.errors import Problem, SimError
from sim.scenario.vocabulary import SERVICE_FAMILIES
from sim.textio import read_toml

__all__ = ["ElasticityCheck", "load_elasticity_check"]


@dataclass(frozen=True)
class ElasticityCheck:
    """What ``corridor-sim validate`` asks of the slopes, loads and jams, and why.

    ``left_max_share``: the most TEU (a share of those created) that may be left in the system
    at the end beyond the share left at x1; ``door_to_door_growth_max_rel``: the most each of
    the ``door_to_door`` KPIs may grow from x1 to the largest factor. Both with supply that
    responds (:mod:`sim.experiments.elasticity`), by the rule (``respond_*`` keys) of the
    scenario file ``supply_rule_from`` (read relative to the targets file; the forecasting base),
    or by the model's defaults where it names none.
    """

    families: tuple[str, ...] = ("rail_sea", "intl_rail", "road")
    scales: tuple[float, ...] = (0.5, 1.0, 2.0)
    slope_low: float = 0.9
    slope_high: float = 1.1
    load_tolerance_rel: float = 0.10
    checked: tuple[str, ...] = ("rail_sea", "road")
    left_max_share: float = 0.02  # of the TEU created, left in the system beyond x1's share
    door_to_door_growth_max_rel: float = 0.25
    door_to_door: tuple[str, ...] = ()
    supply_rule_from: str = ""
    reason: str = ""


def load_elasticity_check(path: str | Path) -> ElasticityCheck | None:
    """The ``[elasticity]`` table of a targets file (None if it has none)."""
    file = Path(path)
    raw = read_toml(file, "target file not found").get("elasticity")
    if raw is None:
        return None
    problems: list[Problem] = []
    known = ElasticityCheck.__dataclass_fields__
    for key in raw.keys() - known.keys():
        problems.append(Problem(str(file), "unknown key", column=f"elasticity.{key}"))
    given: dict[str, Any] = {
        k: tuple(v) if isinstance(v, list) else v for k, v in raw.items() if k in known
    }
    try:
        check = ElasticityCheck(**given)
    except TypeError as exc:
        raise SimError([Problem(str(file), f"elasticity: {exc}")]) from None
    scales, growth, share = check.scales, check.door_to_door_growth_max_rel, check.left_max_share
    rule_file = (file.parent / str(check.supply_rule_from)).resolve()
    number = (int, float)
    broken = [  # (whether the key breaks its rule, key, rule, value)
        (
            len(scales) < 2 or any(not isinstance(x, number) or x <= 0 for x in scales),
            "scales",
            "must be two or more factors > 0",
            scales,
        ),
        (
            not set(check.families) <= set(SERVICE_FAMILIES),
            "families",
            f"must be among {', '.join(SERVICE_FAMILIES)}",
            sorted(set(check.families) - set(SERVICE_FAMILIES)),
        ),
        (
            not set(check.checked) <= set(check.families),
            "checked",
            "must be among the families",
            list(check.checked),
        ),
        (
            not check.slope_low < check.slope_high,
            "",
            "slope_low must be below slope_high",
            check.slope_low,
        ),
        (
            not (isinstance(share, number) and 0 <= share <= 1),
            "left_max_share",
            "must be a share in [0, 1]",
            share,
        ),
        (
            not (isinstance(growth, number) and 0 <= growth <= 100),
            "door_to_door_growth_max_rel",
            "must be a ratio in [0, 100]",
            growth,
        ),
        (
            not all(
                isinstance(k, str) and k.startswith("door_to_door_h.") for k in check.door_to_door
            ),
            "door_to_door",
            "must list door_to_door_h.<origin>.<destination>.<chain>.<statistic> KPIs",
            list(check.door_to_door),
        ),
        (
            bool(check.supply_rule_from) and not rule_file.is_file(),
            "supply_rule_from",
            "must name a scenario file, relative to this file",
            check.supply_rule_from,
        ),
    ]
    for bad, key, rule, value in broken:
        if bad:
            column = f"elasticity.{key}" if key else "elasticity"
            problems.append(Problem(str(file), rule, column=column, value=value))
    if check.supply_rule_from:
        check = dataclasses.replace(check, supply_rule_from=str(rule_file))
    if problems:
        raise SimError(problems)
    return check
