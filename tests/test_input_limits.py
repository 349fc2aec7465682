"""Inputs past the limits of the readers: one clear error (exit 2), never a traceback.

Deep nesting, numbers too long to read, loops of symbolic links, CSV cells over the csv module's
limit, ids that end in a newline, and a bad value for a facility's other traffic.
"""

from __future__ import annotations

import shutil

import pytest
from conftest import NETWORK_DIR, ROOT

EXAMPLE = ROOT / "scenarios" / "example.toml"


def child(tmp_path, body: str):
    path = tmp_path / "child.toml"
    path.write_text(f'name = "child"\nextends = "{EXAMPLE.as_posix()}"\n{body}', encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("x = " + "[" * 900 + "]" * 900 + "\n", "nests tables or arrays more than 32 deep"),
        ("[deep]\nv = " + "{a=" * 900 + "1" + "}" * 900 + "\n", "more than 32 deep"),
        ("seed = " + "9" * 5000 + "\n", "holds a number with more than 4,300 digits"),
        ('[demand.flows."x\\n"]\nteu_per_year = 1.0\n', "demand.flows"),
    ],
    ids=["deep array", "deep table", "5000 digits", "id with a newline"],
)
def test_a_scenario_past_the_readers_limits_is_one_clear_error(cli, tmp_path, body, fragment):
    got = cli("run", child(tmp_path, body))
    assert got.returncode == 2, got
    assert "Traceback" not in got.stderr and fragment in got.stderr, got.stderr
    assert len(got.stderr) < 2000  # the value is cut, not printed whole


@pytest.mark.parametrize(
    ("override", "fragment"),
    [
        ("seed=" + "9" * 5000, "holds a number with more than 4,300 digits"),
        ("x=" + "[" * 900 + "]" * 900, "more than 32 deep"),
        *[
            (f"facilities.youyiguan.background_per_day={v}", rule)
            for v, rule in [
                ("nan", "must be a number"),
                ("-1", "must be in [0, 100000]"),
                ("1e9", "must be in [0, 100000]"),
                ('"x"', "must be a number"),
                ("[]", "must be a number"),
                ("true", "must be a number"),
            ]
        ],
    ],
)
def test_a_bad_override_is_one_clear_error(cli, override, fragment):
    got = cli("run", EXAMPLE, "--set", override)
    assert got.returncode == 2 and "Traceback" not in got.stderr, got
    assert fragment in got.stderr, got.stderr


def test_extends_through_a_loop_of_links_is_named(cli, tmp_path):
    (tmp_path / "b.toml").symlink_to(tmp_path / "a.toml")
    (tmp_path / "a.toml").symlink_to(tmp_path / "b.toml")
    scenario = tmp_path / "s.toml"
    scenario.write_text('name = "s"\nextends = "a.toml"\n', encoding="utf-8")
    got = cli("run", scenario)
    assert got.returncode == 2 and "Traceback" not in got.stderr
    assert "extends: is a loop of symbolic links" in got.stderr


def test_a_csv_cell_over_the_csv_limit_is_one_problem_and_no_cascade(cli, tmp_path):
    net = tmp_path / "net"
    shutil.copytree(NETWORK_DIR, net)
    lines = (net / "nodes.csv").read_text(encoding="utf-8").splitlines()
    lines[2] += "x" * 200_000
    (net / "nodes.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    got = cli("network", "show", net)
    assert got.returncode == 2 and "Traceback" not in got.stderr
    assert "nodes.csv" in got.stderr and "cannot be read as CSV" in got.stderr
    assert "unknown node" not in got.stderr  # the links are not checked against unread nodes


def test_a_description_cannot_drive_the_terminal(cli, tmp_path):
    scenario = child(tmp_path, 'description = "mine\\u001b[2J\\u001b]0;owned\\u0007"\n')
    got = cli("run", scenario)
    assert got.returncode == 0, got.stderr
    assert "Question: mine[2J]0;owned\n" in got.stdout and "\x1b" not in got.stdout


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(cli, tmp_path):
    from sim.textio import MAX_FILE_BYTES

    huge = tmp_path / "huge.toml"
    with huge.open("wb") as fh:  # sparse: no disk used
        fh.truncate(MAX_FILE_BYTES + 1)
    got = cli("run", huge)
    assert got.returncode == 2 and "is larger than 64 MB" in got.stderr, got


def test_replications_are_capped_in_a_scenario_and_in_python_as_on_the_command_line(cli):
    import sim

    got = cli("run", EXAMPLE, "--set", f"replications={2**63 - 1}")
    assert got.returncode == 2 and "replications: must be in [1, 10000]" in got.stderr
    with pytest.raises(sim.ArgumentError, match="from 1 to 10,000"):
        sim.replicate(sim.load_scenario(EXAMPLE), n=2**63 - 1)


@pytest.mark.parametrize("cell", ["１２", "١٢", "1_0"])
def test_a_csv_number_is_written_in_ascii_digits(network_copy, cell):
    import sim
    from sim.errors import NetworkError

    path = network_copy / "links.csv"
    rows = path.read_text(encoding="utf-8").splitlines()
    first = rows[1].split(",")
    first[4] = cell  # distance_km
    rows[1] = ",".join(first)
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(NetworkError, match="distance_km: must be a number in ASCII digits"):
        sim.load_network(network_copy)


def test_a_name_with_a_control_character_is_refused(cli, tmp_path):
    path = tmp_path / "nul.toml"
    path.write_text(f'name = "a\\u0000b"\nextends = "{EXAMPLE.as_posix()}"\n', encoding="utf-8")
    got = cli("run", path)
    assert got.returncode == 2 and "name: must be printable text" in got.stderr


@pytest.mark.parametrize(
    "argv",
    [
        ["validate", EXAMPLE, "--targets", "{deep}"],
        ["sensitivity", EXAMPLE, "--factors", "{deep}", "--kpi", "teu.created", "--samples", "2"],
        ["calibrate", "{deep}"],
        ["validate", EXAMPLE, "--targets", "{digits}"],
    ],
    ids=["targets", "factors", "calibration", "digits"],
)
def test_every_toml_file_a_command_reads_has_the_same_limits(cli, tmp_path, argv):
    deep = tmp_path / "deep.toml"
    deep.write_text("x = " + "[" * 900 + "]" * 900 + "\n", encoding="utf-8")
    digits = tmp_path / "digits.toml"
    digits.write_text("year = " + "9" * 5000 + "\n", encoding="utf-8")
    got = cli(*[str(a).format(deep=deep, digits=digits) for a in argv])
    assert got.returncode == 2 and "Traceback" not in got.stderr, got
    assert "more than 32 deep" in got.stderr or "4,300 digits" in got.stderr, got.stderr


def test_an_out_folder_that_is_a_loop_of_links_is_named(cli, tmp_path):
    (tmp_path / "la").symlink_to(tmp_path / "lb")
    (tmp_path / "lb").symlink_to(tmp_path / "la")
    got = cli("run", EXAMPLE, "--out", tmp_path / "la")
    assert got.returncode == 2 and "is a loop of symbolic links" in got.stderr, got


def test_an_error_message_cannot_drive_the_terminal(cli, tmp_path):
    got = cli("run", child(tmp_path, '"evil\\u001b]0;owned\\u0007" = 1\n'))
    assert got.returncode == 2 and "\x1b" not in got.stderr and "evil]0;owned" in got.stderr


def test_a_value_of_time_for_a_commodity_no_flow_carries_is_refused(cli):
    scenario = ROOT / "scenarios" / "baseline_2019_choice.toml"
    got = cli("run", scenario, "--set", "choice.value_of_time_cny_per_teu_h.genral=5.0")
    assert got.returncode == 2
    assert "genral: no flow carries this commodity (they carry general)" in got.stderr


def test_a_table_linked_to_another_file_is_named_without_echoing_it(cli, tmp_path):
    net = tmp_path / "net"
    shutil.copytree(NETWORK_DIR, net)
    secret = tmp_path / "secret.csv"
    secret.write_text("hunter2,token\n1,2\n", encoding="utf-8")
    (net / "nodes.csv").unlink()
    (net / "nodes.csv").symlink_to(secret)
    got = cli("network", "check", net)
    assert got.returncode == 2, got
    assert f"a link to {secret}" in got.stderr and "is not this table" in got.stderr
    assert "hunter2" not in got.stderr and "unknown node" not in got.stderr  # no cascade
    assert len(got.stderr.splitlines()) == 2, got.stderr
