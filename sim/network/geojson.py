"""GeoJSON (RFC 7946) form of a network: nodes as Points, links as LineStrings.

Coordinates are ``[lon, lat]`` in WGS 84, as RFC 7946 requires; every feature carries its record's
attributes as properties, plus ``feature`` = ``"node"`` or ``"link"``. The file loads in QGIS,
geopandas and any web map.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sim.fileio import write_json_atomic
from sim.network.schema import Network

__all__ = ["to_geojson", "write_geojson"]


def to_geojson(net: Network) -> dict[str, Any]:
    """Return the network as a GeoJSON FeatureCollection (a JSON-ready dict).

    Examples
    --------
    >>> from sim import load_network
    >>> gj = to_geojson(load_network("networks/chongqing_asean"))
    >>> gj["type"], gj["features"][0]["geometry"]["type"]
    ('FeatureCollection', 'Point')
    """
    features: list[dict[str, Any]] = []
    for node in net.nodes.values():
        props = {k: v for k, v in node.to_dict().items() if k not in ("lat", "lon")}
        features.append(
            {
                "type": "Feature",
                "id": node.id,
                "geometry": {"type": "Point", "coordinates": [node.lon, node.lat]},
                "properties": {"feature": "node", **props},
            }
        )
    for link in net.links.values():
        a, b = net.nodes[link.from_id], net.nodes[link.to_id]
        features.append(
            {
                "type": "Feature",
                "id": link.id,
                "geometry": {"type": "LineString", "coordinates": [[a.lon, a.lat], [b.lon, b.lat]]},
                "properties": {"feature": "link", **link.to_dict()},
            }
        )
    return {"type": "FeatureCollection", "name": net.name, "features": features}


def write_geojson(net: Network, path: str | Path) -> Path:
    """Write the network's GeoJSON to ``path`` atomically and return the path."""
    return write_json_atomic(path, to_geojson(net))
