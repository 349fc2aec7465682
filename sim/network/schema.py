"""The network's data types: modes, nodes, links and the network that holds them.

These are frozen records: what the files say, parsed and checked, nothing more. Behaviour that
depends on the graph (routing) lives in :mod:`sim.network.routing`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import networkx as nx

    from sim.network.routing import Route

__all__ = ["LINK_MODES", "NODE_KINDS", "Link", "ModeSpec", "Network", "Node"]

#: Kinds of node a network may contain.
NODE_KINDS = (
    "rail_terminal",
    "road_terminal",
    "river_port",
    "seaport",
    "border_post",
    "junction",
    "city",
    "lock",
)

#: Modes a link may carry.
LINK_MODES = ("rail", "road", "sea", "river")


@dataclass(frozen=True)
class ModeSpec:
    """Per-mode defaults from ``meta.toml``.

    Attributes
    ----------
    speed_kmh_min, speed_kmh_max : float
        Plausible range of a link's implied speed (distance / time); a link outside it is an error.
    cost_cny_per_teu_km : float
        Tariff per TEU-km, used for links with no tariff of their own.
    co2_kg_per_teu_km : float
        Emission intensity per TEU-km.
    source : str
        Where the numbers come from (URL or ``assumption: <reason>``).

    """

    speed_kmh_min: float
    speed_kmh_max: float
    cost_cny_per_teu_km: float
    co2_kg_per_teu_km: float
    source: str


@dataclass(frozen=True)
class Node:
    """A place in the network: terminal, port, border post, junction, city or lock.

    Capacities (``lanes``, ``tracks``, ``berths``) and times (``handling_h``, ``clearance_h``, ...)
    are ``None`` where they do not apply. ``opening_hours`` is ``(open_h, close_h)`` in local China
    time, or ``None`` for a node open around the clock.
    """

    id: str
    name: str
    name_zh: str
    kind: str
    country: str
    lat: float
    lon: float
    source: str
    lanes: int | None = None
    tracks: int | None = None
    berths: int | None = None
    handling_h: float | None = None
    clearance_h: float | None = None
    clearance_cv: float | None = None
    inspection_share: float | None = None
    inspection_h: float | None = None
    opening_hours: tuple[float, float] | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the node as a plain dict (JSON-ready)."""
        out = asdict(self)
        out["opening_hours"] = list(self.opening_hours) if self.opening_hours else None
        return out


@dataclass(frozen=True)
class Link:
    """A two-way link between two nodes, carried by one mode.

    ``time_h`` is the moving time of a vehicle on the link, without waiting at either end;
    ``time_cv`` its coefficient of variation. ``reverse_time_h``, when given, is the moving time
    from ``to_id`` back to ``from_id`` (upstream on a river, say); otherwise both ways take
    ``time_h``. ``cost_cny_per_teu`` and ``co2_kg_per_teu`` are
    filled from the mode's per-km defaults when the file gives none. On a rail link,
    ``paths_per_day`` (None: unlimited) is the train paths a day in each direction, of which the
    line's other trains (passenger and other freight) take ``other_trains_per_day``: a train
    enters the link only on a free path, one every ``24 / paths_per_day`` hours.
    """

    id: str
    from_id: str
    to_id: str
    mode: str
    distance_km: float
    time_h: float
    time_cv: float
    cost_cny_per_teu: float
    co2_kg_per_teu: float
    source: str
    gauge_mm: str | None = None
    reverse_time_h: float | None = None
    paths_per_day: float | None = None
    other_trains_per_day: float = 0.0

    @property
    def speed_kmh(self) -> float:
        """Implied mean speed, distance over moving time."""
        return self.distance_km / self.time_h

    def time_from(self, node: str) -> float:
        """Mean moving time (hours) of a vehicle that enters the link at ``node``."""
        if node == self.to_id and self.reverse_time_h is not None:
            return self.reverse_time_h
        return self.time_h

    def to_dict(self) -> dict[str, Any]:
        """Return the link as a plain dict (JSON-ready), with ``from`` and ``to`` keys."""
        out = asdict(self)
        out = {"id": out.pop("id"), "from": out.pop("from_id"), "to": out.pop("to_id"), **out}
        out["speed_kmh"] = round(self.speed_kmh, 3)
        return out


@dataclass(frozen=True, eq=False)
class Network:
    """A checked network: nodes and links by id, per-mode defaults and metadata.

    Build one with :func:`sim.load_network`. Routing methods are in
    :mod:`sim.network.routing` and exposed here as :meth:`routes`.
    """

    name: str
    title: str
    nodes: Mapping[str, Node]
    links: Mapping[str, Link]
    modes: Mapping[str, ModeSpec]
    path: str = ""
    #: The box (lon_min, lon_max, lat_min, lat_max) its maps show by default; None: every node.
    map_extent: tuple[float, float, float, float] | None = None
    #: Routing graphs built so far, by (modes, cost attribute): :mod:`sim.network.routing` fills it.
    graph_cache: dict[tuple[frozenset[str], str], nx.DiGraph[str]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "nodes", MappingProxyType(dict(self.nodes)))
        object.__setattr__(self, "links", MappingProxyType(dict(self.links)))
        object.__setattr__(self, "modes", MappingProxyType(dict(self.modes)))

    def __getstate__(self) -> dict[str, Any]:
        """Pickle the mappings as plain dicts (read-only views cannot be pickled), no cache."""
        state = {
            k: dict(v) if isinstance(v, MappingProxyType) else v for k, v in vars(self).items()
        }
        state["graph_cache"] = {}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        for key, value in state.items():
            object.__setattr__(self, key, value)
        self.__post_init__()

    def count_nodes_by_kind(self) -> dict[str, int]:
        """Number of nodes of each kind, kinds in their canonical order."""
        counts = {k: sum(n.kind == k for n in self.nodes.values()) for k in NODE_KINDS}
        return {k: c for k, c in counts.items() if c}

    def count_links_by_mode(self) -> dict[str, int]:
        """Number of links of each mode, modes in their canonical order."""
        counts = {m: sum(lk.mode == m for lk in self.links.values()) for m in LINK_MODES}
        return {m: c for m, c in counts.items() if c}

    def to_dict(self) -> dict[str, Any]:
        """The documented JSON form: ``{"name", "title", "nodes": [...], "links": [...]}``."""
        return {
            "name": self.name,
            "title": self.title,
            "nodes": [n.to_dict() for n in self.nodes.values()],
            "links": [lk.to_dict() for lk in self.links.values()],
        }

    def routes(self, origin: str, destination: str, **kwargs: Any) -> list[Route]:
        """The k cheapest routes; see :func:`sim.network.routing.k_cheapest_routes`."""
        from sim.network.routing import k_cheapest_routes

        return k_cheapest_routes(self, origin, destination, **kwargs)
