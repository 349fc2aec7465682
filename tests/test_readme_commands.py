"""Every command the README and the guides show is one the CLI accepts as written, on real files.

Each ``$ corridor-sim ...`` (or ``python -m sim ...``) line of their console blocks is
parsed by the real argument parser, and the repository files it names must exist; the cheap
ones are run, from the repository's root, in this process through ``main`` (the rest take
minutes: 30 replications, calibration, sensitivity analysis).
"""

from __future__ import annotations

import re
import shlex

import pytest
from conftest import ROOT

from sim.cli import build_parser

#: Commands cheap enough to run in the suite, by their first words.
RUN = ("network check", "network route", "network show", "choice shares")


#: The README and the guides of docs/ (the generated reference pages show no console blocks).
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def _commands() -> list[str]:
    text = "\n".join(p.read_text(encoding="utf-8") for p in PAGES)
    out = []
    for block in re.findall(r"```console\n(.*?)```", text, re.S):
        lines = block.splitlines()
        for i, line in enumerate(lines):
            if not line.startswith("$ "):
                continue
            command = line[2:]
            while command.rstrip().endswith("\\"):  # a command continued on the next line
                i += 1
                command = command.rstrip()[:-1] + " " + lines[i].strip()
            out.append(command.split("  #")[0].split(" # ")[0].strip())
    return out


COMMANDS = _commands()


def test_the_readme_shows_commands():
    assert len(COMMANDS) >= 15 and any(c.startswith("corridor-sim compare") for c in COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_each_readme_command_parses_as_written(command):
    words = shlex.split(command)
    if words[:3] == ["python", "-m", "sim"]:
        words = ["corridor-sim", *words[3:]]
    assert words[0] == "corridor-sim", command
    if "..." in words:
        pytest.skip("a sketch with '...' for the options shown above it")
    build_parser().parse_args(words[1:])  # exits 2 on anything it does not accept
    for word in words[1:]:
        if re.match(r"(scenarios|seeds|networks)/", word):
            assert (ROOT / word).exists(), f"{command}: {word} does not exist"


@pytest.mark.parametrize("command", [c for c in COMMANDS if c.split(" ", 1)[1].startswith(RUN)])
def test_the_cheap_readme_commands_run(cli, command):
    res = cli(*shlex.split(command)[1:], cwd=ROOT)
    assert res.returncode == 0, (command, res.stderr[-1000:])
