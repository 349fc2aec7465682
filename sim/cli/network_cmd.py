"""``corridor-sim network check|show|export|route``: check, list, export and route a network."""

from __future__ import annotations

import argparse
from typing import Any

from sim.answers.text import format_table, printable
from sim.errors import SimError
from sim.fileio import json_text
from sim.network import COST_ATTRIBUTES, LINK_MODES, Network, load_network, write_geojson

__all__ = ["add_parser"]


def _dump(obj: Any) -> None:
    print(json_text(obj))


def _check(args: argparse.Namespace) -> int:
    net = load_network(args.network)
    by_kind, by_mode = net.count_nodes_by_kind(), net.count_links_by_mode()
    if args.json:
        _dump(
            {
                "network": net.name,
                "ok": True,
                "nodes": len(net.nodes),
                "links": len(net.links),
                "nodes_by_kind": by_kind,
                "links_by_mode": by_mode,
            }
        )
        return 0
    print(printable(f"{args.network}: ok ({net.title})"))
    print(f"{len(net.nodes)} nodes, {len(net.links)} links\n")
    print(format_table(["node kind", "count"], list(by_kind.items())))
    print()
    print(format_table(["link mode", "count"], list(by_mode.items())))
    return 0


def _capacity(node: Any) -> str:
    parts = [f"{n} {name}" for name in ("lanes", "tracks", "berths") if (n := getattr(node, name))]
    return ", ".join(parts)


def _show(args: argparse.Namespace) -> int:
    net = load_network(args.network)
    if args.json:
        _dump(net.to_dict())
        return 0
    print(printable(f"{net.title}\n"))
    rows = [
        [n.id, n.name, n.kind, n.country, n.lat, n.lon, _capacity(n)] for n in net.nodes.values()
    ]
    print(format_table(["id", "name", "kind", "country", "lat", "lon", "capacity"], rows))
    print()
    rows = [
        [lk.id, lk.from_id, lk.to_id, lk.mode, lk.distance_km, lk.time_h, lk.speed_kmh, lk.gauge_mm]
        for lk in net.links.values()
    ]
    print(
        format_table(
            ["id", "from", "to", "mode", "distance_km", "time_h", "speed_kmh", "gauge_mm"], rows
        )
    )
    return 0


def _export(args: argparse.Namespace) -> int:
    net = load_network(args.network)
    if not (args.geojson or args.map):
        raise SimError("network export: give --geojson FILE and/or --map FILE")
    if args.geojson:
        path = write_geojson(net, args.geojson)
        print(f"wrote {path} ({len(net.nodes)} points, {len(net.links)} lines)")
    if args.map:
        _write_map(net, args.map)
        print(f"wrote {args.map}")
    return 0


def _write_map(net: Network, path: str) -> None:
    from sim import plot
    from sim.cli.figures import save_figure

    save_figure(plot.network_map(net), path)


def _route(args: argparse.Namespace) -> int:
    net = load_network(args.network)
    modes = [m.strip() for m in args.modes.split(",") if m.strip()] if args.modes else None
    routes = net.routes(args.origin, args.destination, by=args.by, k=args.k, modes=modes)
    if args.json:
        _dump(
            {
                "from": args.origin,
                "to": args.destination,
                "by": args.by,
                "routes": [r.to_dict() for r in routes],
            }
        )
        return 0
    if not routes:
        print(f"no route from {args.origin} to {args.destination} with modes {args.modes or 'all'}")
        return 1
    for rank, route in enumerate(routes, 1):
        totals = ", ".join(f"{attr} {route.total(attr):,.1f}" for attr in COST_ATTRIBUTES)
        print(f"#{rank}  {' + '.join(route.modes)}  ({totals})")
        rows = [
            [leg.mode, " → ".join(leg.nodes), leg.distance_km, leg.time_h] for leg in route.legs
        ]
        print(format_table(["mode", "nodes", "distance_km", "time_h"], rows))
        print()
    return 0


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``network`` and its subcommands to the top-level parser."""
    network = commands.add_parser("network", help="check, show, export or route over a network")
    sub = network.add_subparsers(dest="network_command", metavar="ACTION", required=True)

    check = sub.add_parser("check", help="load a network, check every rule, print counts")
    check.add_argument("network", metavar="NETWORK", help="network folder")
    check.add_argument("--json", action="store_true", help="print the counts as JSON")
    check.set_defaults(handler=_check)

    show = sub.add_parser("show", help="print the nodes and links")
    show.add_argument("network", metavar="NETWORK", help="network folder")
    show.add_argument("--json", action="store_true", help='print {"nodes": [...], "links": [...]}')
    show.set_defaults(handler=_show)

    export = sub.add_parser("export", help="write the network as GeoJSON and/or a map figure")
    export.add_argument("network", metavar="NETWORK", help="network folder")
    export.add_argument("--geojson", metavar="FILE", help="GeoJSON file to write (RFC 7946)")
    export.add_argument("--map", metavar="FILE", help="map figure to write (.png or .svg)")
    export.set_defaults(handler=_export)

    route = sub.add_parser("route", help="the k cheapest routes between two nodes")
    route.add_argument("network", metavar="NETWORK", help="network folder")
    route.add_argument("origin", metavar="FROM", help="origin node id")
    route.add_argument("destination", metavar="TO", help="destination node id")
    route.add_argument("--modes", help=f"allowed modes, comma-separated ({','.join(LINK_MODES)})")
    route.add_argument("--by", default="time_h", choices=COST_ATTRIBUTES, help="cost to minimise")
    route.add_argument("--k", type=int, default=1, help="how many routes (default 1)")
    route.add_argument(
        "--json", action="store_true", help='print {"routes": [...]}, cheapest first'
    )
    route.set_defaults(handler=_route)
