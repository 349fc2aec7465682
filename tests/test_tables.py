"""Tables round-trip through CSV, Parquet and npz with the same columns, types and values."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import ROOT, same_rows

import sim
from sim.results.output import event_log
from sim.results.tables import read_table, write_table


@pytest.fixture(scope="module")
def result():
    sc = sim.load_scenario(ROOT / "scenarios" / "example.toml", overrides={"demand.scale": 0.3})
    return sim.run(sc, seed=2, log_events=True)


@pytest.mark.parametrize("fmt", ["csv", "parquet", "npz"])
def test_every_table_round_trips(result, tmp_path, fmt):
    if fmt == "parquet":
        pytest.importorskip("pyarrow")
    tables = {**result.tables, "events": event_log(result)}
    for name, table in tables.items():
        if not len(next(iter(table.values()))):
            continue  # an empty table has no values to type (e.g. no disruption in this run)
        back = read_table(write_table(table, tmp_path / f"{name}.{fmt}"))
        assert list(back) == list(table), name
        for col, values in table.items():
            assert back[col].dtype.kind == values.dtype.kind, (name, col)
            if values.dtype.kind == "f":
                np.testing.assert_array_equal(back[col], values)  # NaN where NaN, to the last bit
            else:
                assert back[col].tolist() == values.tolist(), (name, col)


def test_table_files_must_be_csv_parquet_or_npz(tmp_path):
    with pytest.raises(sim.SimError, match=r"must end in \.csv, \.parquet or \.npz"):
        write_table({"a": np.array([1])}, tmp_path / "t.xlsx")


def test_a_table_is_the_same_type_whatever_is_installed_and_becomes_a_dataframe(result):
    from sim.results.tables import Table

    table = result.table("departures")
    assert type(table) is Table and all(isinstance(v, np.ndarray) for v in table.values())
    assert {"service", "family", "depart_h", "arrive_h", "teu", "capacity_teu"} <= set(table)
    pd = pytest.importorskip("pandas")
    df = table.to_frame()
    assert isinstance(df, pd.DataFrame) and list(df.columns) == table.columns
    assert df["teu"].tolist() == table["teu"].tolist()


def test_derived_and_experiment_tables_are_tidy_and_export(result, tmp_path):
    pd = pytest.importorskip("pandas")
    util = result.table("utilisation").to_frame()
    assert list(util.columns) == ["node", "server", "servers", "week", "busy_share"]
    assert util["busy_share"].between(0, 1).all() and util["week"].min() == 1
    kpis = result.table("kpis")
    assert same_rows([dict(zip(kpis["kpi"], kpis["value"], strict=True))], [result.kpis()])
    sc = result.scenario
    reps = sim.replicate(sc, n=2, seed=1, workers=sim.Workers(jobs=1))
    table = reps.table().to_frame()
    assert list(table["replication"]) == [0, 1] and list(table["seed"]) == reps.seeds
    assert table["departures.road"].tolist() == reps.values("departures.road").tolist()
    comparison = sim.compare(sc, sc, n=2, seed=1, workers=sim.Workers(jobs=1), independent=False)
    diffs = comparison.table(["teu.created", "departures.road"]).to_frame()
    assert list(diffs["kpi"]) == ["teu.created", "departures.road"]
    assert (diffs["diff_mean"] == 0).all()  # the same scenario on the same seeds: no difference
    for frame, name in ((util, "util"), (table, "reps"), (diffs, "diffs")):
        for fmt in ("csv", "parquet"):
            back = pd.DataFrame(read_table(write_table(frame, tmp_path / f"{name}.{fmt}")))
            assert list(back.columns) == list(frame.columns)
            pd.testing.assert_frame_equal(back, frame.reset_index(drop=True), check_dtype=False)


@pytest.mark.parametrize("fmt", ["csv", "parquet", "npz"])
def test_a_data_frame_round_trips_whatever_its_column_names(tmp_path, fmt):
    pd = pytest.importorskip("pandas")
    if fmt == "parquet":
        pytest.importorskip("pyarrow")
    frame = pd.DataFrame({"node": ["youyiguan", "hekou"], "file": [1, 2], "arr_0": [0.5, 1.5]})
    back = read_table(write_table(frame, tmp_path / f"t.{fmt}"))
    assert list(back) == ["node", "file", "arr_0"]
    assert back["node"].tolist() == ["youyiguan", "hekou"] and back["node"].dtype.kind == "U"
    assert back["file"].tolist() == [1, 2] and back["arr_0"].tolist() == [0.5, 1.5]


def test_weekly_tables_of_one_run_and_of_replications(result):
    from sim.results.weekly import weekly

    one = result.weekly()
    one = {k: np.asarray(one[k]) for k in one}
    dep = result.tables["departures"]
    ran = dep["cancelled"] == 0
    whole = dep["depart_h"] < (result.scenario.horizon.length_h // 168) * 168
    assert one["departures"].sum() == (ran & whole).sum()  # every departure of a whole week
    assert one["teu"].sum() == pytest.approx(dep["teu"][ran & whole].sum())
    assert str(one["week_start"][0]) == "2019-01-01" and (np.diff(one["week"]) >= 0).all()
    many = weekly([result, result])
    assert next(iter(many)) == "replication" and len(many["week"]) == 2 * len(one["week"])


def test_a_run_describes_its_tables_as_they_are(result):
    lines = result.describe().splitlines()
    n = len(result.tables["consignments"]["teu"])
    assert lines[0] == repr(result) == f"RunResult(scenario='example', seed=2, consignments={n})"
    listed = {line.split(": ")[0].strip(): line.split(": ")[1].split(", ") for line in lines[1:-1]}
    assert listed == {name: list(table) for name, table in result.tables.items()}
    assert "legs" in listed and lines[-1].startswith("  derived: weekly, utilisation, chains, kpis")


def test_an_unknown_table_is_refused_naming_the_tables_there_are(result):
    with pytest.raises(sim.SimError, match=r"no table 'nope'; tables: consignments, .*, kpis$"):
        result.table("nope")
    quiet = sim.run(result.scenario, seed=2, log_events=False)
    with pytest.raises(sim.SimError, match=r"no table 'legs' \(run with the event log on\)"):
        quiet.table("legs")
