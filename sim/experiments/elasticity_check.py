"""The ``[elasticity]`` table of a targets file: what the growth check asks, and why.

:func:`~sim.experiments.elasticity.elasticity` runs the check; this module reads its bands (and
refuses a table it cannot use) before any run.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.errors import Problem, SimError
from sim.scenario.vocabulary import SERVICE_FAMILIES

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
    raw = tomllib.loads(file.read_text(encoding="utf-8")).get("elasticity")
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
    scales = check.scales
    if len(scales) < 2 or any(not isinstance(s, int | float) or s <= 0 for s in scales):
        problems.append(
            Problem(
                str(file),
                "must be two or more factors > 0",
                column="elasticity.scales",
                value=scales,
            )
        )
    unknown = sorted(set(check.families) - set(SERVICE_FAMILIES))
    if unknown:
        problems.append(
            Problem(
                str(file),
                f"must be among {', '.join(SERVICE_FAMILIES)}",
                column="elasticity.families",
                value=unknown,
            )
        )
    if not set(check.checked) <= set(check.families):
        problems.append(
            Problem(
                str(file),
                "must be among the families",
                column="elasticity.checked",
                value=list(check.checked),
            )
        )
    if not check.slope_low < check.slope_high:
        problems.append(
            Problem(
                str(file),
                "slope_low must be below slope_high",
                column="elasticity",
                value=check.slope_low,
            )
        )
    if not (isinstance(check.left_max_share, int | float) and 0 <= check.left_max_share <= 1):
        problems.append(
            Problem(
                str(file),
                "must be a share in [0, 1]",
                column="elasticity.left_max_share",
                value=check.left_max_share,
            )
        )
    growth = check.door_to_door_growth_max_rel
    if not (isinstance(growth, int | float) and 0 <= growth <= 100):
        problems.append(
            Problem(
                str(file),
                "must be a ratio in [0, 100]",
                column="elasticity.door_to_door_growth_max_rel",
                value=growth,
            )
        )
    if not all(isinstance(k, str) and k.startswith("door_to_door_h.") for k in check.door_to_door):
        problems.append(
            Problem(
                str(file),
                "must list door_to_door_h.<origin>.<destination>.<chain>.<statistic> KPIs",
                column="elasticity.door_to_door",
                value=list(check.door_to_door),
            )
        )
    if check.supply_rule_from:
        rule_file = (file.parent / str(check.supply_rule_from)).resolve()
        if not rule_file.is_file():
            problems.append(
                Problem(
                    str(file),
                    "must name a scenario file, relative to this file",
                    column="elasticity.supply_rule_from",
                    value=check.supply_rule_from,
                )
            )
        check = dataclasses.replace(check, supply_rule_from=str(rule_file))
    if problems:
        raise SimError(problems)
    return check
