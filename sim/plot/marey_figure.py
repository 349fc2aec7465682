"""Trains in time and space (a Marey diagram): one panel per line, each on its own distances."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.errors import ArgumentError
from sim.plot.common import FAMILY_COLOURS
from sim.results.routes import place_name

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from sim.results import RunResult

__all__ = ["marey"]

#: One colour per service drawn (services on one panel need telling apart).
_COLOURS = (*FAMILY_COLOURS.values(), "#E69F00", "#000000")


def _panels(ax: Axes | None, n: int) -> list[Axes]:
    """``n`` axes one above the other, sharing their time axis.

    A new figure, ``ax`` itself, or ``ax``'s place in its figure's grid split in ``n``.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, grid = plt.subplots(
            n, 1, figsize=(10, 1.6 + 2.3 * n), sharex=True, squeeze=False, layout="constrained"
        )
        return [a for (a,) in grid]
    if n == 1:
        return [ax]
    spec = ax.get_subplotspec()
    if spec is None:
        raise ArgumentError(
            f"marey: these services run {n} different lines, drawn one panel each; "
            "give an ax of a grid of subplots (plt.subplots) or none"
        )
    fig = ax.get_figure()
    assert fig is not None
    ax.remove()
    rows = spec.subgridspec(n, 1)
    top = fig.add_subplot(rows[0])
    return [top] + [fig.add_subplot(rows[i], sharex=top) for i in range(1, n)]


def _train(
    dep: Any, visits: Any, i: int, km_of: dict[str, float], end_km: float, last: str, hi_h: float
) -> tuple[np.ndarray, np.ndarray]:
    """Days and km of departure ``i`` of ``dep``: its stops at their km, waits as flat steps."""
    vid, start, end = dep["vehicle"][i], dep["depart_h"][i], dep["arrive_h"][i]
    mine = visits["vehicle"] == vid
    pts = [(float(start), 0.0)]
    for node, a, b in zip(
        visits["node"][mine], visits["arrive_h"][mine], visits["end_h"][mine], strict=True
    ):
        if node in km_of and node != last:
            pts += [(float(a), km_of[node]), (float(b), km_of[node])]
    pts.append((float(end) if np.isfinite(end) else hi_h, end_km))
    t, x = zip(*sorted(pts), strict=True)
    return np.array(t) / 24.0, np.array(x)


def marey(
    res: RunResult,
    services: Sequence[str],
    ax: Axes | None = None,
    days: float = 30.0,
    start_day: float = 0.0,
) -> Axes:
    """Trains in time and space (a Marey diagram) for ``days`` days from ``start_day``.

    Distance along the line against time, one line per departure; waits at border posts and
    terminals show as flat steps. Each line (the stations a service runs, in order) has a panel
    of its own, on its own distances, with every station named at its km; services that run the
    same stations share one. The panels share the time axis. Without ``ax``, a new figure; with
    one and several lines, ``ax``'s place in its grid is split into panels.

    Returns
    -------
    Axes
        The top panel (the others are in its figure, below it).
    """
    from matplotlib.lines import Line2D

    sc = res.scenario
    services = list(dict.fromkeys(services))  # each once
    unknown = [s for s in services if s not in sc.services]
    if unknown or not services:
        raise ArgumentError(f"marey: unknown services {unknown} (or none given)")
    lines: dict[tuple[str, ...], list[str]] = {}
    for sid in services:
        lines.setdefault(tuple(sc.services[sid].path), []).append(sid)
    panels = _panels(ax, len(lines))
    dep, visits, net = res.tables["departures"], res.tables["facility_visits"], sc.network
    lo_h, hi_h = start_day * 24.0, (start_day + days) * 24.0
    handles: list[Any] = []
    for panel, (path, sids) in zip(panels, lines.items(), strict=True):
        links = sc.services[sids[0]].links
        at_km = np.concatenate([[0.0], np.cumsum([net.links[lid].distance_km for lid in links])])
        km_of = dict(zip(path, at_km.tolist(), strict=True))
        names = [f"{place_name(net, n)} ({km:,.0f} km)" for n, km in zip(path, at_km, strict=True)]
        panel.set_yticks(at_km, names, fontsize=7)
        panel.set_ylim(-0.05 * at_km[-1], 1.05 * at_km[-1])
        for sid in sids:
            colour = _COLOURS[services.index(sid) % len(_COLOURS)]
            svc = sc.services[sid]
            sel = (dep["service"] == sid) & (dep["cancelled"] == 0)
            sel &= (dep["depart_h"] < hi_h) & ~(dep["arrive_h"] < lo_h)
            for i in np.flatnonzero(sel).tolist():
                t, x = _train(dep, visits, i, km_of, at_km[-1], svc.destination, hi_h)
                panel.plot(t, x, color=colour, lw=1.0)
            label = f"{place_name(net, svc.origin)} → {place_name(net, svc.destination)} ({sid})"
            handles.append(Line2D([], [], color=colour, lw=1.0, label=label))
        panel.set_ylabel("along the line (km)", fontsize=8)
        panel.set_xlim(start_day, start_day + days)
        panel.grid(True, lw=0.3, alpha=0.6)
    first = sc.horizon.start + dt.timedelta(days=start_day)
    bottom = panels[-1]
    bottom.set_xlabel(f"days from {sc.horizon.start} (shown: {days:g} days from {first})")
    many = f", one panel per line ({len(lines)})" if len(lines) > 1 else ""
    panels[0].set_title(f"{sc.name}: trains in time and space{many}", fontsize=10)
    if len(panels) > 1:
        bottom.get_figure().align_ylabels(panels)  # type: ignore[union-attr]
    bottom.legend(
        handles=handles, fontsize=8, loc="upper left", bbox_to_anchor=(0.0, -0.22), frameon=False
    )
    return panels[0]
