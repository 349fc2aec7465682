"""The ``corridor-sim network`` commands as a user types them, run through ``main``."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import NETWORK_DIR

NET = str(NETWORK_DIR)


def test_check_prints_counts_by_kind_and_mode(cli, network):
    out = cli("network", "check", NET)
    assert out.returncode == 0, out.stderr
    assert f"{len(network.nodes)} nodes, {len(network.links)} links" in out.stdout
    for mode, count in network.count_links_by_mode().items():
        assert any(line.split() == [mode, str(count)] for line in out.stdout.splitlines())
    data = json.loads(cli("network", "check", NET, "--json").stdout)
    assert data["ok"] is True and data["links_by_mode"] == network.count_links_by_mode()


def test_show_json_is_the_documented_shape(cli, network):
    data = json.loads(cli("network", "show", NET, "--json").stdout)
    assert len(data["nodes"]) == len(network.nodes)
    assert {"id", "name", "kind", "country", "lat", "lon"} <= set(data["nodes"][0])
    assert {"id", "from", "to", "mode", "distance_km"} <= set(data["links"][0])
    text = cli("network", "show", NET).stdout
    assert "qinzhou_port" in text and "distance_km" in text


def test_route_json_lists_cheapest_first(cli):
    out = cli(
        "network",
        "route",
        NET,
        "cq_tuanjiecun",
        "singapore",
        "--modes",
        "rail,sea",
        "--by",
        "time_h",
        "--k",
        "3",
        "--json",
    )
    assert out.returncode == 0, out.stderr
    routes = json.loads(out.stdout)["routes"]
    assert 1 <= len(routes) <= 3
    assert [r["time_h"] for r in routes] == sorted(r["time_h"] for r in routes)
    assert "qinzhou_port" in routes[0]["nodes"] and routes[0]["modes"] == ["rail", "sea"]
    text = cli("network", "route", NET, "cq_nanpeng", "hanoi", "--modes", "road").stdout
    assert text.startswith("#1  road") and "cq_nanpeng →" in text


def test_route_with_unknown_node_exits_2_without_traceback(cli):
    out = cli("network", "route", NET, "cq_nanpeng", "atlantis")
    assert out.returncode == 2
    assert (
        "to: unknown node (corridor-sim network show NETWORK lists every node), got 'atlantis'"
        in out.stderr
        and "Traceback" not in out.stderr
    )
    near = cli("network", "route", NET, "cq_nanpeng", "hanoi_city")
    assert "to: unknown node (did you mean 'hanoi'?), got 'hanoi_city'" in near.stderr


def test_no_route_says_so_and_exits_1(cli):
    by_river = ("network", "route", NET, "cq_nanpeng", "singapore", "--modes", "river")
    out = cli(*by_river)
    assert out.returncode == 1
    assert out.stdout == "no route from cq_nanpeng to singapore with modes river\n"
    data = json.loads(cli(*by_river, "--json").stdout)
    assert data == {"from": "cq_nanpeng", "to": "singapore", "by": "time_h", "routes": []}


def test_export_asks_for_a_file_to_write(cli):
    out = cli("network", "export", NET)
    assert out.returncode == 2 and "give --geojson FILE and/or --map FILE" in out.stderr


def test_console_script_and_module_are_the_same_program(cli):
    # The only tests of the installed entry points as processes: the script and ``python -m sim``.
    import shutil

    exe = shutil.which("corridor-sim")
    assert exe, "corridor-sim is not installed"
    a = subprocess.run([exe, "network", "check", NET], capture_output=True, text=True)
    b = subprocess.run(
        [sys.executable, "-m", "sim", "network", "check", NET], capture_output=True, text=True
    )
    c = cli("network", "check", NET)
    assert a.returncode == b.returncode == c.returncode == 0
    assert a.stdout == b.stdout == c.stdout
    bad = subprocess.run([exe, "network", "check", "no/such/folder"], capture_output=True)
    assert bad.returncode == 2  # the exit status reaches the shell


def test_help_does_not_import_matplotlib():
    code = (
        "import sys\nfrom sim.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n"
        "    pass\nprint('matplotlib' in sys.modules, file=sys.stderr)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stderr.strip() == "False"
