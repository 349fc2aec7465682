"""The packages of ``sim`` import one way: network → scenario → choice → model → results →
experiments → plot → answers → the front ends (cli, web).

Every import in every module counts, those inside functions too. The base modules (errors,
options, fileio, folders, shipped, textio) come first; the facade ``import sim`` is for the front
ends. The command line and the workbench are two front ends over the same answers: neither
imports the other, save the one command that starts the workbench.
"""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

ORDER = ("network", "scenario", "choice", "model", "results", "experiments", "plot", "answers")
FRONT_ENDS = ("cli", "web")
#: (module, what it may import against the order, why)
LAUNCHERS = {("sim.cli.serve_cmd", "sim.web.app"), ("sim.__main__", "sim.cli")}


def _rank(module: str) -> int | None:
    """The layer of a module of ``sim`` (None outside it; the facade ``sim`` is a front end's)."""
    parts = module.split(".")
    if parts[0] != "sim":
        return None
    if len(parts) == 1 or parts[1] in FRONT_ENDS:
        return len(ORDER) + 1
    return ORDER.index(parts[1]) + 1 if parts[1] in ORDER else 0


def _imports(path: Path) -> list[tuple[int, str]]:
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"sim.{a.name}" for a in node.names] if node.module == "sim" else []
            out += [(node.lineno, n) for n in names or [node.module]]
    return out


def _module(path: Path, root: Path) -> str:
    name = ".".join(path.relative_to(root).with_suffix("").parts)
    return name.removesuffix(".__init__")


def _against_the_order(root: Path = ROOT) -> list[str]:
    """Every import in ``root/sim`` against the order, as ``file:line imports module``."""
    bad = []
    for path in sorted((root / "sim").rglob("*.py")):
        me = _module(path, root)
        if me == "sim":  # the facade re-exports every layer, lazily
            continue
        mine = _rank(me)
        assert mine is not None
        for line, other in _imports(path):
            theirs = _rank(other)
            if theirs is None or (me, other) in LAUNCHERS:
                continue
            front = me.split(".")[1] if mine > len(ORDER) else None
            other_front = other.split(".")[1] if len(other.split(".")) > 1 else None
            crossing = front and other_front in FRONT_ENDS and other_front != front
            if theirs > mine or crossing:
                bad.append(f"{path.relative_to(root).as_posix()}:{line} imports {other}")
    return bad


def test_every_import_runs_one_way():
    assert _against_the_order() == []


def test_the_check_sees_an_import_against_the_order(tmp_path):
    assert _rank("sim.model.corridor") < _rank("sim.results.kpis") < _rank("sim.web.app")
    assert _rank("sim.cli.run_cmd") == _rank("sim.web.app") and _rank("numpy") is None
    for folder in ("model", "web", "results"):
        (tmp_path / "sim" / folder).mkdir(parents=True)
    (tmp_path / "sim" / "model" / "probe.py").write_text(
        "def f():\n    from sim.results.kpis import compute_kpis\n"
    )
    (tmp_path / "sim" / "web" / "probe.py").write_text("import sim.cli.run_cmd\nimport sim\n")
    (tmp_path / "sim" / "results" / "ok.py").write_text("from sim.model import records\n")
    model, web = ("/".join(("sim", folder, "probe.py")) for folder in ("model", "web"))
    assert _against_the_order(tmp_path) == [
        f"{model}:2 imports sim.results.kpis",
        f"{web}:1 imports sim.cli.run_cmd",
    ]
