"""The result of one replication: its tables, its KPIs and what made it."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property

import numpy as np

from sim.errors import ArgumentError
from sim.model.records import TABLE_COLUMNS
from sim.results.kpis import compute_kpis
from sim.results.tables import Table
from sim.scenario.schema import Scenario

__all__ = ["RunResult"]


class RunResult:
    """One replication of a scenario.

    Attributes
    ----------
    scenario : Scenario
        The scenario that was run.
    seed : int
        The run's seed.
    tables : mapping
        Table name -> column name -> numpy array (see :mod:`sim.model.records`); a run read
        from a folder reads each table when it is first used.
    streams : list of str
        Names of the random streams the run drew from (its seed tree).
    events : int
        SimPy events scheduled during the run.
    kpis : mapping, optional
        The KPIs, when already computed (a run folder's ``kpis.json``); else computed from the
        tables when first asked for.
    """

    def __init__(
        self,
        scenario: Scenario,
        seed: int,
        tables: Mapping[str, Mapping[str, np.ndarray]],
        streams: list[str],
        events: int = 0,
        kpis: Mapping[str, float] | None = None,
    ) -> None:
        self.scenario, self.seed, self.tables = scenario, seed, tables
        self.streams, self.events = streams, events
        if kpis is not None:  # computed when the run was written
            self._kpis = dict(kpis)

    @cached_property
    def _kpis(self) -> dict[str, float]:
        return compute_kpis(self.scenario, self.tables)

    def kpis(self) -> dict[str, float]:
        """Every KPI by its dotted name (a copy; ``docs/kpis.md`` lists the names)."""
        return dict(self._kpis)

    def table(self, name: str) -> Table:
        """A table: numpy columns that answer like a frame (``.to_pandas()`` makes it a DataFrame).

        ``name`` is one of the logged tables (``consignments``, ``departures``,
        ``facility_visits``, ``queue_lengths``, ``disruptions``, ``unserved``, ``legs`` -- the
        last only when the event log was on; :meth:`describe` lists them with their columns) or a
        derived one: ``weekly`` (:meth:`weekly`), ``utilisation`` (weekly busy share of every
        lane, track and berth), ``chains`` (weekly TEU by chosen chain, with the diverted part)
        or ``kpis`` (``kpi``, ``value``). ``consignments`` adds ``created_at`` and ``delivered_at``
        (China time; NaT while in the system) and ``door_to_door_h``. Export any of them with
        :func:`sim.results.tables.write_table`.
        """
        if name == "kpis":
            k = self.kpis()
            return Table.of({"kpi": list(k), "value": list(k.values())})
        if name == "weekly":
            return self.weekly()
        if name == "utilisation":
            from sim.results.utilisation import weekly_utilisation

            return Table.of(weekly_utilisation(self.scenario, self.tables))
        if name == "chains":
            from sim.results.chain_teu import weekly_chain_teu

            return Table.of(weekly_chain_teu(self.scenario, self.tables))
        if name not in self.tables:
            known = ", ".join(
                [
                    *(t for t in TABLE_COLUMNS if t in self.tables),
                    "weekly",
                    "utilisation",
                    "chains",
                    "kpis",
                ]
            )
            hint = " (run with the event log on)" if name == "legs" else ""
            raise ArgumentError(f"no table {name!r}{hint}; tables: {known}")
        columns = dict(self.tables[name])
        if name == "consignments":
            columns |= self._consignment_times(columns)
        return Table.of(columns)

    def _consignment_times(self, columns: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """``created_at`` and ``delivered_at`` (China time) and ``door_to_door_h``."""
        start = np.datetime64(self.scenario.horizon.start, "s")
        created, delivered = columns["created_h"], columns["delivered_h"]
        return {
            "created_at": start + np.round(created * 3600.0).astype("timedelta64[s]"),
            "delivered_at": np.where(
                np.isnan(delivered),
                np.datetime64("NaT"),
                start + np.round(np.nan_to_num(delivered) * 3600.0).astype("timedelta64[s]"),
            ),
            "door_to_door_h": delivered - created,
        }

    def weekly(self) -> Table:
        """Week by week: departures, TEU carried and load factor per service family.

        A tidy table (``.to_frame()`` makes it a DataFrame) with columns
        ``week``, ``week_start`` (ISO date), ``family``, ``departures``, ``teu`` and
        ``load_factor``.

        Examples
        --------
        >>> import sim
        >>> res = sim.run(sim.load_scenario("scenarios/example.toml"), seed=1)
        >>> w = res.weekly()
        >>> w["family"][:3].tolist(), str(w["week_start"][0])
        (['rail_sea', 'intl_rail', 'road'], '2019-01-01')
        """
        from sim.results.weekly import weekly_departures

        return Table.of(weekly_departures(self.scenario, self.tables))

    def describe(self) -> str:
        """The run's tables, each with its columns, one line each."""
        lines = [repr(self)]
        for name in TABLE_COLUMNS:
            if name in self.tables:
                columns = TABLE_COLUMNS[name]
                lines.append(f"  {name}: {', '.join(columns)}")
        lines.append("  derived: weekly, utilisation, chains, kpis (res.table(name))")
        return "\n".join(lines)

    def __repr__(self) -> str:
        n = len(self.tables["consignments"]["teu"])
        return f"RunResult(scenario={self.scenario.name!r}, seed={self.seed}, consignments={n})"
