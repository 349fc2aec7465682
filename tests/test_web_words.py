"""The workbench speaks as a planner reads: every problem at once, places by name, no ids."""

from __future__ import annotations

import csv
import html
import io
import re

import pytest

pytest.importorskip("starlette", reason="the web extra is not installed")

from webkit import EXAMPLE, web_client

import sim
from sim.web.builder import build_scenario

CLOSE = {"d1.target": "youyiguan", "d1.effect": "close", "d1.start": "2019-02-01"}


def _errors(page: str) -> dict[str, list[str]]:
    """The messages beside the fields of a page, by field."""
    out: dict[str, list[str]] = {}
    for field, text in re.findall(r'data-field="([\w.]+)">([^<]*)<', page):
        out.setdefault(field, []).append(html.unescape(text))
    return out


def test_a_bad_name_hides_no_other_problem_and_messages_name_the_forms_fields(workspace):
    form = {"parent": "small", "name": "Bad Name!", **CLOSE, "d1.start": "2019-13-01"}
    form |= {"d1.days": "thirty", "demand.scale": "-1"}
    with web_client(workspace, start_jobs=False) as client:
        page = client.post("/builder", data=form).text
    errors = _errors(page)
    assert set(errors) == {"name", "d1.start", "d1.days", "demand.scale"}  # all in one round
    assert errors["d1.start"] == [
        "Closure 1 — start: must be a date or a local date-time, got '2019-13-01'"
    ]
    assert errors["d1.days"] == ["Closure 1 — days: must be a number, got 'thirty'"]
    assert errors["demand.scale"] == ["Scale all demand: must be in (0, 1000], got -1"]
    assert errors["name"][0].startswith("Name: must be lower-case letters")
    # Listed at the top as well, each linking to its field, in the form's order.
    top = page[page.index('id="problems"') : page.index("</ul>", page.index('id="problems"'))]
    assert "Not saved: 4 problems" in top
    assert re.findall(r'href="#f-([\w.]+)"', top) == ["name", "d1.start", "d1.days", "demand.scale"]
    shown = " ".join(m for ms in errors.values() for m in ms)
    for internal in (str(workspace), "scenarios/", ".toml", "planner_", "disruptions."):
        assert internal not in shown, internal
    assert not list((workspace / "scenarios").glob(".*"))  # no file left from the check


def test_a_closure_without_days_or_start_says_so_beside_those_fields(tmp_path):
    built = build_scenario({"name": "a", "d1.target": "youyiguan"}, tmp_path, EXAMPLE)
    assert built.errors == {
        "d1.start": ["Closure 1 — start: is required"],
        "d1.days": ["Closure 1 — days: is required: how many days it lasts"],
    }


def test_a_problem_a_field_brings_in_goes_beside_that_field(tmp_path):
    built = build_scenario({"name": "a", "choice.model": "logit"}, tmp_path, EXAMPLE)
    assert built.errors == {
        "choice.model": [
            "Route choice: a logit choice needs at least one market "
            "(choice.markets, a setting of example)"
        ]
    }


def test_the_target_list_names_places_grouped_with_the_ids_as_values(workspace):
    with web_client(workspace, start_jobs=False) as client:
        page = client.get("/builder?parent=small").text
    select = page[page.index('name="d1.target"') : page.index("</select>", page.index("d1.target"))]
    groups = re.findall(r'<optgroup label="([^"]+)"', select)
    assert groups[:2] == ["Border posts", "Seaports"]
    assert "Rail lines (closed both ways)" in groups and "Roads (closed both ways)" in groups
    options = dict(re.findall(r'<option value="(\w+)"[^>]*>([^<]+)</option>', select))
    assert options["youyiguan"] == "Youyiguan / Huu Nghi"
    assert options["rail_nanning_qinzhou_port"] == "Nanning – Qinzhou port"
    assert options["three_gorges"] == "Three Gorges ship locks"
    network = sim.load_scenario(EXAMPLE).network
    assert set(options) == {
        n.id for n in network.nodes.values() if n.kind not in ("junction", "city")
    } | set(network.links)
    assert not any(value == label for value, label in options.items())  # never a raw id


def test_placeholders_are_examples_and_blank_fields_say_what_they_keep(workspace):
    with web_client(workspace, start_jobs=False) as client:
        builder = client.get("/builder?parent=small").text
        run = client.get("/run?scenario=small").text
        compare = client.get("/compare?alt=small").text
    for page in (builder, run, compare):
        placeholders = re.findall(r'placeholder="([^"]*)"', page)
        assert all(p == "" or p.startswith("e.g. ") for p in placeholders), placeholders
    small = sim.load_scenario(workspace / "scenarios" / "small.toml")
    assert f"blank: the parent&#39;s, {small.seed}" in builder
    assert f"blank: the parent&#39;s, {small.horizon.end}" in builder


def test_replications_default_to_the_scenarios_own_and_say_so(workspace):
    own = sim.load_scenario(workspace / "scenarios" / "small.toml").replications
    assert own != 3  # the example's own, not the form's old default
    with web_client(workspace, start_jobs=False) as client:
        run = client.get("/run?scenario=small").text
        assert re.search(rf'name="replications" value="{own}"', run)
        assert f'default: the scenario&#39;s own number, <span id="own-replications">{own}<' in run
        compare = client.get("/compare?alt=small").text
        assert re.search(rf'name="replications" value="{own}"', compare)
        assert "the alternative&#39;s own number" in compare
        # Left blank: the scenario's own, as sim.replicate runs it.
        form = {"scenario": "small", "replications": "", "executor": "serial"}
        r = client.post("/run", data=form, follow_redirects=False)
        assert r.status_code == 303 and client.app.state.wb.jobs.all()[0].n == own


def test_where_to_run_is_in_plain_words_under_advanced(workspace):
    from sim.options import EXECUTORS
    from sim.web.run_form import WHERE

    assert set(WHERE) == set(EXECUTORS)
    with web_client(workspace, start_jobs=False) as client:
        page = client.get("/run?scenario=small").text
        advanced = page[page.index('<details class="advanced"') : page.index("</details>")]
        assert '<details class="advanced">' in page  # closed: nothing to see there
        assert "<summary>Advanced: where to run</summary>" in advanced
        for name in ("executor", "address", "jobs"):
            assert f'name="{name}"' in advanced and f'name="{name}"' not in page.replace(
                advanced, ""
            )
        assert ">this machine, on every core</option>" in advanced
        assert ">a cluster (Dask)</option>" in advanced
        assert "Executor" not in page and ">Dask scheduler" not in page
        bad = {"scenario": "small", "executor": "serial", "address": "tcp://h:8786"}
        page = client.post("/run", data=bad).text
        assert '<details class="advanced" open>' in page  # its problem is not hidden
        assert _errors(page)["address"][0].startswith("Cluster address: only for runs on a cluster")


def test_the_library_says_what_changed_in_words_with_place_names(workspace):
    made = build_scenario(
        {"name": "shut", **CLOSE, "d1.days": "30", "demand.scale": "0.4"},
        workspace / "scenarios",
        workspace / "scenarios" / "small.toml",
    )
    assert made.ok, made.errors
    with web_client(workspace, start_jobs=False) as client:
        page = client.get("/").text
    row = page[page.index('id="sc-shut"') : page.index("</tr>", page.index('id="sc-shut"'))]
    assert "Youyiguan / Huu Nghi closed from 2019-02-01 to 2019-03-03" in row
    assert "all demand: ×0.2 → ×0.4" in row
    cells = " ".join(re.findall(r'<td class="diff">(.*?)</td>', page, re.S))
    assert not re.search(r"\b(demand|disruptions|services|facilities|horizon)\.\w", cells)


def test_a_flows_change_reads_as_its_places_and_chain():
    from sim.web.changes import change_lines

    scenario = sim.load_scenario(EXAMPLE)
    months = [1.0] * 12
    diff = [("demand.flows.cq_hanoi_rail.seasonality", months, [0.0, *months[1:]])]
    assert change_lines(scenario, diff) == [
        "Chongqing Tuanjiecun → Hanoi Gia Lam, international rail: "
        "monthly profile [1, 1, 1, …] → [0, 1, 1, …]"
    ]


def test_the_kpi_csv_labels_a_closure_by_its_place_and_dates(tmp_path):
    from sim.web import results

    made = build_scenario({"name": "shut", **CLOSE, "d1.days": "30"}, tmp_path, EXAMPLE)
    assert made.ok and made.path is not None
    scenario = sim.load_scenario(made.path)
    stats = {
        "backlog.planner_1.cleared_h": {"mean": 50.0, "ci_low": 40.0, "ci_high": 60.0, "n": 3},
        "border_wait_h.youyiguan.mean": {"mean": 6.5, "ci_low": 6.0, "ci_high": 7.0, "n": 3},
    }
    rows = list(csv.DictReader(io.StringIO(results.kpi_csv(stats, scenario))))
    labels = {row["kpi"]: row["label"] for row in rows}  # the names stay; a label says them
    assert labels == {
        "backlog.planner_1.cleared_h": (
            "Youyiguan / Huu Nghi closed from 2019-02-01 to 2019-03-03: "
            "hours until its backlog is served (h)"
        ),
        "border_wait_h.youyiguan.mean": "wait at Youyiguan / Huu Nghi, mean (h)",
    }
    assert float(rows[0]["mean"]) == 50.0
