"""Multinomial logit over a market's chains: probabilities, shares, and fitting the constants.

A consignment of market ``m`` picks flow ``i`` with probability
``exp(-scale * cost_i) / sum_j exp(-scale * cost_j)`` (costs from :mod:`sim.choice.costs`). The
expected shares of a market average these probabilities over the decision times of a week (the
timetables repeat weekly), in an empty corridor. :func:`calibrate_asc` fits one constant per chain
family so that these shares, summed over the markets' demand, match the shares the flows give.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypedDict

import numpy as np

from sim.choice.costs import ChainCoster
from sim.errors import ScenarioError
from sim.scenario.schema import Scenario

__all__ = [
    "Alternative",
    "Calibration",
    "alternatives_table",
    "base_costs",
    "calibrate_asc",
    "family_shares",
    "observed_family_shares",
    "pick",
    "probabilities",
]

#: Decision times for expected shares: one week, every half hour, from the second week on.
WEEK_GRID_H = np.arange(168.0, 336.0, 0.5)


def probabilities(costs: Sequence[float], scale_per_cny: float) -> list[float]:
    """Logit choice probabilities of alternatives with these generalised costs (CNY per TEU).

    An alternative with infinite cost (no departure left) gets probability 0.

    Examples
    --------
    >>> [round(p, 3) for p in probabilities([1000.0, 2000.0, math.inf], 1e-3)]
    [0.731, 0.269, 0.0]

    """
    low = min(costs)
    if math.isinf(low):
        return [1.0 / len(costs)] * len(costs)
    weights = [math.exp(-scale_per_cny * (c - low)) for c in costs]
    total = sum(weights)
    return [w / total for w in weights]


def pick(probs: Sequence[float], u: float) -> int:
    """The alternative a uniform draw ``u`` in [0, 1) picks (inverse of the cumulative).

    Examples
    --------
    >>> pick([0.2, 0.5, 0.3], 0.1), pick([0.2, 0.5, 0.3], 0.69), pick([0.2, 0.5, 0.3], 0.99)
    (0, 1, 2)

    """
    acc = 0.0
    for i, p in enumerate(probs):
        acc += p
        if u < acc:
            return i
    return max(i for i, p in enumerate(probs) if p > 0)


def _market_size_teu(scenario: Scenario, members: Sequence[str]) -> float:
    flows = [scenario.flows[f] for f in members]
    total = sum(f.teu_per_year for f in flows)
    return sum(f.mean_size_teu * f.teu_per_year for f in flows) / total


def _expected_hours(
    coster: ChainCoster, scenario: Scenario, members: Sequence[str], times_h: np.ndarray
) -> np.ndarray:
    """Expected door-to-door hours of each chain of a market (rows) at each decision time."""
    teu = _market_size_teu(scenario, members)
    return np.array([[coster.expected(f, float(t), teu)[0] for t in times_h] for f in members])


def _mean_probabilities(costs: np.ndarray, scale_per_cny: float) -> np.ndarray:
    """Logit probability of each row of ``costs`` (chains x times), averaged over the times."""
    costs = np.where(np.isfinite(costs), costs, np.inf)
    w = np.exp(-scale_per_cny * (costs - costs.min(axis=0, keepdims=True)))
    shares: np.ndarray = (w / w.sum(axis=0, keepdims=True)).mean(axis=1)
    return shares


def base_costs(scenario: Scenario, times_h: np.ndarray = WEEK_GRID_H) -> dict[str, np.ndarray]:
    """Generalised cost without the constants, per market: an (alternatives x times) array.

    Costs are for a consignment of the market's mean size deciding at each of ``times_h`` in an
    empty corridor with the scenario's own closures known when they are announced.
    """
    coster = ChainCoster(scenario, scenario.disruptions)
    asc = scenario.choice.asc_cny_per_teu
    out = {}
    for market, members in scenario.choice.markets.items():
        hours = _expected_hours(coster, scenario, members, times_h)
        out[market] = np.array(
            [
                [coster.cost_cny(f, h) - asc.get(scenario.flows[f].chain_family, 0.0) for h in row]
                for f, row in zip(members, hours, strict=True)
            ]
        )
    return out


def _shares(
    scenario: Scenario, costs: Mapping[str, np.ndarray], asc: Mapping[str, float]
) -> dict[str, float]:
    """Expected TEU share of each chain family over all markets, given constants ``asc``."""
    teu = dict.fromkeys(_families(scenario), 0.0)
    for market, members in scenario.choice.markets.items():
        fams = [scenario.flows[f].chain_family for f in members]
        c = costs[market] + np.array([[asc.get(f, 0.0)] for f in fams])
        p = _mean_probabilities(c, scenario.choice.scale_per_cny)
        demand = sum(scenario.flows[f].teu_per_year for f in members)
        for fam, share in zip(fams, p, strict=True):
            teu[fam] += demand * float(share)
    total = sum(teu.values())
    return {f: v / total for f, v in teu.items()}


class Alternative(TypedDict):
    """One chain of a market as the logit sees it (a row of :func:`alternatives_table`).

    ``expected_h`` is door to door, the mean over a week of decision times in an empty corridor;
    ``cost_cny`` the mean generalised cost with the constant; ``share`` the expected share of the
    market's TEU; ``given_share`` the share of the flow's own demand in the scenario.
    """

    market: str
    flow: str
    chain: str
    expected_h: float
    spread_h: float
    tariff_cny: float
    cost_cny: float
    share: float
    given_share: float


def alternatives_table(scenario: Scenario) -> list[Alternative]:
    """One row per market and chain: what the logit sees, and the share it gives."""
    coster = ChainCoster(scenario, scenario.disruptions)
    rows: list[Alternative] = []
    for market, members in scenario.choice.markets.items():
        hours = _expected_hours(coster, scenario, members, WEEK_GRID_H)
        costs = np.array(
            [[coster.cost_cny(f, h) for h in row] for f, row in zip(members, hours, strict=True)]
        )
        shares = _mean_probabilities(costs, scenario.choice.scale_per_cny)
        demand = sum(scenario.flows[f].teu_per_year for f in members)
        for i, fid in enumerate(members):
            rows.append(
                {
                    "market": market,
                    "flow": fid,
                    "chain": scenario.flows[fid].chain_family,
                    "expected_h": float(hours[i].mean()),
                    "spread_h": coster.spread_h[fid],
                    "tariff_cny": coster.tariff_cny[fid],
                    "cost_cny": float(costs[i].mean()),
                    "share": float(shares[i]),
                    "given_share": scenario.flows[fid].teu_per_year / demand,
                }
            )
    return rows


def _families(scenario: Scenario) -> list[str]:
    return sorted(
        {scenario.flows[f].chain_family for m in scenario.choice.markets.values() for f in m}
    )


def observed_family_shares(scenario: Scenario) -> dict[str, float]:
    """TEU share of each chain family in the markets' flows as the scenario gives them."""
    teu = dict.fromkeys(_families(scenario), 0.0)
    for members in scenario.choice.markets.values():
        for fid in members:
            flow = scenario.flows[fid]
            teu[flow.chain_family] += flow.teu_per_year
    total = sum(teu.values())
    return {f: v / total for f, v in teu.items()}


def family_shares(scenario: Scenario) -> dict[str, float]:
    """Expected TEU share of each chain family under the scenario's logit, in an empty corridor."""
    return _shares(scenario, base_costs(scenario), scenario.choice.asc_cny_per_teu)


@dataclass(frozen=True)
class Calibration:
    """Fitted constants (CNY per TEU), the shares they were fitted to and the shares they give."""

    asc_cny_per_teu: dict[str, float]
    target_shares: dict[str, float]
    fitted_shares: dict[str, float]
    iterations: int
    reference: str = "rail_sea"

    @property
    def max_error_pp(self) -> float:
        """Largest gap between fitted and target shares, in percentage points."""
        return 100 * max(abs(self.fitted_shares[f] - s) for f, s in self.target_shares.items())

    def to_toml(self, what: str) -> str:
        """The ``[choice.asc_cny_per_teu]`` table to paste into a scenario, with its provenance."""
        lines = ["[choice.asc_cny_per_teu]"]
        for fam, value in sorted(self.asc_cny_per_teu.items()):
            share = f"{100 * self.target_shares[fam]:.2f}% of TEU"
            if fam == self.reference:
                lines.append(f"{fam} = 0.0   # the reference, held at 0 ({share})")
            else:
                lines.append(f"{fam} = {value:.1f}   # CALIBRATED: fitted to {what}: {share}")
        return "\n".join(lines) + "\n"


def calibrate_asc(
    scenario: Scenario,
    target_shares: Mapping[str, float] | None = None,
    reference: str = "rail_sea",
    tol: float = 1e-5,
    max_iter: int = 500,
) -> Calibration:
    """Fit one constant per chain family so that the logit reproduces the target TEU shares.

    The classic iterative update ``asc += log(predicted / target) / scale`` (each family's
    constant grows while the logit gives it too much), with ``reference`` held at 0. Shares are
    :func:`family_shares` with the new constants; ``target_shares`` default to the shares of the
    markets' flows as the scenario gives them (:func:`observed_family_shares`).

    Raises
    ------
    ScenarioError
        If a target share is not in (0, 1), or the fit does not converge.
    """
    target = dict(target_shares or observed_family_shares(scenario))
    families = _families(scenario)
    bad = {f: s for f, s in target.items() if f not in families or not 0 < s < 1}
    if bad or set(families) - set(target):
        raise ScenarioError(
            f"choice: target shares must be in (0, 1) for each family of the markets "
            f"({', '.join(families)}), got {target}"
        )
    theta = scenario.choice.scale_per_cny
    costs = base_costs(scenario)
    asc = dict.fromkeys(families, 0.0)
    for iteration in range(1, max_iter + 1):  # noqa: B007 (reported in the result)
        shares = _shares(scenario, costs, asc)
        if max(abs(shares[f] - target[f]) for f in families) < tol:
            break
        for f in families:
            asc[f] += math.log(shares[f] / target[f]) / theta
        ref = asc.get(reference, 0.0)
        asc = {f: v - ref for f, v in asc.items()}
    else:
        raise ScenarioError(f"choice: the constants did not converge in {max_iter} iterations")
    return Calibration(asc, target, shares, iteration, reference)
