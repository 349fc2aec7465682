"""The sensitivity figure: the Morris or Sobol indices of each factor for one KPI."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict

import numpy as np

from sim.plot.common import new_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from sim.experiments.sensitivity_analysis import SensitivityResult

__all__ = ["kpi_unit", "sensitivity"]

_VEHICLES = {"rail_sea": "trains", "intl_rail": "trains", "road": "trucks", "sea": "ship sailings"}
_VEHICLES |= {"river": "barge sailings", "rail": "trains", "truck": "trucks", "ship": "sailings"}
_VEHICLES |= {"barge": "barge sailings"}
_SIGMA = "σ: spread of the effects (interactions, non-linearity)"
_UNITS = {"teu": "TEU", "load_factor": "share of capacity", "utilisation": "share of time"}
_UNITS |= {"co2_kg_per_teu": "kg CO2 per TEU", "border_queue_teu": "TEU"}
_UNITS |= {"border_queue_vehicles": "vehicles", "border_crossings": "vehicles"}


class _ErrorBars(TypedDict):
    """How the bars' 95% confidence intervals are drawn (keywords of ``Axes.barh``)."""

    ecolor: str
    capsize: float
    error_kw: dict[str, Any]


def kpi_unit(kpi: str) -> str:
    """The unit of a KPI from its name, or the name itself when it says none.

    >>> kpi_unit("departures.rail_sea"), kpi_unit("door_to_door_h.a.b.rail_sea.mean")
    ('trains', 'hours')
    """
    parts = kpi.split(".")
    if parts[0] in ("departures", "cancelled"):
        last = parts[-1].split("_")[0] if parts[1:2] == ["service"] else parts[-1]
        return _VEHICLES.get(last, "vehicles")
    if parts[0].endswith("_h"):
        return "hours"
    return _UNITS.get(parts[0], kpi)


def sensitivity(result: SensitivityResult, kpi: str, ax: Axes | None = None) -> Axes:
    """Horizontal bars of each factor's importance for ``kpi``, the most important on top.

    Morris: mu_star with its 95% confidence interval, and sigma (the spread of the factor's
    effects: interactions or non-linearity) as a second marker, in the KPI's units. Sobol: the
    total-order index ST and the first-order index S1, with their 95% confidence intervals.
    Factors are labelled by their ``label``, else their name.

    Parameters
    ----------
    result : SensitivityResult
        From :func:`sim.experiments.sensitivity_analysis.sensitivity`.
    kpi : str
        One of ``result.kpis``.
    ax : Axes, optional
        Where to draw; a new figure when not given.
    """
    from matplotlib.lines import Line2D

    rows = result.ranking(kpi)[::-1]  # barh draws from the bottom: the first factor on top
    y = np.arange(len(rows))
    ax = new_axes(ax, (8, 0.42 * len(rows) + 1.9))

    def value(name: str) -> np.ndarray:
        return np.array([np.nan if r[name] is None else r[name] for r in rows])

    errors: _ErrorBars = {"ecolor": "#333333", "capsize": 3, "error_kw": {"lw": 0.9}}
    if result.method == "morris":
        ax.barh(y, value("mu_star"), 0.6, xerr=value("mu_star_conf"), color="#0072B2", **errors)
        ax.plot(value("sigma"), y, "D", color="#E69F00", mec="#333333", ms=6, zorder=3)
        handles = [
            Line2D([], [], color="#0072B2", lw=8, label="μ*: mean absolute effect, 95% CI"),
            Line2D([], [], ls="", marker="D", color="#E69F00", mec="#333333", label=_SIGMA),
        ]
        ax.set_xlabel(f"μ* and σ ({kpi_unit(kpi)}): change as a factor moves over its range")
    else:
        ax.barh(y + 0.2, value("ST"), 0.38, xerr=value("ST_conf"), color="#0072B2", **errors)
        ax.barh(y - 0.2, value("S1"), 0.38, xerr=value("S1_conf"), color="#56B4E9", **errors)
        handles = [
            Line2D([], [], color="#0072B2", lw=8, label="ST: total effect, 95% CI"),
            Line2D([], [], color="#56B4E9", lw=8, label="S1: first-order effect, 95% CI"),
        ]
        ax.set_xlabel("ST and S1 (share of the variance of the KPI)")
        ax.set_xlim(left=min(0.0, ax.get_xlim()[0]))
    ax.set_yticks(y, [r["label"] for r in rows], fontsize=9)
    ax.axvline(0.0, color="#444444", lw=0.8)
    ax.grid(True, axis="x", lw=0.3, alpha=0.6)
    ax.legend(handles=handles, fontsize=8, loc="lower right", framealpha=0.9)
    runs = f"{result.method.capitalize()}, {len(result.rows):,} runs, seed {result.seed}"
    ax.set_title(f"{result.scenario.name}: sensitivity of\n{kpi}\n({runs})", fontsize=10)
    return ax
