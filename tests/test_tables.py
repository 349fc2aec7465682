"""Tables round-trip through CSV and Parquet with the same columns, types and values."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import ROOT

import sim
from sim.results.output import event_log
from sim.results.tables import read_table, write_table


@pytest.fixture(scope="module")
def result():
    sc = sim.load_scenario(ROOT / "scenarios" / "example.toml", overrides={"demand.scale": 0.3})
    return sim.run(sc, seed=2, log_events=True)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
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


def test_table_files_must_be_csv_or_parquet(tmp_path):
    with pytest.raises(sim.SimError, match=r"must end in \.csv or \.parquet"):
        write_table({"a": np.array([1])}, tmp_path / "t.xlsx")


def test_run_table_is_a_dataframe_with_pandas(result):
    pd = pytest.importorskip("pandas")
    df = result.table("departures")
    assert isinstance(df, pd.DataFrame)
    assert {"service", "family", "depart_h", "arrive_h", "teu", "capacity_teu"} <= set(df.columns)
