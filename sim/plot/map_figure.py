"""The network map: links coloured by mode, nodes by kind, the crowded border area in an inset."""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING

from sim.plot.basemap import draw_land, sea_lane
from sim.plot.common import MODE_COLOURS, new_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from sim.network import Link, Network, Node
    from sim.scenario import Scenario

__all__ = ["INSET_BOX", "drawn", "map_extent", "network_map", "short_name"]

#: A map's box: (lon_min, lon_max, lat_min, lat_max).
Box = tuple[float, float, float, float]

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


_DROP_WORDS: tuple[str, ...] = (" port", " station", " road border", " ship locks")
_DROP_WORDS += (" international railway", " highway bonded logistics centre")

#: The crowded Beibu Gulf and Vietnam border area, enlarged in an inset (lon0, lon1, lat0, lat1).
INSET_BOX = (105.3, 109.6, 20.6, 23.2)
#: Where the inset sits (x, y, width, height as fractions of the map's axes): beside the map, on
#: its right at the height of the dashed box, so that it hides no part of the map.
INSET_AT = (1.13, 0.48, 0.8, 0.32)
_CLOSED_COLOUR = "#CC0033"
_RING_SIZE = 260.0  # a closed node's ring, in points squared (before the inset's scale)


def short_name(name: str) -> str:
    """A map label: the name without brackets, alternative names or generic words.

    >>> short_name("Chengdu international railway port (Qingbaijiang)")
    'Chengdu'
    """
    short = name.split(" (")[0].split(" / ")[0]
    for word in _DROP_WORDS:
        short = short.replace(word, "")
    return short


def _inside(node: Node, box: Box) -> bool:
    return box[0] <= node.lon <= box[1] and box[2] <= node.lat <= box[3]


def map_extent(scenario: Scenario) -> Box | None:
    """The box a map of ``scenario`` shows: its network's ``map_extent``, grown to its services.

    A corridor scenario's map keeps to the corridor; one whose services run to Europe grows to
    take them in. None when the network sets no extent (the map shows every node).
    """
    net, box = scenario.network, scenario.network.map_extent
    if box is None:
        return None
    used = [net.nodes[n] for svc in scenario.services.values() for n in svc.path]
    lons = [box[0], box[1], *(n.lon for n in used)]
    lats = [box[2], box[3], *(n.lat for n in used)]
    return min(lons), max(lons), min(lats), max(lats)


def drawn(net: Network, box: Box | None) -> tuple[list[Node], list[Link]]:
    """The nodes a map of ``box`` draws (every node when None), and the links between them."""
    nodes = [n for n in net.nodes.values() if box is None or _inside(n, box)]
    ids = {n.id for n in nodes}
    return nodes, [lk for lk in net.links.values() if {lk.from_id, lk.to_id} <= ids]


def _lane(nodes: Mapping[str, Node], link: Link) -> tuple[tuple[float, float], ...]:
    """The points a link is drawn through: its ends, and a sea link's open-water waypoints."""
    a, b = nodes[link.from_id], nodes[link.to_id]
    ends = ((a.lon, a.lat), (b.lon, b.lat))
    return sea_lane(*ends) if link.mode == "sea" else ends


def _draw(
    ax: Axes, nodes: list[Node], links: list[Link], widths: dict[str, float] | None, scale: float
) -> None:
    """Links by mode and nodes by kind, without labels or legend."""
    by_id = {n.id: n for n in nodes}
    for link in links:
        width = (widths or {}).get(link.id, 1.2)
        line = _lane(by_id, link)
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
        of_kind = [n for n in nodes if n.kind == kind]
        if of_kind:
            ax.scatter(
                [n.lon for n in of_kind],
                [n.lat for n in of_kind],
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
        name = short_name(node.name) + (" (closed)" if shut else "")
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
    extent: tuple[float, float, float, float] | None = None,
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
    extent : tuple of float, optional
        Draw only the nodes inside this (lon_min, lon_max, lat_min, lat_max) box and the links
        between them (:func:`map_extent` gives a scenario's); the network's ``map_extent`` when
        not given, or every node if it sets none. The axes span the nodes drawn.

    Returns
    -------
    Axes
        The main map's axes (the inset, if any, is a child of it).
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle
    from matplotlib.ticker import MaxNLocator

    box = extent or net.map_extent
    wide = box is not None and net.map_extent is not None and box != net.map_extent
    ax = new_axes(ax, (16, 9) if wide else (12, 10))  # grown beyond the corridor: no inset
    nodes, links = drawn(net, box)
    closed = [c for c in closed if c in {*(n.id for n in nodes), *(lk.id for lk in links)}]
    _draw(ax, nodes, links, link_width, 1.0)
    _rings(ax, net, closed, 1.0)
    ends = [(n.lon, n.lat) for n in nodes]  # 2 degrees round the nodes, 1 round the sea lanes
    lanes = [p for lk in links if lk.mode == "sea" for p in _lane(net.nodes, lk)]
    lo = [min(min(p[i] for p in ends) - 2.0, *(p[i] - 1.0 for p in lanes)) for i in (0, 1)]
    hi = [max(max(p[i] for p in ends) + 2.0, *(p[i] + 1.0 for p in lanes)) for i in (0, 1)]
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    draw_land(ax)
    in_box = [n for n in nodes if inset and not wide and _inside(n, INSET_BOX)]
    if labels:
        _labels(ax, [n for n in nodes if n not in in_box], 1.0, 7, closed)
    mean_lat = sum(n.lat for n in nodes) / len(nodes)
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
        _draw(sub, nodes, links, link_width, 1.3)
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
        if any(lk.mode == m for lk in links)
    ]
    kinds = {n.kind for n in nodes}
    handles += [
        Line2D([], [], ls="", marker=mk, color=c, markersize=7, label=label)
        for k, (mk, c, _, label) in _KIND_STYLE.items()
        if k in kinds
    ]
    if closed:
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
