"""Land, borders and sea lanes for the map, from data shipped with the package (works offline).

The land is Natural Earth's 1:110m countries (public domain; ``data/countries_110m.geojson``,
made by ``networks/basemap/make_basemap.py``). A sea link is drawn along the shortest chain of
open-water waypoints that keeps off the land (tested on points along each leg), not as a straight
line across Indochina.
"""

from __future__ import annotations

import functools
import json
import math
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.path import Path

__all__ = ["SEA_CANALS", "SEA_WAYPOINTS", "draw_land", "sea_lane"]

#: Points in open water that sea lanes may pass (lon, lat): the Gulf of Tonkin, around Hainan,
#: along Vietnam, the Gulf of Thailand, the Singapore and Malacca straits, the Andaman and Java
#: seas, the Taiwan Strait and the East China Sea; and from the North Sea to Asia via Suez.
SEA_WAYPOINTS = (
    (108.8, 20.4),
    (107.6, 19.4),
    (111.8, 18.2),
    (110.0, 16.0),
    (110.2, 12.5),
    (108.2, 8.8),
    (105.0, 7.2),
    (102.5, 9.5),
    (101.0, 11.8),
    (104.7, 1.9),
    (103.0, 2.0),
    (102.6, 1.6),
    (101.2, 2.6),
    (100.2, 4.3),
    (98.5, 5.0),
    (97.2, 7.5),
    (95.6, 13.8),
    (96.9, 15.6),
    (108.3, 3.0),
    (105.8, 0.2),
    (107.2, -4.0),
    (115.5, 21.0),
    (119.5, 23.5),
    (122.8, 28.0),
    (118.5, 15.5),
    # Europe to Asia via Suez: the North Sea, the Channel, Biscay, Gibraltar, the Mediterranean,
    # the canal (:data:`SEA_CANALS`), the Gulf of Suez, the Red Sea, Bab-el-Mandeb, the Arabian
    # Sea, south of Sri Lanka and north of Sumatra.
    (2.6, 51.4),
    (1.3, 50.9),
    (-1.5, 50.1),
    (-5.6, 49.2),
    (-9.3, 45.5),
    (-10.0, 40.0),
    (-9.5, 36.6),
    (-5.6, 35.95),
    (-1.5, 36.6),
    (5.0, 37.8),
    (11.5, 37.5),
    (18.0, 34.5),
    (25.0, 33.9),
    (30.5, 31.9),
    (32.3, 31.4),
    (32.5, 29.5),
    (33.2, 28.2),
    (33.9, 27.2),
    (38.0, 20.5),
    (41.8, 14.8),
    (43.42, 12.5),
    (45.5, 12.0),
    (52.0, 13.0),
    (60.0, 10.5),
    (70.0, 7.5),
    (80.6, 5.4),
    (88.0, 5.6),
    (94.6, 6.6),
)
#: Waypoints joined across the land: the Suez Canal, which the 1:110m land does not cut.
SEA_CANALS = (((32.3, 31.4), (32.5, 29.5)),)
#: The longest leg (degrees) tested for open water: longer ones would cross a continent.
_LONGEST_LEG = 45.0
_LAND_FC, _LAND_EC, _SEA_FC = "#ECEBE4", "#B5B5AA", "#F2F7FB"


@functools.cache
def _land() -> tuple[Path, ...]:
    """Every land polygon as a matplotlib Path."""
    from matplotlib.path import Path

    text = resources.files("sim.plot").joinpath("data/countries_110m.geojson").read_text("utf-8")
    paths = []
    for feature in json.loads(text)["features"]:
        for polygon in feature["geometry"]["coordinates"]:
            paths.append(Path(np.asarray(polygon[0], dtype=float)))
    return tuple(paths)


def draw_land(ax: Axes) -> None:
    """Land and borders under what the axes show (its limits are kept).

    Only the polygons that reach into the axes are drawn, as one collection: a patch each for
    every country from Europe to Oceania made the map slow to draw.
    """
    from matplotlib.collections import PathCollection

    xlim, ylim = ax.get_xlim(), ax.get_ylim()
    low = np.array([min(xlim), min(ylim)])
    high = np.array([max(xlim), max(ylim)])
    ax.set_facecolor(_SEA_FC)
    shown = [
        path
        for path, (box_low, box_high) in zip(_land(), _boxes(), strict=True)
        if (box_high >= low).all() and (box_low <= high).all()
    ]
    ax.add_collection(
        PathCollection(
            shown, facecolors=_LAND_FC, edgecolors=_LAND_EC, linewidths=0.4, zorder=0, gid="land"
        ),
        autolim=False,
    )
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)


def _open_water(a: tuple[float, float], b: tuple[float, float], keep_off_deg: float = 0.6) -> bool:
    """Whether the straight leg from ``a`` to ``b`` keeps off the land (its ends may touch it)."""
    steps = max(8, int(math.dist(a, b) / 0.25))
    t = np.linspace(0.0, 1.0, steps + 1)
    points = np.column_stack([a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])])
    far = (np.hypot(*(points - a).T) > keep_off_deg) & (np.hypot(*(points - b).T) > keep_off_deg)
    points = points[far]
    if not len(points):
        return True
    low, high = points.min(axis=0), points.max(axis=0)
    for path, (box_low, box_high) in zip(_land(), _boxes(), strict=True):
        if (
            (box_high >= low).all()
            and (box_low <= high).all()
            and path.contains_points(points).any()
        ):
            return False
    return True


@functools.cache
def _boxes() -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """Each land polygon's bounding box (to skip the far ones)."""
    return tuple(
        (np.asarray(p.vertices).min(axis=0), np.asarray(p.vertices).max(axis=0)) for p in _land()
    )


@functools.cache
def _sea_graph() -> Any:
    """The waypoints joined wherever the leg between them keeps off the land."""
    import networkx as nx

    graph: nx.Graph[tuple[float, float]] = nx.Graph()
    for i, p in enumerate(SEA_WAYPOINTS):
        for j in range(i + 1, len(SEA_WAYPOINTS)):
            q = SEA_WAYPOINTS[j]
            if math.dist(p, q) <= _LONGEST_LEG and _open_water(p, q):
                graph.add_edge(p, q, weight=math.dist(p, q))
    for p, q in SEA_CANALS:
        graph.add_edge(p, q, weight=math.dist(p, q))
    return graph


@functools.cache
def sea_lane(a: tuple[float, float], b: tuple[float, float]) -> tuple[tuple[float, float], ...]:
    """The points a ship's line from port ``a`` to port ``b`` is drawn through (ends included).

    The shortest chain through :data:`SEA_WAYPOINTS` whose legs keep off the land; the straight
    line when there is none.
    """
    import networkx as nx

    if math.dist(a, b) <= _LONGEST_LEG and _open_water(a, b):
        return (a, b)
    graph = _sea_graph().copy()
    for port in (a, b):
        for p in SEA_WAYPOINTS:
            if math.dist(port, p) <= _LONGEST_LEG and _open_water(port, p):
                graph.add_edge(port, p, weight=math.dist(port, p))
    try:
        return tuple(nx.shortest_path(graph, a, b, weight="weight"))
    except (nx.NetworkXNoPath, nx.NodeNotFound):
        return (a, b)
