"""Tables answer as a notebook user expects: rows counted, a short preview, pandas on request."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from conftest import ROOT
from hypothesis import given
from hypothesis import strategies as st

import sim
from sim.results.table import PREVIEW_ROWS, REPR_WIDTH, Table


@pytest.fixture(scope="module")
def result():
    sc = sim.load_scenario(ROOT / "scenarios" / "example.toml", overrides={"demand.scale": 0.3})
    return sim.run(sc, seed=2)


@given(rows=st.integers(0, 40), cols=st.integers(1, 30))
def test_len_and_shape_count_rows_and_the_preview_stays_short(rows, cols):
    t = Table.of({f"column_{j}": np.arange(rows) * 1.5 for j in range(cols)})
    assert len(t) == rows and t.shape == (rows, cols) and len(t.columns) == cols
    assert bool(t)  # a table with columns is truthy even with no rows, as a dict is
    text = repr(t)
    assert text.splitlines()[0].startswith(f"Table: {rows:,} rows x {cols} columns")
    assert len(text.splitlines()) == 2 + min(rows, PREVIEW_ROWS)
    assert all(len(line) <= REPR_WIDTH + 5 for line in text.splitlines()[1:])
    assert len(t.head(3)) == min(3, rows) and t.head(3).columns == t.columns


def test_a_notebook_shows_an_html_preview_with_the_size():
    t = Table.of({"port": ["Singapore", "<Haiphong>"] * 10, "teu": np.arange(20.0)})
    page = t._repr_html_()
    assert page.count("<tr>") == 1 + PREVIEW_ROWS and "&lt;Haiphong&gt;" in page
    assert "20 rows x 2 columns" in page and len(Table()) == 0 and not Table()


def test_the_departures_repr_is_a_preview_not_every_array(result):
    deps = result.table("departures")
    assert len(deps) == len(deps["teu"]) > PREVIEW_ROWS
    assert len(repr(deps)) < 1_000


def test_pandas_users_find_to_pandas(result):
    pd = pytest.importorskip("pandas")
    frame = result.table("departures").to_pandas()
    assert isinstance(frame, pd.DataFrame) and len(frame) == len(result.table("departures"))


def test_consignments_carry_dates_and_door_to_door(result):
    c = result.table("consignments")
    start = np.datetime64(dt.date(2019, 1, 1), "s")
    hours = (c["created_at"] - start) / np.timedelta64(1, "h")
    np.testing.assert_allclose(hours, c["created_h"], atol=1 / 3600)
    delivered = ~np.isnan(c["delivered_h"])
    assert delivered.any()
    np.testing.assert_allclose(c["door_to_door_h"], c["delivered_h"] - c["created_h"])
    assert np.isnat(c["delivered_at"][~delivered]).all()
    assert not np.isnat(c["delivered_at"][delivered]).any()


def test_summaries_are_tables(result):
    sc = result.scenario
    reps = sim.replicate(sc, n=2, seed=1, workers=sim.Workers(jobs=1))
    every = reps.summary()
    assert isinstance(every, Table) and every.columns == [
        "kpi",
        "mean",
        "std",
        "ci_low",
        "ci_high",
        "n",
    ]
    row = list(every["kpi"]).index("departures.road")
    assert every["mean"][row] == reps.summary("departures.road")["mean"]
    sweep = sim.sweep(sc, {"demand.scale": [0.5, 1.0]}, n=2, seed=1, workers=sim.Workers(jobs=1))
    by_point = sweep.summary("teu.created")
    assert isinstance(by_point, Table) and list(by_point["demand.scale"]) == [0.5, 1.0]
    assert by_point["mean"][0] < by_point["mean"][1]


def test_load_run_and_the_table_type_are_exported():
    assert sim.load_run.__module__ == "sim.results.load" and sim.load_runs is not None
    assert sim.Table is Table
