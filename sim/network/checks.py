"""Whole-network rules over the parsed rows of a network folder.

Unique ids, endpoints that exist, plausible speeds, what each kind of node must carry, and every
node reachable from the hub.

Cell-level rules (types, ranges) are checked while reading; see :mod:`sim.network.io`.
"""

from __future__ import annotations

from collections import Counter, deque
from pathlib import Path
from typing import Any

from sim.errors import Problem
from sim.network.schema import Link, ModeSpec, Node

__all__ = ["KIND_REQUIRES", "check_network", "read_extent"]

#: Columns a node of each kind must fill, as tuples of alternatives (any one of them will do).
KIND_REQUIRES: dict[str, tuple[tuple[str, ...], ...]] = {
    "rail_terminal": (("tracks",), ("handling_h",)),
    "road_terminal": (("lanes",), ("handling_h",)),
    "seaport": (("berths",), ("handling_h",)),
    "river_port": (("berths",), ("handling_h",)),
    "border_post": (("lanes", "tracks"), ("clearance_h",), ("clearance_cv",)),
    "lock": (("lanes",), ("clearance_h",)),
}


def read_extent(
    file: str, value: Any, problems: list[Problem]
) -> tuple[float, float, float, float] | None:
    """``meta.toml``'s ``map_extent``: ``[lon_min, lon_max, lat_min, lat_max]``, or None if unset.

    The box the network's maps show when nothing asks for more (the corridor, not every node).
    """
    if value is None:
        return None
    numbers = isinstance(value, list) and len(value) == 4
    numbers = numbers and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    if numbers:
        lon0, lon1, lat0, lat1 = (float(v) for v in value)
        if -180 <= lon0 < lon1 <= 180 and -90 <= lat0 < lat1 <= 90:
            return lon0, lon1, lat0, lat1
    rule = "must be [lon_min, lon_max, lat_min, lat_max], each min below its max, in degrees"
    problems.append(Problem(file, rule, column="map_extent", value=value))
    return None


def _check_duplicates(file: str, rows: list[tuple[int, Any]], problems: list[Problem]) -> None:
    seen = Counter(item.id for _, item in rows if item.id)
    for line, item in rows:
        if seen[item.id] > 1:
            problems.append(Problem(file, "duplicate id", line, "id", item.id))


def _check_kinds(file: str, nodes: list[tuple[int, Node]], problems: list[Problem]) -> None:
    for line, node in nodes:
        for alternatives in KIND_REQUIRES.get(node.kind, ()):
            if all(getattr(node, col) is None for col in alternatives):
                problems.append(
                    Problem(
                        file,
                        f"a {node.kind} node needs {' or '.join(alternatives)}",
                        line,
                        alternatives[0],
                        None,
                    )
                )


def _check_links(
    file: str,
    links: list[tuple[int, Link]],
    node_ids: set[str],
    modes: dict[str, ModeSpec],
    problems: list[Problem],
) -> None:
    for line, lk in links:
        for column, end in (("from", lk.from_id), ("to", lk.to_id)):
            if end and end not in node_ids:
                problems.append(Problem(file, "unknown node", line, column, end))
        if lk.from_id and lk.from_id == lk.to_id:
            problems.append(
                Problem(file, "a link must join two different nodes", line, "to", lk.to_id)
            )
        spec = modes.get(lk.mode)
        if lk.mode and spec is None:
            problems.append(
                Problem(
                    file, "mode has no [modes.<mode>] table in meta.toml", line, "mode", lk.mode
                )
            )
        elif spec and lk.distance_km > 0:
            for column, time_h in (("time_h", lk.time_h), ("reverse_time_h", lk.reverse_time_h)):
                if not time_h:
                    continue
                speed = lk.distance_km / time_h
                if not spec.speed_kmh_min <= speed <= spec.speed_kmh_max:
                    rule = (
                        f"implied speed distance_km/{column} must be in "
                        f"[{spec.speed_kmh_min:g}, {spec.speed_kmh_max:g}] km/h for {lk.mode}"
                    )
                    problems.append(Problem(file, rule, line, column, f"{speed:.1f} km/h"))


def _check_reachable(
    file: str,
    nodes: list[tuple[int, Node]],
    links: list[tuple[int, Link]],
    hub: str | None,
    problems: list[Problem],
) -> None:
    neighbours: dict[str, set[str]] = {n.id: set() for _, n in nodes if n.id}
    for _, lk in links:
        if lk.from_id in neighbours and lk.to_id in neighbours:
            neighbours[lk.from_id].add(lk.to_id)
            neighbours[lk.to_id].add(lk.from_id)
    if not neighbours:
        return
    if hub is None or hub not in neighbours:  # the largest group of joined nodes stands in
        seen: set[str] = set()
        groups: list[set[str]] = []
        for nid in neighbours:
            if nid not in seen:
                groups.append(_component(neighbours, nid))
                seen |= groups[-1]
        largest = max(groups, key=len)
        hub = next(n for n in neighbours if n in largest)  # the first in the file
    reached = _component(neighbours, hub)
    for line, node in nodes:
        if node.id and node.id not in reached:
            problems.append(
                Problem(file, f"node cannot be reached from {hub!r}", line, "id", node.id)
            )


def _component(neighbours: dict[str, set[str]], start: str) -> set[str]:
    """The nodes joined to ``start`` by links in either direction (breadth-first search).

    A search this small needs no graph library (networkx costs 0.3 s to import).
    """
    seen, frontier = {start}, deque([start])
    while frontier:
        for nxt in neighbours[frontier.popleft()] - seen:
            seen.add(nxt)
            frontier.append(nxt)
    return seen


def check_network(
    folder: Path,
    nodes: list[tuple[int, Node]],
    links: list[tuple[int, Link]],
    modes: dict[str, ModeSpec],
    hub: str | None,
    problems: list[Problem],
) -> None:
    """Append to ``problems`` every whole-network rule that ``nodes`` and ``links`` break.

    Parameters
    ----------
    folder : Path
        The network folder (for file names in the problems).
    nodes, links : list of (line, record)
        Parsed rows with their line numbers in ``nodes.csv`` and ``links.csv``.
    modes : dict
        Per-mode defaults from ``meta.toml``.
    hub : str or None
        Node every other node must be reachable from (``meta.toml: hub``); the largest connected
        component when not given.
    problems : list of Problem
        Where problems are appended.

    """
    nodes_file, links_file = str(folder / "nodes.csv"), str(folder / "links.csv")
    if hub is not None and hub not in {n.id for _, n in nodes}:
        problems.append(Problem(str(folder / "meta.toml"), "unknown node", None, "hub", hub))
        hub = None
    _check_duplicates(nodes_file, nodes, problems)
    _check_duplicates(links_file, links, problems)
    _check_kinds(nodes_file, nodes, problems)
    _check_links(links_file, links, {n.id for _, n in nodes}, modes, problems)
    _check_reachable(nodes_file, nodes, links, hub, problems)
