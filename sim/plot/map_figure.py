"""The network map: links coloured by mode, nodes by kind, the crowded border area in an inset."""

from __future__ import annotations

import math
from collections.abc import Collection
from typing import TYPE_CHECKING

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
#: Where the inset sits (x, y, width, height as fractions of the map's axes): beside the map, on
#: its right at the height of the dashed box, so that it hides no part of the map.
INSET_AT = (1.13, 0.48, 0.8, 0.32)
_CLOSED_COLOUR = "#CC0033"
_RING_SIZE = 260.0  # a closed node's ring, in points squared (before the inset's scale)


def _short_name(name: str) -> str:
    """A map label: the name without brackets, alternative names or generic words."""
    short = name.split(" (")[0].split(" / ")[0]
    for word in _DROP_WORDS:
        short = short.replace(word, "")
    return short


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


def _labels(
    ax: Axes, nodes: list[Node], scale: float, fontsize: float, closed: Collection[str]
) -> None:
    """One label per node, beside its own marker, placed clear of the others when drawn.

    A closed node's label says so, in the ring's red.
    """
    from sim.plot.labels import label, place_when_drawn

    texts, markers = [], []
    for node in nodes:
        radius = math.sqrt(_KIND_STYLE[node.kind][2] * scale) / 2
        markers.append((node.lon, node.lat, radius))
        shut = node.id in closed
        if shut:
            markers.append((node.lon, node.lat, math.sqrt(_RING_SIZE * scale) / 2))
        name = _short_name(node.name) + (" (closed)" if shut else "")
        colour = _CLOSED_COLOUR if shut else "black"
        texts.append(label(ax, node.lon, node.lat, name, radius, fontsize, color=colour))
        texts[-1].set_gid(f"label:{node.id}")
    place_when_drawn(ax, texts, markers)


def _rings(ax: Axes, net: Network, closed: Collection[str], scale: float) -> None:
    """A red ring around each closed node and a red dashed line over each closed link."""
    nodes = [net.nodes[n] for n in closed if n in net.nodes]
    if nodes:
        ax.scatter(
            [n.lon for n in nodes],
            [n.lat for n in nodes],
            s=_RING_SIZE * scale,
            marker="o",
            facecolors="none",
            edgecolors=_CLOSED_COLOUR,
            linewidths=1.6,
            zorder=3.5,
        )
    for lid in closed:
        if lid in net.links:
            a, b = net.nodes[net.links[lid].from_id], net.nodes[net.links[lid].to_id]
            ax.plot([a.lon, b.lon], [a.lat, b.lat], ls="--", color=_CLOSED_COLOUR, lw=1.6, zorder=2)


def network_map(
    net: Network,
    ax: Axes | None = None,
    *,
    labels: bool = True,
    link_width: dict[str, float] | None = None,
    inset: bool = True,
    closed: Collection[str] = (),
) -> Axes:
    """Draw the network on lon/lat axes: links coloured by mode, nodes by kind, borders marked.

    Parameters
    ----------
    net : Network
        The network to draw.
    ax : Axes, optional
        Where to draw; a new 12 x 10 in figure when not given (the inset beside the map).
    labels : bool
        Name every node beside its own marker, clear of the other labels and markers (placed
        when the figure is drawn, with a leader line when it had to go further out).
    link_width : dict, optional
        Line width per link id (for example proportional to TEU carried); 1.2 otherwise.
    inset : bool
        Draw the crowded Beibu Gulf and Vietnam border area (:data:`INSET_BOX`) again, enlarged;
        the nodes in it are named there.
    closed : collection of str
        Node and link ids closed at some time (a disruption): a red ring around each node, its
        label saying "(closed)", and a red dashed line over each link.

    Returns
    -------
    Axes
        The main map's axes (the inset, if any, is a child of it).
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle
    from matplotlib.ticker import MaxNLocator

    ax = new_axes(ax, (12, 10))
    _draw(ax, net, link_width, 1.0)
    _rings(ax, net, closed, 1.0)
    lons, lats = [n.lon for n in net.nodes.values()], [n.lat for n in net.nodes.values()]
    ax.set_xlim(min(lons) - 2.0, max(lons) + 2.0)
    ax.set_ylim(min(lats) - 2.0, max(lats) + 2.0)
    draw_land(ax)
    in_box = [n for n in net.nodes.values() if inset and _inside(n, INSET_BOX)]
    if labels:
        _labels(ax, [n for n in net.nodes.values() if n not in in_box], 1.0, 7, closed)
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
        sub = ax.inset_axes(INSET_AT)
        _draw(sub, net, link_width, 1.3)
        _rings(sub, net, closed, 1.3)
        sub.set_xlim(lon0, lon1)
        sub.set_ylim(lat0, lat1)
        draw_land(sub)
        sub.set_aspect(aspect)
        sub.tick_params(labelsize=7)
        sub.xaxis.set_major_locator(MaxNLocator(4))
        sub.xaxis.set_major_formatter("{x:g}°E")
        sub.yaxis.set_major_formatter("{x:g}°N")
        sub.set_title("Beibu Gulf and the Vietnam border (dashed box)", fontsize=9)
        if labels:
            _labels(sub, in_box, 1.3, 7.5, closed)
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
    if any(c in net.nodes or c in net.links for c in closed):
        handles.append(
            Line2D(
                [],
                [],
                ls="",
                marker="o",
                mfc="none",
                mec=_CLOSED_COLOUR,
                mew=1.6,
                markersize=9,
                label="closed by a disruption",
            )
        )
    beside = {"loc": "upper left", "bbox_to_anchor": (INSET_AT[0], INSET_AT[1] - 0.06)}
    ax.legend(  # under the inset when there is one, else in the map's corner
        handles=handles,
        fontsize=8,
        title="Links and nodes",
        framealpha=0.9,
        **(beside if in_box else {"loc": "lower left"}),
    )
    ax.set_aspect(aspect, anchor="W" if in_box else "C")  # the slack beside it holds the inset
    ax.set_xlabel("Longitude (°E)")
    ax.set_ylabel("Latitude (°N)")
    ax.set_title(
        f"{net.title}\n(schematic: land links drawn straight, sea links through open water)",
        fontsize=9,
    )
    ax.grid(True, lw=0.3, alpha=0.5)
    return ax
