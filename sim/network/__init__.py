"""The corridor network: nodes, links, loading with checks, routing and GeoJSON export."""

from sim.network.geojson import to_geojson, write_geojson
from sim.network.io import load_network
from sim.network.routing import COST_ATTRIBUTES, Leg, Route, k_cheapest_routes
from sim.network.schema import LINK_MODES, NODE_KINDS, Link, ModeSpec, Network, Node

__all__ = [
    "COST_ATTRIBUTES",
    "LINK_MODES",
    "NODE_KINDS",
    "Leg",
    "Link",
    "ModeSpec",
    "Network",
    "Node",
    "Route",
    "k_cheapest_routes",
    "load_network",
    "to_geojson",
    "write_geojson",
]
