"""Read a network folder (``nodes.csv``, ``links.csv``, ``meta.toml``) into a checked Network.

Every cell is parsed and checked; every problem found in the three files is collected and raised
together as one :class:`~sim.errors.NetworkError`, each naming file, line, column, rule and value.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sim.errors import NetworkError, Problem
from sim.network.cells import COUNTRY, GAUGES, ID, UNREADABLE, Cells, NumberRule, read_rows
from sim.network.checks import check_network, read_extent
from sim.network.schema import LINK_MODES, NODE_KINDS, Link, ModeSpec, Network, Node
from sim.textio import parse_toml, read_text

__all__ = ["load_network"]

_NODE_COLUMNS = (
    "id",
    "name",
    "name_zh",
    "kind",
    "country",
    "lat",
    "lon",
    "lanes",
    "tracks",
    "berths",
    "handling_h",
    "clearance_h",
    "clearance_cv",
    "inspection_share",
    "inspection_h",
    "opening_hours",
    "source",
)
_LINK_COLUMNS = (
    "id",
    "from",
    "to",
    "mode",
    "distance_km",
    "time_h",
    "time_cv",
    "gauge_mm",
    "cost_cny_per_teu",
    "source",
)
_LINK_OPTIONAL = ("reverse_time_h", "paths_per_day", "other_trains_per_day", "co2_kg_per_teu_km")


def _read_nodes(path: Path, problems: list[Problem]) -> list[tuple[int, Node]]:
    nodes = []
    hours: NumberRule = {
        "check": lambda x: 0 <= x <= 8760,
        "rule": "must be in [0, 8760] h",
        "required": False,
    }
    positive_hours: NumberRule = {
        **hours,
        "check": lambda x: 0 < x <= 8760,
        "rule": "must be in (0, 8760] h",
    }
    for line, row in read_rows(path, _NODE_COLUMNS, problems):
        c = Cells(str(path), line, row, problems)
        count: NumberRule = {
            "check": lambda x: 1 <= x <= 10_000,
            "rule": "must be in [1, 10000]",
            "required": False,
        }
        node = Node(
            id=c.text("id", pattern=ID),
            name=c.text("name"),
            name_zh=c.text("name_zh", required=False),
            kind=c.choice("kind", NODE_KINDS),
            country=c.text("country", pattern=COUNTRY),
            lat=c.number("lat", lambda x: -90 <= x <= 90, "must be in [-90, 90]"),
            lon=c.number("lon", lambda x: -180 <= x <= 180, "must be in [-180, 180]"),
            lanes=c.number("lanes", integer=True, **count),
            tracks=c.number("tracks", integer=True, **count),
            berths=c.number("berths", integer=True, **count),
            handling_h=c.number("handling_h", **hours),
            clearance_h=c.number("clearance_h", **positive_hours),
            clearance_cv=c.number(
                "clearance_cv", lambda x: 0 <= x <= 3, "must be in [0, 3]", required=False
            ),
            inspection_share=c.number(
                "inspection_share", lambda x: 0 <= x <= 1, "must be in [0, 1]", required=False
            ),
            inspection_h=c.number("inspection_h", **hours),
            opening_hours=c.opening_hours(),
            source=c.source(),
        )
        nodes.append((line, node))
    return nodes


def _read_links(
    path: Path, modes: dict[str, ModeSpec], problems: list[Problem]
) -> list[tuple[int, Link]]:
    links = []
    for line, row in read_rows(path, _LINK_COLUMNS, problems, optional=_LINK_OPTIONAL):
        c = Cells(str(path), line, row, problems)
        mode = c.choice("mode", LINK_MODES)
        distance_km = c.number("distance_km", lambda x: 0 < x <= 50_000, "must be in (0, 50000]")
        gauge = c.text("gauge_mm", required=False)
        if gauge and gauge not in GAUGES:
            problems.append(
                Problem(str(path), f"must be one of {', '.join(GAUGES)}", line, "gauge_mm", gauge)
            )
        if gauge and mode and mode != "rail":
            problems.append(
                Problem(str(path), "only rail links have a gauge", line, "gauge_mm", gauge)
            )
        cost = c.number(
            "cost_cny_per_teu", lambda x: 0 <= x <= 1e7, "must be in [0, 1e7]", required=False
        )
        spec = modes.get(mode)
        if cost is None and spec is not None and distance_km is not None:
            cost = spec.cost_cny_per_teu_km * distance_km
        co2_km = c.number(
            "co2_kg_per_teu_km", lambda x: 0 <= x <= 1e4, "must be in [0, 10000]", required=False
        )
        if co2_km is None and spec is not None:
            co2_km = spec.co2_kg_per_teu_km
        co2 = (co2_km or 0.0) * (distance_km or 0.0)
        paths = c.number(
            "paths_per_day", lambda x: 0 < x <= 1440, "must be in (0, 1440]", required=False
        )
        others = c.number(
            "other_trains_per_day", lambda x: 0 <= x <= 1440, "must be in [0, 1440]", required=False
        )
        if (paths is not None or others) and mode and mode != "rail":
            problems.append(
                Problem(str(path), "only rail links have train paths", line, "paths_per_day", paths)
            )
        if others and paths is None:
            rule = "needs paths_per_day: other trains share the paths of a line"
            problems.append(Problem(str(path), rule, line, "other_trains_per_day", others))
        elif others and paths is not None and others >= paths:
            rule = f"must be below paths_per_day ({paths:g}), or no path is ever free"
            problems.append(Problem(str(path), rule, line, "other_trains_per_day", others))
        links.append(
            (
                line,
                Link(
                    id=c.text("id", pattern=ID),
                    from_id=c.text("from"),
                    to_id=c.text("to"),
                    mode=mode,
                    distance_km=distance_km or 0.0,
                    time_h=c.number("time_h", lambda x: 0 < x <= 8760, "must be in (0, 8760]")
                    or 0.0,
                    time_cv=c.number(
                        "time_cv", lambda x: 0 <= x <= 1, "must be in [0, 1]", required=False
                    )
                    or 0.0,
                    cost_cny_per_teu=cost or 0.0,
                    co2_kg_per_teu=co2,
                    gauge_mm=gauge or None,
                    reverse_time_h=c.number(
                        "reverse_time_h",
                        lambda x: 0 < x <= 8760,
                        "must be in (0, 8760]",
                        required=False,
                    ),
                    paths_per_day=paths,
                    other_trains_per_day=others or 0.0,
                    source=c.source(),
                ),
            )
        )
    return links


_MODE_KEYS = ("speed_kmh_min", "speed_kmh_max", "cost_cny_per_teu_km", "co2_kg_per_teu_km")


def _read_meta(path: Path, problems: list[Problem]) -> tuple[dict[str, Any], dict[str, ModeSpec]]:
    file = str(path)
    if not path.is_file():
        problems.append(Problem(file, "file is missing"))
        return {}, {}
    text = read_text(path, problems)
    if text is None:
        return {}, {}
    try:
        meta = parse_toml(text)
    except ValueError as exc:
        problems.append(Problem(file, str(exc)))
        return {}, {}
    for key in ("name", "title"):
        if not isinstance(meta.get(key), str) or not meta[key]:
            problems.append(
                Problem(file, "must be a non-empty string", column=key, value=meta.get(key))
            )
    known = {"name", "title", "crs", "year", "description", "hub", "map_extent", "modes"}
    for key in meta.keys() - known:
        problems.append(Problem(file, "unknown key", column=key))
    modes: dict[str, ModeSpec] = {}
    tables = meta.get("modes") or {}
    if not isinstance(tables, dict):
        problems.append(Problem(file, "must be a table of modes", column="modes", value=tables))
        tables = {}
    for mode, table in tables.items():
        if mode not in LINK_MODES:
            problems.append(
                Problem(file, f"unknown mode, expected one of {LINK_MODES}", column=f"modes.{mode}")
            )
            continue
        if not isinstance(table, dict):
            problems.append(Problem(file, "must be a table", column=f"modes.{mode}", value=table))
            continue
        values = {}
        for key in _MODE_KEYS:
            v = table.get(key)
            if isinstance(v, bool) or not isinstance(v, int | float) or not 0 <= v <= 1e4:
                rule, column = "must be a number in [0, 10000]", f"modes.{mode}.{key}"
                problems.append(Problem(file, rule, column=column, value=v))
            values[key] = float(v) if isinstance(v, int | float) else 0.0
        src = table.get("source")
        if not isinstance(src, str) or not ("http" in src or "assumption:" in src):
            problems.append(
                Problem(
                    file,
                    "must contain a URL or 'assumption: <reason>'",
                    column=f"modes.{mode}.source",
                    value=src,
                )
            )
        for key in table.keys() - {*_MODE_KEYS, "source"}:
            problems.append(Problem(file, "unknown key", column=f"modes.{mode}.{key}"))
        modes[mode] = ModeSpec(**values, source=src if isinstance(src, str) else "")
    return meta, modes


def load_network(path: str | Path) -> Network:
    """Load and check the network in folder ``path``.

    Parameters
    ----------
    path : str or Path
        A folder holding ``nodes.csv``, ``links.csv`` and ``meta.toml``.

    Returns
    -------
    Network
        The checked network.

    Raises
    ------
    NetworkError
        With every problem found in the three files (file, line, column, rule, value).

    Examples
    --------
    >>> net = load_network("networks/chongqing_asean")
    >>> net.nodes["qinzhou_port"].kind
    'seaport'

    """
    folder = Path(path)
    if not folder.is_dir():
        raise NetworkError([Problem(str(folder), "is not a network folder")])
    problems: list[Problem] = []
    meta, modes = _read_meta(folder / "meta.toml", problems)
    nodes = _read_nodes(folder / "nodes.csv", problems)
    links = _read_links(folder / "links.csv", modes, problems)
    extent = read_extent(str(folder / "meta.toml"), meta.get("map_extent"), problems)
    if not any(p.rule.startswith(UNREADABLE) for p in problems):  # all read: check across them
        check_network(folder, nodes, links, modes, meta.get("hub"), problems)
    if problems:
        raise NetworkError(problems)
    return Network(
        name=meta["name"],
        title=meta["title"],
        nodes={n.id: n for _, n in nodes},
        links={lk.id: lk for _, lk in links},
        modes=modes,
        path=str(folder),
        map_extent=extent,
    )
