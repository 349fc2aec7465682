"""The k cheapest routes between two nodes, for a cost given as a link attribute or a callable.

A route is a chain of links; consecutive links of one mode form a *leg* (``rail`` Chongqing →
Qinzhou, then ``sea`` Qinzhou → Singapore). Routes come cheapest first, with totals per attribute.

Where two links of different modes join the same pair of nodes, a route uses the cheaper of the two
for the cost asked; restrict ``modes`` to see the other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import islice, pairwise
from typing import TYPE_CHECKING, Any, Literal, get_args

from sim.errors import NetworkError, Problem
from sim.network.schema import LINK_MODES, Link, Network
from sim.textio import did_you_mean

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["COST_ATTRIBUTES", "CostAttribute", "Leg", "Route", "k_cheapest_routes"]

#: Link attributes that can be summed along a route (and used as a routing cost).
CostAttribute = Literal["distance_km", "time_h", "cost_cny_per_teu", "co2_kg_per_teu"]
COST_ATTRIBUTES: tuple[CostAttribute, ...] = get_args(CostAttribute)
#: The most routes one query may ask for (each is a shortest-path search).
MAX_ROUTES = 100

LinkCost = CostAttribute | Callable[[Link], float | None]


@dataclass(frozen=True)
class Leg:
    """Consecutive links of one mode within a route."""

    mode: str
    nodes: tuple[str, ...]
    links: tuple[Link, ...]

    @property
    def distance_km(self) -> float:
        """Length of the leg."""
        return sum(lk.distance_km for lk in self.links)

    @property
    def time_h(self) -> float:
        """Moving time of the leg, in its direction of travel."""
        return sum(lk.time_from(node) for lk, node in zip(self.links, self.nodes, strict=False))

    def to_dict(self) -> dict[str, Any]:
        """Return the leg as a JSON-ready dict."""
        return {
            "mode": self.mode,
            "from": self.nodes[0],
            "to": self.nodes[-1],
            "nodes": list(self.nodes),
            "distance_km": round(self.distance_km, 3),
            "time_h": round(self.time_h, 3),
        }


@dataclass(frozen=True)
class Route:
    """A chain of links from one node to another, with its cost under the routing criterion."""

    nodes: tuple[str, ...]
    links: tuple[Link, ...]
    cost: float

    @property
    def legs(self) -> tuple[Leg, ...]:
        """The route split where the mode changes."""
        legs: list[Leg] = []
        start = 0
        for i in range(1, len(self.links) + 1):
            if i == len(self.links) or self.links[i].mode != self.links[start].mode:
                legs.append(
                    Leg(self.links[start].mode, self.nodes[start : i + 1], self.links[start:i])
                )
                start = i
        return tuple(legs)

    @property
    def modes(self) -> tuple[str, ...]:
        """Mode of each leg, in order (``("rail", "sea")``)."""
        return tuple(leg.mode for leg in self.legs)

    def total(self, attribute: CostAttribute) -> float:
        """Sum of a link attribute (one of :data:`COST_ATTRIBUTES`) over the route.

        ``time_h`` is taken in the route's direction of travel (``reverse_time_h``).
        """
        if attribute == "time_h":
            return sum(lk.time_from(n) for lk, n in zip(self.links, self.nodes, strict=False))
        total: float = sum(getattr(lk, attribute) for lk in self.links)
        return total

    def to_dict(self) -> dict[str, Any]:
        """The documented JSON form of a route."""
        return {
            "nodes": list(self.nodes),
            "modes": list(self.modes),
            **{attr: round(self.total(attr), 3) for attr in COST_ATTRIBUTES},
            "cost": round(self.cost, 6),
            "links": [lk.id for lk in self.links],
            "legs": [leg.to_dict() for leg in self.legs],
        }


def _cost_function(by: LinkCost) -> Callable[[Link], float | None]:
    if callable(by):
        return by
    if by not in COST_ATTRIBUTES:
        raise NetworkError(
            [Problem("route", f"must be one of {', '.join(COST_ATTRIBUTES)}", None, "by", by)]
        )
    return lambda link: getattr(link, by)


def _graph(net: Network, modes: frozenset[str], by: LinkCost) -> nx.DiGraph[str]:
    """Directed graph of the allowed links, each pair joined by its cheapest link (cached)."""
    key = (modes, by) if isinstance(by, str) else None
    if key is not None and key in net.graph_cache:
        return net.graph_cache[key]
    cost_of = _cost_function(by)
    import networkx as nx

    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_nodes_from(net.nodes)
    for link in net.links.values():
        if link.mode not in modes:
            continue
        cost = cost_of(link)
        if cost is None:
            continue
        for u, v in ((link.from_id, link.to_id), (link.to_id, link.from_id)):
            if not graph.has_edge(u, v) or cost < graph.edges[u, v]["cost"]:
                graph.add_edge(u, v, cost=float(cost), link=link)
    if key is not None:
        net.graph_cache[key] = graph
    return graph


def _hint(node: str, nodes: Iterable[str]) -> str:
    """The closest node id, or with none close, where to find them all."""
    return did_you_mean(node, nodes) or " (corridor-sim network show NETWORK lists every node)"


def k_cheapest_routes(
    net: Network,
    origin: str,
    destination: str,
    by: LinkCost = "time_h",
    k: int = 1,
    modes: Iterable[str] | None = None,
) -> list[Route]:
    """Return up to ``k`` loopless routes from ``origin`` to ``destination``, cheapest first.

    Parameters
    ----------
    net : Network
        The network to route over.
    origin, destination : str
        Node ids.
    by : str or callable
        The cost of a link: one of :data:`COST_ATTRIBUTES`, or a function of a :class:`Link`
        returning a non-negative number (or ``None`` to forbid the link). Routes are ranked on
        an undirected graph: ``"time_h"`` prices a link by its ``time_h`` both ways, while each
        leg's :attr:`Leg.time_h` is in its direction of travel (``reverse_time_h``).
    k : int
        How many routes at most.
    modes : iterable of str, optional
        Allowed modes (default: all).

    Returns
    -------
    list of Route
        Empty when the destination cannot be reached with the allowed modes.

    Raises
    ------
    NetworkError
        For an unknown node or mode, a bad ``by`` or ``k`` outside [1, :data:`MAX_ROUTES`].

    Examples
    --------
    >>> from sim import load_network
    >>> net = load_network("networks/chongqing_asean")
    >>> route = k_cheapest_routes(net, "cq_tuanjiecun", "singapore", modes=["rail", "sea"])[0]
    >>> route.modes
    ('rail', 'sea')
    """
    allowed = frozenset(LINK_MODES if modes is None else modes)
    problems = [
        Problem("route", "unknown node" + _hint(node, net.nodes), None, name, node)
        for name, node in (("from", origin), ("to", destination))
        if node not in net.nodes
    ]
    expected = f"unknown mode, expected one of {', '.join(LINK_MODES)}"
    problems += [
        Problem("route", expected, None, "modes", m) for m in sorted(allowed - set(LINK_MODES))
    ]
    if not 1 <= k <= MAX_ROUTES:
        problems.append(Problem("route", f"must be in [1, {MAX_ROUTES}]", None, "k", k))
    if problems:
        raise NetworkError(problems)
    import networkx as nx  # 0.3 s to import: only when a route is asked for

    graph = _graph(net, allowed, by)
    if origin == destination or not nx.has_path(graph, origin, destination):
        return []
    paths = islice(nx.shortest_simple_paths(graph, origin, destination, weight="cost"), k)
    routes = []
    for path in paths:
        edges = [graph.edges[u, v] for u, v in pairwise(path)]
        routes.append(
            Route(tuple(path), tuple(e["link"] for e in edges), sum(e["cost"] for e in edges))
        )
    return routes
