"""The reference in docs/ says what the code does, and the repository refers only to its own files.

Each page is checked against the code it documents, so that neither can change without the
other: the network columns against the loader, the scenario keys against the key specification
the loader reads with (types, defaults and rules too), the seeds/ formats against their readers
and the shipped files, the tables against the recorder and a run, and the API and CLI pages
against what ``docs/make_docs.py`` generates from the code. (The KPI list has its own test,
``tests/test_kpi_glossary.py``.)
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import importlib.util
import inspect
import re
import subprocess
import tomllib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from conftest import ROOT
from mdtables import DOCS, code, headings, keys, read, section, table

import sim

#: Every page of docs/, and the README.
PAGES = [*sorted(p.name for p in DOCS.glob("*.md")), "../README.md"]

# --- generated pages: api.md and cli.md ----------------------------------------------------------


def _make_docs() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_docs", DOCS / "make_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", ["api.md", "cli.md"])
def test_each_generated_page_is_up_to_date(name):
    make_docs = _make_docs()
    text = read(name)
    assert make_docs.BEGIN in text, f"docs/{name} has lost its generated part"
    expected = make_docs.updated(text, make_docs.GENERATED[name]())
    assert text == expected, f"docs/{name} is out of date: run {make_docs.COMMAND}"


def test_the_api_page_documents_every_public_name_and_no_other():
    documented = {h.removeprefix("sim.") for h in headings(read("api.md")) if h.startswith("sim.")}
    assert documented == set(sim.__all__), (
        f"not in docs/api.md: {sorted(set(sim.__all__) - documented)}; "
        f"in docs/api.md but not in sim.__all__: {sorted(documented - set(sim.__all__))}"
    )


def test_the_cli_page_documents_every_command():
    from sim.cli import build_parser

    def commands(parser: argparse.ArgumentParser, prog: str) -> Iterator[str]:
        yield prog
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    yield from commands(sub, f"{prog} {name}")

    documented = {h for h in headings(read("cli.md")) if h.startswith("corridor-sim")}
    assert documented == set(commands(build_parser(), "corridor-sim"))


def _resolves(name: str) -> bool:
    """Whether a dotted ``sim.x.y`` name is a module or an attribute of one."""
    parts = name.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        try:
            for attr in parts[i:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return False
        return True
    return False


@pytest.mark.parametrize("page", PAGES)
def test_every_python_name_a_page_cites_exists(page):
    text = (DOCS / page).read_text(encoding="utf-8")
    names = set(re.findall(r"`(sim(?:\.\w+)+)", text))
    missing = sorted(n for n in names if not _resolves(n))
    assert not missing, f"docs/{page} cites names the package does not have: {missing}"


# --- network-format.md ---------------------------------------------------------------------------


def _literal_after(func: Any, pattern: str) -> Any:
    """The Python literal that ``pattern``'s group matches in the source of ``func``."""
    import ast

    match = re.search(pattern, inspect.getsource(func))
    assert match, f"{func.__qualname__} no longer matches {pattern!r}: update this test"
    return ast.literal_eval(match[1])


def test_the_network_page_has_every_column_and_key_of_the_loader():
    from sim.network import io
    from sim.network.checks import KIND_REQUIRES
    from sim.network.schema import LINK_MODES, NODE_KINDS

    text = read("network-format.md")
    assert keys(text, "nodes.csv", "column") == list(io._NODE_COLUMNS)
    links = keys(text, "links.csv", "column")
    assert sorted(links) == sorted(io._LINK_COLUMNS + io._LINK_OPTIONAL)
    folder = ROOT / "networks" / "chongqing_asean"
    for name, documented in (("nodes.csv", io._NODE_COLUMNS), ("links.csv", links)):
        header = (folder / name).read_text(encoding="utf-8").splitlines()[0].split(",")
        assert set(header) <= set(documented), name
    meta = _literal_after(io._read_meta, r"known = (\{[^}]*\})")
    assert set(keys(text, "meta.toml")) == meta
    assert set(keys(text, "[modes.<mode>]")) == {*io._MODE_KEYS, "source"}
    rows = {code(r["column"])[0]: r["rule"] for r in table(section(text, "nodes.csv"))}
    assert all(f"`{kind}`" in rows["kind"] for kind in NODE_KINDS)
    rows = {code(r["column"])[0]: r["rule"] for r in table(section(text, "links.csv"))}
    assert all(f"`{mode}`" in rows["mode"] for mode in LINK_MODES)
    needs = {
        code(r["kind"])[0]: tuple(tuple(code(part)) for part in r["must fill"].split(";"))
        for r in table(section(text, "nodes.csv").split("What each kind must fill")[1])
    }
    assert needs == KIND_REQUIRES


# --- scenario-format.md --------------------------------------------------------------------------

#: How the page names each kind of value of the key specification.
TYPES = {
    "str": "string",
    "int": "integer",
    "float": "number",
    "bool": "boolean",
    "date": "date",
    "when": "date or date-time",
    "strs": "list of strings",
    "floats": "list of numbers",
    "ints": "list of integers",
    "table": "table",
}


def _log_spec() -> dict[str, tuple]:
    """The ``[log]`` table's keys: ``spec.LOG`` if there is one, else the loader's inline table."""
    from sim.scenario import file_format as sp
    from sim.scenario import io

    if hasattr(sp, "LOG"):
        return sp.LOG
    return _literal_after(io.load_scenario, r'c\.read\("log", [^,]+, (\{.*?\})\)')


def _scenario_sections() -> dict[str, dict[str, tuple]]:
    """Each heading of scenario-format.md with a key table -> the specification it documents."""
    from sim.scenario import file_format as sp

    return {
        "Top level": sp.TOP,
        "[horizon]": sp.HORIZON,
        "[log]": _log_spec(),
        "[demand]": sp.DEMAND,
        "[demand.chain_scale]": sp.CHAIN_SCALE,
        "[demand.flows.<id>]": sp.FLOW,
        "[services.<id>]": sp.SERVICE,
        "[service_defaults.<family>]": sp.DEFAULTABLE,
        "[facilities.<node>]": sp.FACILITY,
        "[facilities.<node>.dwell_by_vehicle_h]": sp.DWELL_BY_VEHICLE,
        "[facilities.<node>.handling_by_vehicle_h]": sp.HANDLING_BY_VEHICLE,
        "[disruptions.<id>]": sp.DISRUPTION,
        "[random_disruptions.<id>]": sp.RANDOM_DISRUPTION,
        "[choice]": sp.CHOICE,
    }


#: Keys a section has beyond its specification: ``extends`` is read while files are merged.
_EXTRA = {"Top level": {"extends": ("str", None, None)}}


def _default(cell: str) -> Any:
    """A default as the page writes it: ``required``, ``—`` (unset), ``12 × `1.0```, or TOML."""
    from sim.scenario.checker import REQUIRED

    if cell == "required":
        return REQUIRED
    if cell.startswith("—"):
        return None
    if m := re.fullmatch(r"(\d+) × `(.+)`", cell):
        return [tomllib.loads(f"v = {m[2]}")["v"]] * int(m[1])
    return tomllib.loads(f"v = {cell.strip('`')}")["v"]


def _plain(value: Any) -> Any:
    """A default as the page gives it: tuples as lists; an empty table or tuple as unset."""
    if value in ({}, ()):
        return None
    return list(value) if isinstance(value, tuple) else value


def test_every_key_specification_of_the_loader_has_a_section():
    from sim.scenario import file_format as sp
    from sim.scenario.checker import WHAT

    def is_spec(v: Any) -> bool:
        return (
            isinstance(v, dict)
            and bool(v)
            and all(isinstance(x, tuple) and len(x) == 3 and x[0] in WHAT for x in v.values())
        )

    specs = {id(v) for v in vars(sp).values() if is_spec(v)}
    mapped = {id(v) for v in _scenario_sections().values()}
    names = [n for n, v in vars(sp).items() if is_spec(v) and id(v) not in mapped]
    assert specs <= mapped, (
        f"sim.scenario.file_format tables docs/scenario-format.md lacks: {names}"
    )


@pytest.mark.parametrize("title", list(_scenario_sections()))
def test_each_scenario_table_matches_the_key_specification(title):
    spec = {**_EXTRA.get(title, {}), **_scenario_sections()[title]}
    text = read("scenario-format.md")
    rows = {code(r["key"])[0]: r for r in table(section(text, title))}
    assert set(rows) == set(spec), (
        f"docs/scenario-format.md, {title}: missing {sorted(set(spec) - set(rows))}, "
        f"not in the loader {sorted(set(rows) - set(spec))}"
    )
    for key, (kind, default, rule) in spec.items():
        row = rows[key]
        assert row["type"] == TYPES[kind], f"{title} {key}: type"
        assert _default(row["default"]) == _plain(default), f"{title} {key}: default"
        if rule is not None:
            assert rule[1] in row["rule"], f"{title} {key}: rule should say {rule[1]!r}"
    prefix = title.strip("[]") + "." if title != "Top level" else ""
    titles = headings(text)
    for key, (kind, _, _) in spec.items():
        if kind == "table":
            assert any(h.startswith(f"[{prefix}{key}") for h in titles), f"[{prefix}{key}]?"


def test_the_scenario_page_names_the_chain_families_of_the_constants():
    from sim.scenario.vocabulary import CHAIN_FAMILIES

    text = read("scenario-format.md")
    assert keys(text, "[choice.asc_cny_per_teu]") == list(CHAIN_FAMILIES)


# --- targets-format.md ---------------------------------------------------------------------------


def _rows(text: str, title: str) -> dict[str, dict[str, str]]:
    return {code(r["key"])[0]: r for r in table(section(text, title))}


def _field_default(field: dataclasses.Field) -> Any:
    if field.default is not dataclasses.MISSING:
        return field.default
    return field.default_factory() if field.default_factory is not dataclasses.MISSING else None


def _seed(name: str) -> dict[str, Any]:
    return tomllib.loads((ROOT / "seeds" / name).read_text(encoding="utf-8"))


def test_the_targets_file_keys_are_those_of_the_reader():
    from sim.experiments import targets as v
    from sim.experiments.elasticity import ElasticityCheck

    text = section(read("targets-format.md"), "Targets file")
    top = v.TARGETS_FILE_KEYS
    assert set(_rows(text, "Top level")) == top
    rows = _rows(text, "[[targets]]")
    assert set(rows) == set(v.TARGET_KEYS)
    words = {str: "string", bool: "boolean", (int, float): "number"}
    words[(str, list)] = "string or list of strings"
    fields = {f.name: f for f in dataclasses.fields(v.Target)}
    for key, kind in v.TARGET_KEYS.items():
        assert rows[key]["type"] == words[kind], f"[[targets]] {key}: type"
        required = key in v.REQUIRED_TARGET_KEYS
        assert (rows[key]["default"] == "required") == required, f"[[targets]] {key}: default"
        if not required:
            value = _field_default(fields[key])
            assert _default(rows[key]["default"]) == _plain(value), f"[[targets]] {key}: default"
    rows = _rows(text, "[elasticity]")
    checks = {f.name: _field_default(f) for f in dataclasses.fields(ElasticityCheck)}
    assert set(rows) == set(checks)
    for key, value in checks.items():
        assert _default(rows[key]["default"]) == _plain(value), f"[elasticity] {key}: default"
    for name in ("targets_2019.toml", "targets_2018.toml"):
        data = _seed(name)
        assert set(data) <= top, name
        for target in data["targets"]:
            assert set(target) <= set(v.TARGET_KEYS), name


def test_the_calibration_factors_and_published_files_have_the_documented_keys():
    from sim.experiments.factors import FACTOR_KEYS as _RULES

    page = read("targets-format.md")
    calibration, factors = _seed("calibration.toml"), _seed("sensitivity_2019.toml")
    text = section(page, "Calibration file")
    assert set(_rows(text, "Top level")) == set(calibration)
    assert set(_rows(text, "[parameters.<name>]")) == set(_RULES) - {"mode"}
    assert set(_rows(text, "[[cases]]")) == {k for case in calibration["cases"] for k in case}
    for p in calibration["parameters"].values():
        assert set(p) <= set(_RULES) - {"mode"}
    assert set(factors) == {"factors"}
    assert set(_rows(page, "[factors.<name>]")) == set(_RULES)
    assert all(set(f) <= set(_RULES) for f in factors["factors"].values())
    chains = _seed("published_transit.toml")["chains"].values()
    assert set(_rows(page, "[chains.<id>]")) == {k for chain in chains for k in chain}


# --- tables.md -----------------------------------------------------------------------------------

_TYPE_WORDS = {"str": "text", "int64": "integer", "float": "number"}


def test_every_logged_table_is_documented_column_by_column():
    import numpy as np

    from sim.model.records import TABLE_COLUMNS, column_dtype

    text = read("tables.md")
    for name, columns in TABLE_COLUMNS.items():
        rows = table(section(text, name))
        assert [code(r["column"])[0] for r in rows] == list(columns), f"docs/tables.md, {name}"
        for row, column in zip(rows, columns, strict=True):
            dtype = column_dtype(column)
            word = _TYPE_WORDS["int64" if dtype is np.int64 else dtype.__name__]
            assert row["type"] == word, f"docs/tables.md, {name}.{column}: type"
            assert row["unit"], f"docs/tables.md, {name}.{column}: unit"


@pytest.fixture(scope="module")
def example_run():
    sc = sim.load_scenario(ROOT / "scenarios" / "example.toml")
    return sim.run(sc, seed=1, log_events=True)


@pytest.mark.parametrize("name", ["weekly", "utilisation", "chains", "kpis", "Event log"])
def test_each_derived_table_and_the_event_log_is_documented(example_run, name):
    from sim.results.output import event_log

    made = event_log(example_run) if name == "Event log" else example_run.table(name)
    columns = list(made)
    rows = table(section(read("tables.md"), name))
    assert [code(r["column"])[0] for r in rows] == columns, f"docs/tables.md, {name}"


# --- no reference to a file the repository does not contain --------------------------------------

#: A path into one of the repository's folders, as text cites it (templates such as
#: ``seeds/targets_<year>.toml`` and globs are left out).
_PATH = re.compile(
    r"(?<![\w./-])((?:\.\./)*(?:sim|seeds|scenarios|networks|docs|tests|benchmarks|examples|\.ci)"
    r"/[\w./-]*[\w/])(?![\w<*{])"
)
_MD_NAME = re.compile(r"(?<![\w/.-])([\w.-]+\.md)\b")
_TEXT = (".py", ".md", ".toml", ".csv", ".ipynb", ".txt", ".cfg")


def _repository_files() -> list[Path]:
    try:
        out = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    return [ROOT / line for line in out.splitlines() if (ROOT / line).is_file()]


def test_no_file_refers_to_a_file_the_repository_does_not_contain():
    files = _repository_files()
    names = {f.name for f in files}
    missing = []
    for path in files:
        if path.suffix not in _TEXT and path.name != "run":
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for ref in _PATH.findall(text):
            if not (ROOT / ref).exists() and not (path.parent / ref).exists():
                missing.append(f"{path.relative_to(ROOT)}: {ref}")
        for name in _MD_NAME.findall(text):
            if name not in names:
                missing.append(f"{path.relative_to(ROOT)}: {name}")
    assert not missing, "references to files the repository does not contain:\n" + "\n".join(
        missing
    )


def _slug(title: str) -> str:
    """A heading's anchor as GitHub makes it."""
    return re.sub(r"[^\w\- ]", "", title.lower()).replace(" ", "-")


@pytest.mark.parametrize("page", PAGES)
def test_every_link_of_a_page_resolves(page):
    path = DOCS / page
    text = path.read_text(encoding="utf-8")
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if target.startswith(("http://", "https://")):
            continue
        file, _, anchor = target.partition("#")
        linked = (path.parent / file).resolve() if file else path
        if not linked.exists():
            broken.append(target)
        elif anchor and linked.suffix == ".md":
            titles = headings(linked.read_text(encoding="utf-8"))
            if anchor not in {_slug(t) for t in titles}:
                broken.append(target)
    assert not broken, f"docs/{page}: links that lead nowhere: {broken}"
