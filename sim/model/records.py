"""The run's log: flat records kept as columns (plain lists while running, numpy arrays after).

Tables (one row per observation, units in the column names; ``docs/tables.md`` gives each
column's type, unit and meaning):

``consignments``
    One row per consignment: ``consignment``, ``flow``, ``origin``, ``destination``,
    ``chain``, ``commodity``, ``teu``, ``created_h``, ``delivered_h`` (NaN while in the system),
    and the door-to-door breakdown (:data:`BREAKDOWN_COLUMNS`, summing to ``delivered_h -
    created_h``): ``waiting_h`` (for the first departure), ``transfer_wait_h`` (for the next
    departure at a transfer, e.g. a ship), ``dwell_h`` (yard and customs at transfers and at the
    destination), ``moving_h``, ``handling_h``, ``border_queue_h`` (queueing at posts and
    locks, and for a train path), ``inspection_h`` (clearance at posts and locks), plus
    ``missed_connections`` and ``rolled`` (departures that left full without it although it
    was ready for them, e.g. a full ship). Route choice adds
    ``market`` (empty for a flow outside every market), ``planned_flow`` (the flow it would
    have taken with no closure known), ``diverted`` (0/1: it took another), ``planned_h``
    (the door-to-door hours expected on the planned chain, NaN under fixed chains) and
    ``rechosen`` (how many times it changed chain while waiting).
``departures``
    One row per timetable slot or departure: ``service``, ``family``, ``vehicle`` (its number,
    0 for a cancelled slot), ``vehicle_kind`` (train, truck, ship or barge), ``depart_h``,
    ``arrive_h`` (NaN if cancelled), ``teu``, ``capacity_teu``, ``cancelled`` (0/1), ``extra``,
    ``rolled_teu`` (TEU ready for a timetabled departure that left full without them).
``facility_visits``
    One row per vehicle served at a border post, terminal, port or lock: ``node``, ``server``
    (lanes, tracks or berths), ``vehicle``, ``service``, ``arrive_h``, ``start_h``, ``end_h``,
    ``inspected`` (0/1). The facility's other traffic has rows too: service ``background``,
    vehicle -1, one row per modelled arrival (``background_batch`` vehicles).
``queue_lengths``
    The number of the corridor's vehicles waiting at a facility (arrived, not yet in service:
    queueing for a lane, track or berth, or holding one while the facility is shut), after every
    change: ``node``, ``time_h``, ``vehicles``, ``teu``. Background traffic is not in it.
``disruptions``
    Every closure or slow-down of the run, fixed or drawn at random: ``id``, ``target``,
    ``start_h``, ``end_h``, ``effect``, ``random`` (0/1).
``unserved``
    The vehicles still waiting for a server when the run ends (not in ``facility_visits``,
    whose rows are written when a service ends): ``node``, ``service`` (``background`` for the
    other traffic: ``background_batch`` vehicles a row), ``arrive_h``.
``line_visits``
    One row per train that took a path on a rail link with ``paths_per_day``: ``link``,
    ``node_from`` (the end it entered at), ``vehicle``, ``service`` (``background`` and vehicle
    -1 for the line's other trains), ``arrive_h`` (at the line), ``start_h`` (its path).
``capacity_changes``
    Each departure a week that an operator added or withdrew (services with ``respond``, see
    :mod:`sim.model.supply`): ``service``, ``decided_h``, ``effective_h`` (when the added
    departure first runs; a withdrawal takes effect at once), ``change`` (+1 added, -1
    withdrawn), ``per_week`` (departures a week after it), and what the review saw over its
    window: ``utilisation`` (TEU carried over the room scheduled) and ``rolled_share``.
``legs``
    (only when the event log is on) one row per consignment and service: ``consignment``,
    ``stage``, ``service``, ``vehicle``, ``node_from``, ``node_to``, ``ready_h``, ``depart_h``,
    ``arrive_h``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from sim.errors import ModelError

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario

__all__ = [
    "BACKGROUND",
    "BREAKDOWN_COLUMNS",
    "TABLE_COLUMNS",
    "TRIP_PARTS",
    "Recorder",
    "RunLog",
    "Tables",
    "TripPart",
    "column_dtype",
]

#: A run's tables, as :meth:`Recorder.tables` makes them: table -> column -> array.
Tables = Mapping[str, Mapping[str, np.ndarray]]


class RunLog(NamedTuple):
    """What one run leaves: scenario, seed, tables, random streams' names, SimPy events.

    :class:`sim.results.RunResult` reads KPIs and figures from it.
    """

    scenario: Scenario
    seed: int
    tables: Tables
    streams: list[str]
    events: int


#: The service name of a facility's other traffic in ``facility_visits`` (corridor KPIs skip it).
BACKGROUND = "background"


class TripPart(NamedTuple):
    """One part of a consignment's door-to-door time: its column, KPI name part and words."""

    column: str  #: the ``consignments`` column, hours
    part: str  #: the last name part of its KPIs (``breakdown_h.<...>.<part>``)
    label: str  #: what tables and figures call it


#: The parts of a consignment's door-to-door time, in the order of a trip; they add up to it.
TRIP_PARTS = (
    TripPart("waiting_h", "waiting", "waiting for the first departure"),
    TripPart("transfer_wait_h", "transfer_wait", "waiting at a transfer (e.g. for a ship)"),
    TripPart("dwell_h", "dwell", "yard and customs"),
    TripPart("moving_h", "moving", "moving"),
    TripPart("handling_h", "handling", "handling"),
    TripPart("border_queue_h", "border_queue", "queueing at posts and locks"),
    TripPart("inspection_h", "inspection", "clearance at posts and locks"),
)
#: The parts' columns (hours), in the order of a trip.
BREAKDOWN_COLUMNS = tuple(p.column for p in TRIP_PARTS)

TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "consignments": (
        "consignment",
        "flow",
        "origin",
        "destination",
        "chain",
        "commodity",
        "teu",
        "created_h",
        "delivered_h",
        *BREAKDOWN_COLUMNS,
        "missed_connections",
        "rolled",
        "market",
        "planned_flow",
        "diverted",
        "planned_h",
        "rechosen",
    ),
    "departures": (
        "service",
        "family",
        "vehicle",
        "vehicle_kind",
        "depart_h",
        "arrive_h",
        "teu",
        "capacity_teu",
        "cancelled",
        "extra",
        "rolled_teu",
    ),
    "facility_visits": (
        "node",
        "server",
        "vehicle",
        "service",
        "arrive_h",
        "start_h",
        "end_h",
        "inspected",
    ),
    "queue_lengths": ("node", "time_h", "vehicles", "teu"),
    "disruptions": ("id", "target", "start_h", "end_h", "effect", "random"),
    "unserved": ("node", "service", "arrive_h"),
    "line_visits": ("link", "node_from", "vehicle", "service", "arrive_h", "start_h"),
    "capacity_changes": (
        "service",
        "decided_h",
        "effective_h",
        "change",
        "per_week",
        "utilisation",
        "rolled_share",
    ),
    "legs": (
        "consignment",
        "stage",
        "service",
        "vehicle",
        "node_from",
        "node_to",
        "ready_h",
        "depart_h",
        "arrive_h",
    ),
}

_TEXT_COLUMNS = {
    "link",
    "vehicle_kind",
    "flow",
    "market",
    "planned_flow",
    "origin",
    "destination",
    "chain",
    "commodity",
    "service",
    "family",
    "node",
    "server",
    "node_from",
    "node_to",
    "id",
    "target",
    "effect",
}
_INT_COLUMNS = {
    "consignment",
    "vehicle",
    "cancelled",
    "extra",
    "inspected",
    "vehicles",
    "stage",
    "missed_connections",
    "rolled",
    "random",
    "diverted",
    "rechosen",
    "change",
    "per_week",
}


class Recorder:
    """Collects rows into per-table column lists; :meth:`tables` turns them into arrays."""

    def __init__(self, legs: bool = True) -> None:
        self.columns: dict[str, dict[str, list[Any]]] = {
            name: {col: [] for col in cols} for name, cols in TABLE_COLUMNS.items()
        }
        self.keep_legs = legs
        self._blocks: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLE_COLUMNS}

    def add(self, table: str, **row: Any) -> None:
        """Append one row: every column of ``table`` by name, and no other."""
        columns = self.columns[table]
        _same_columns(table, columns, row)
        for name, values in columns.items():
            values.append(row[name])

    def row_count(self, table: str) -> int:
        """The rows added one at a time to ``table`` so far (the next one's index)."""
        return len(next(iter(self.columns[table].values())))

    def update(self, table: str, row: int, **values: Any) -> None:
        """Set columns of a row added earlier (by its index), e.g. an arrival time once known."""
        columns = self.columns[table]
        for name, value in values.items():
            columns[name][row] = value

    def extend(self, table: str, block: dict[str, Any]) -> None:
        """Append many rows at once: a sequence or array per column, all of one length."""
        _same_columns(table, self.columns[table], block)
        self._blocks[table].append(block)

    def tables(self) -> dict[str, dict[str, np.ndarray]]:
        """Every table as a dict of numpy arrays (text as str arrays, counts as int64).

        Rows added one at a time come first, then the blocks in the order they were added.
        """
        out: dict[str, dict[str, np.ndarray]] = {}
        for name, cols in self.columns.items():
            if name == "legs" and not self.keep_legs:
                continue
            out[name] = {}
            for col, values in cols.items():
                parts = [values, *(block[col] for block in self._blocks[name])]
                out[name][col] = _column(col, parts)
        return out


def _same_columns(table: str, columns: Mapping[str, Any], row: Mapping[str, Any]) -> None:
    """Refuse a row or block of ``table`` that does not give exactly its columns (a model bug)."""
    if row.keys() != columns.keys():
        raise ModelError(
            f"{table}: a row needs the columns {', '.join(columns)}; got {', '.join(row)}"
        )


def column_dtype(name: str) -> Any:
    """The type of a logged column: ``str`` for text, ``int64`` for counts, else ``float``."""
    return str if name in _TEXT_COLUMNS else np.int64 if name in _INT_COLUMNS else float


def _column(name: str, parts: list[Any]) -> np.ndarray:
    """One column from its parts, with the column's type."""
    dtype = column_dtype(name)
    arrays = [np.asarray(p, dtype=dtype) for p in parts if len(p)]
    if not arrays:
        return np.empty(0, dtype=dtype)
    return arrays[0] if len(arrays) == 1 else np.concatenate(arrays)  # one part: no copy
