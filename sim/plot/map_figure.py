"""The network map: links coloured by mode, nodes by kind, the crowded border area in an inset."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from sim.plot.basemap import draw_land, sea_lane
from sim.plot.common import MODE_COLOURS, new_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from sim.network import Network, Node

__all__ = ["INSET_BOX", "network_map"]

_KIND_STYLE = {  # kind: (marker, face colour, size, legend label)
    "rail_terminal": ("s", "#D55E00", 40, "rail terminal"),
    "road_terminal": ("D", "#009E73", 40, "road terminal"),
    "river_port": ("^", "#56B4E9", 50, "river port"),
    "seaport": ("o", "#0072B2", 45, "seaport"),
    "border_post": ("X", "#CC0033", 90, "border post"),
    "junction": ("o", "#777777", 18, "junction"),
    "city": ("*", "#333333", 80, "city"),
    "lock": ("v", "#56B4E9", 50, "lock"),
}


_DROP_WORDS = (
    " port",
    " station",
    " road border",
    " ship locks",
    " international railway",
    " highway bonded logistics centre",
)

#: The crowded Beibu Gulf and Vietnam border area, enlarged in an inset (lon0, lon1, lat0, lat1).
INSET_BOX = (105.3, 109.6, 20.6, 23.2)


def _short_name(name: str) -> str:
    """A map label: the name without brackets, alternative names or generic words."""
    short = name.split(" (")[0].split(" / ")[0]
    for word in _DROP_WORDS:
        short = short.replace(word, "")
    return short


def _label_groups(nodes: list[Any], radius_deg: float) -> list[tuple[float, float, str]]:
    """Group nodes within ``radius_deg`` of a group member, so crowded places share one label."""
    groups: list[list[Any]] = []
    for node in nodes:
        near = [
            g
            for g in groups
            if any(math.hypot(node.lon - m.lon, node.lat - m.lat) < radius_deg for m in g)
        ]
        merged = [node] + [m for g in near for m in g]
        groups = [g for g in groups if g not in near] + [merged]
    labels = []
    for group in groups:
        names = sorted(dict.fromkeys(_short_name(n.name) for n in group))
        firsts = {n.split()[0] for n in names}
        if len(names) > 1 and len(firsts) == 1:  # "Chongqing: Guoyuan, Nanpeng, ..."
            rest = [n.split(maxsplit=1)[1] if " " in n else n for n in names]
            text = (
                f"{firsts.pop()}: "
                + ", ".join(rest[:2])
                + ("\n" + ", ".join(rest[2:]) if rest[2:] else "")
            )
        else:
            text = "\n".join(names)
        labels.append((max(n.lon for n in group), max(n.lat for n in group), text))
    return labels


def _inside(node: Node, box: tuple[float, float, float, float]) -> bool:
    return box[0] <= node.lon <= box[1] and box[2] <= node.lat <= box[3]


def _draw(ax: Axes, net: Network, link_width: dict[str, float] | None, scale: float) -> None:
    """Links by mode and nodes by kind, without labels or legend."""
    for link in net.links.values():
        a, b = net.nodes[link.from_id], net.nodes[link.to_id]
        width = (link_width or {}).get(link.id, 1.2)
        line = [(a.lon, a.lat), (b.lon, b.lat)]
        if link.mode == "sea":  # along the sea lanes, not across the land
            line = list(sea_lane((a.lon, a.lat), (b.lon, b.lat)))
        ax.plot(
            [p[0] for p in line],
            [p[1] for p in line],
            "-",
            color=MODE_COLOURS[link.mode],
            lw=width,
            alpha=0.85,
            zorder=1,
            solid_capstyle="round",
        )
    for kind, (marker, colour, size, _) in _KIND_STYLE.items():
        nodes = [n for n in net.nodes.values() if n.kind == kind]
        if nodes:
            ax.scatter(
                [n.lon for n in nodes],
                [n.lat for n in nodes],
                s=size * scale,
                marker=marker,
                c=colour,
                edgecolors="white",
                linewidths=0.6,
                zorder=3,
            )


def _annotate(
    ax: Axes, labels: list[tuple[float, float, str]], fontsize: float, deg_per_char: float
) -> None:
    """Labels right of their place, or left of it when that would run into another place.

    ``deg_per_char`` is about how many degrees of longitude a character takes on these axes
    (0: every label right of its place).
    """
    for lon, lat, text in labels:
        reach = lon + deg_per_char * max(len(line) for line in text.splitlines())
        crowded = any(
            lon < other_lon <= reach + deg_per_char and abs(other_lat - lat) < 4 * deg_per_char
            for other_lon, other_lat, _ in labels
        )
        ax.annotate(
            text,
            (lon, lat),
            xytext=(-3, 3) if crowded else (3, 3),
            textcoords="offset points",
            ha="right" if crowded else "left",
            fontsize=fontsize,
            zorder=4,
            annotation_clip=True,
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.75},
        )


def network_map(
    net: Network,
    ax: Axes | None = None,
    *,
    labels: bool = True,
    label_radius_deg: float = 1.2,
    link_width: dict[str, float] | None = None,
    inset: bool = True,
) -> Axes:
    """Draw the network on lon/lat axes: links coloured by mode, nodes by kind, borders marked.

    Parameters
    ----------
    net : Network
        The network to draw.
    ax : Axes, optional
        Where to draw; a new 9 x 10 in figure when not given.
    labels : bool
        Write place names (nodes closer than ``label_radius_deg`` share one label).
    label_radius_deg : float
        Distance in degrees under which nodes share a label on the main map.
    link_width : dict, optional
        Line width per link id (for example proportional to TEU carried); 1.2 otherwise.
    inset : bool
        Draw the crowded Beibu Gulf and Vietnam border area (:data:`INSET_BOX`) again, enlarged.

    Returns
    -------
    Axes
        The main map's axes (the inset, if any, is a child of it).
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle
    from matplotlib.ticker import MaxNLocator

    ax = new_axes(ax, (9, 10))
    _draw(ax, net, link_width, 1.0)
    lons, lats = [n.lon for n in net.nodes.values()], [n.lat for n in net.nodes.values()]
    ax.set_xlim(min(lons) - 2.0, max(lons) + 2.0)
    ax.set_ylim(min(lats) - 2.0, max(lats) + 2.0)
    draw_land(ax)
    in_box = [n for n in net.nodes.values() if inset and _inside(n, INSET_BOX)]
    if labels:
        outside = [n for n in net.nodes.values() if n not in in_box]
        _annotate(ax, _label_groups(outside, label_radius_deg), 7, 0.26)
    mean_lat = sum(n.lat for n in net.nodes.values()) / len(net.nodes)
    aspect = 1 / math.cos(math.radians(mean_lat))
    if in_box:
        lon0, lon1, lat0, lat1 = INSET_BOX
        ax.add_patch(
            Rectangle(
                (lon0, lat0),
                lon1 - lon0,
                lat1 - lat0,
                fill=False,
                lw=0.8,
                ls="--",
                ec="#444444",
                zorder=2,
            )
        )
        sub = ax.inset_axes((0.60, 0.42, 0.39, 0.27))
        _draw(sub, net, link_width, 1.3)
        sub.set_xlim(lon0, lon1)
        sub.set_ylim(lat0, lat1)
        draw_land(sub)
        sub.set_aspect(aspect)
        sub.tick_params(labelsize=6)
        sub.xaxis.set_major_locator(MaxNLocator(4))
        sub.set_title("Beibu Gulf and the Vietnam border (dashed box)", fontsize=7)
        if labels:
            _annotate(sub, _label_groups(in_box, 0.35), 6.5, 0.0)  # laid out by hand: right
    handles = [
        Line2D([], [], color=c, lw=2, label=m)
        for m, c in MODE_COLOURS.items()
        if m in net.count_links_by_mode()
    ]
    kinds = net.count_nodes_by_kind()
    handles += [
        Line2D([], [], ls="", marker=mk, color=c, markersize=7, label=label)
        for k, (mk, c, _, label) in _KIND_STYLE.items()
        if k in kinds
    ]
    ax.legend(
        handles=handles, loc="lower left", fontsize=8, title="Links and nodes", framealpha=0.9
    )
    ax.set_aspect(aspect)
    ax.set_xlabel("Longitude (°E)")
    ax.set_ylabel("Latitude (°N)")
    ax.set_title(
        f"{net.title}\n(links drawn as straight lines: schematic, not the track or sea lane)",
        fontsize=9,
    )
    ax.grid(True, lw=0.3, alpha=0.5)
    return ax
