"""The validation figure: each target's simulated mean and CI against its tolerance band."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.plot.common import new_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from sim.experiments.validation import ValidationReport

__all__ = ["validation"]

_STATUS_COLOURS = {"pass": "#009E73", "conflict": "#E69F00", "fail": "#CC0033"}
_MODE_TITLES = {"rail_sea": "Rail-sea", "intl_rail": "Chongqing-Hanoi rail", "road": "Road"}


def validation(report: ValidationReport, ax: Axes | None = None) -> Axes:
    """Each target: simulated mean and 95% CI against the published figure and its tolerance band.

    Everything is shown as simulated / published (1 = agreement), so that trains, TEU and growth
    rates share one axis; rows are grouped by mode, coloured by status, and a hollow diamond marks
    the conflicting source's figure where there is one. Targets not modelled are left out.

    Parameters
    ----------
    report : ValidationReport
        From :func:`sim.validate`.
    ax : Axes, optional
        Where to draw; a new figure when not given.
    """
    from matplotlib.lines import Line2D

    rows = [r for r in report.rows if r["status"] != "not modelled"]
    order = {m: i for i, m in enumerate(_MODE_TITLES)}
    rows.sort(key=lambda r: (order.get(r["mode"], 9), r["growth"], not r["primary"]))
    ax = new_axes(ax, (9, 0.45 * len(rows) + 2.6))
    labels = []
    for y, r in enumerate(rows):
        v, g = r["target"], r["growth"]
        lo, hi = r["band_low"] / v, r["band_high"] / v
        ax.fill_betweenx([y - 0.35, y + 0.35], lo, hi, color="#BBBBBB", alpha=0.6, lw=0, zorder=1)
        colour = _STATUS_COLOURS.get(r["status"], "#333333")
        mean, low, high = (r[k] / v for k in ("mean", "ci_low", "ci_high"))
        ax.errorbar(
            mean,
            y,
            xerr=[[mean - low], [high - mean]],
            fmt="o",
            color=colour,
            ms=6,
            capsize=3,
            zorder=3,
        )
        if r["alternative"] is not None:
            ax.plot(r["alternative"] / v, y, "D", mfc="none", mec="#444444", ms=7, zorder=2)
        kind = "growth" if g else ("primary" if r["primary"] else "other")
        published = f"{v:+.0%}" if g else f"{v:,.0f}"
        labels.append(f"{_MODE_TITLES.get(r['mode'], r['mode'])}: {r['id']} ({kind}, {published})")
    ax.set_yticks(range(len(rows)), labels, fontsize=8)
    ax.invert_yaxis()
    ax.axvline(1.0, color="#444444", lw=0.8, ls="--", zorder=0)
    ax.set_xlabel("simulated / published value (1 = agreement; growth: ratio of the rates)")
    handles = [
        Line2D([], [], ls="", marker="o", color=c, label=f"simulated mean, 95% CI: {s}")
        for s, c in _STATUS_COLOURS.items()
    ]
    handles += [
        Line2D([], [], ls="", marker="s", color="#BBBBBB", label="tolerance band"),
        Line2D(
            [],
            [],
            ls="",
            marker="D",
            mfc="none",
            mec="#444444",
            label="figure of the conflicting source",
        ),
    ]
    ax.legend(
        handles=handles,
        fontsize=7,
        loc="lower center",
        bbox_to_anchor=(0.5, 1.0),
        ncol=2,
        frameon=False,
    )
    ax.set_title(
        f"{report.scenario}: {report.replications} replications against the published figures",
        fontsize=10,
        pad=58,
    )
    ax.grid(True, axis="x", lw=0.3, alpha=0.6)
    return ax
