"""Fuzz the inputs: generated bad scenarios, network folders and command lines, each run under a
time and memory budget, counted by outcome.

Run from the repository root (2 cores: about 10 minutes for the full run)::

    python benchmarks/fuzz_inputs.py                       # 2,000 scenario, 500 network cases
    python benchmarks/fuzz_inputs.py --scenarios 50 --networks 20 --seed 3

Each case runs ``corridor-sim`` in a forked process with ``--no-events``, a wall-clock budget and
an address-space limit (4 GB: a legitimate run of a few hundred thousand consignments reserves
more address space than it uses). Outcomes:

- ``ok``: exit 0, and no non-finite or out-of-range number was put in;
- ``refused``: exit 2, one error on stderr, no traceback (what a bad input must give);
- ``accepted_bad_number``: exit 0 although a non-finite or huge number was put in;
- ``traceback``, ``hang`` (over the time budget), ``memory`` (over the memory budget), ``other``.

Every case that is not ``ok`` or ``refused`` is printed with how to reproduce it. The exit status
is 1 when there is any. ``tests/test_fuzz.py`` runs a quick subset.

Besides the mutations of values, bytes and headers, the scenario cases include the audit's
(:data:`AUDIT_MUTATIONS`: deep nesting, numbers too long to read, ids with a newline or a
look-alike letter, a date-time where a date is due, a key twice, a path that is a fifo, a loop
of links, a folder or a device), the network cases a CSV cell over 128 KB and a file that is a
link to another; and ``--concurrent N`` trials start two sweeps of other grids into one folder
at once (``ok``: one runs, the other exits 2, the folder holds one experiment).
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import io
import os
import random
import resource
import select
import shutil
import signal
import sys
import tempfile
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.network.schema import Link, Node

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "example.toml"
NETWORK = ROOT / "networks" / "chongqing_asean"
#: Values a mutation puts in place of a key's value (TOML text).
VALUES = [
    "[]",
    "{}",
    '""',
    "-1",
    "0",
    "1e300",
    "-1e300",
    "nan",
    "inf",
    "-inf",
    "1e-300",
    "true",
    "9999-12-31",
    "0001-01-01",
    '"24:10-24:50"',
    '"ü€😀"',
    f'"{"x" * 100_000}"',
    "[" + ", ".join(["1"] * 1000) + "]",
    '["a", 1]',
    "2147483648",
    "1.5",
    '"mon"',
    "[1e300]",
    "{ ship = -1 }",
    "[0.000001]",
    '"08:00-07:00"',
    "1000000",
    "0.0001",
]
BAD_NUMBERS = {"1e300", "-1e300", "nan", "inf", "-inf", "[1e300]"}
#: The network columns that hold numbers (a huge or non-finite one must be refused).
NUMBER_COLUMNS = {
    f.name
    for cls in (Node, Link)
    for f in dataclasses.fields(cls)
    if str(f.type).startswith(("float", "int"))
}
#: Values a mutation puts in a network CSV cell.
CELLS = [
    "",
    "nan",
    "inf",
    "-inf",
    "-1",
    "0",
    "1e300",
    "1e-300",
    "x" * 100_000,
    "ü€😀",
    "24:10-24:50",
    "17:00-08:00",
    "1,2",
    '"',
    "\x00",
    "NaN",
    "  ",
    "999999999999",
]


@dataclass
class Case:
    """One generated input: the command to run and what was done to the input."""

    kind: str
    what: str
    argv: list[str]
    bad_number: bool = False


# -- cases -------------------------------------------------------------------------------------
def _keys(table: dict[str, Any], prefix: str = "") -> Iterator[str]:
    for k, v in table.items():
        yield prefix + k
        if isinstance(v, dict):
            yield from _keys(v, f"{prefix}{k}.")


#: What can happen to a file's bytes: a spreadsheet's byte-order mark, Windows line ends, a byte
#: that is not UTF-8, a NUL, a file cut short.
BYTE_MUTATIONS = ("bom", "crlf", "byte", "nul", "cut")


def mutate_bytes(data: bytes, how: str, rng: random.Random) -> bytes:
    """``data`` after one of :data:`BYTE_MUTATIONS`."""
    if how == "bom":
        return b"\xef\xbb\xbf" + data
    if how == "crlf":
        return data.replace(b"\n", b"\r\n")
    at = rng.randrange(len(data))
    if how == "cut":
        return data[:at]
    return data[:at] + (b"\xff" if how == "byte" else b"\x00") + data[at:]


#: The audit's mutations of a scenario file (issue 25): deep nesting, numbers too long to read,
#: ids with a newline or a look-alike letter, a date-time where a date is due, a key twice, and
#: a path that is no regular file.
AUDIT_MUTATIONS = (
    "deep",
    "digits",
    "newline id",
    "homoglyph id",
    "datetime",
    "key twice",
    "special path",
)


def audit_mutation(text: str, how: str, rng: random.Random) -> str:
    """The scenario ``text`` after one of :data:`AUDIT_MUTATIONS` (special paths: unchanged)."""
    depth = rng.choice([33, 200, 900, 3000])
    if how == "deep":
        value = rng.choice(["[" * depth + "]" * depth, "{a=" * depth + "1" + "}" * depth])
        return text + f"\n[deep]\nv = {value}\n"
    if how == "digits":
        return text.replace("seed = ", "seed = " + "9" * rng.choice([4301, 5000, 100_000]), 1)
    if how == "newline id":
        return text + '\n[demand.flows."x\\n"]\nteu_per_year = 1.0\n'
    if how == "homoglyph id":
        return text + '\n[demand.flows."r\u0430il"]\nteu_per_year = 1.0\n'  # Cyrillic a
    if how == "datetime":
        return text.replace("start = 2019-", "start = 2019-01-01T00:00:00\n# ", 1)
    if how == "key twice":
        return text.replace("[horizon]", "[horizon]\nwarmup_days = 1.0\nwarmup_days = 2.0", 1)
    return text


def special_path(path: Path, rng: random.Random) -> str:
    """A path that is no regular file: a fifo, a loop of symbolic links, a folder or a device."""
    how = rng.choice(["fifo", "loop", "folder", "device"])
    if how == "fifo":
        os.mkfifo(path)
    elif how == "loop":
        other = path.with_name(path.name + "_b")
        path.symlink_to(other)
        other.symlink_to(path)
    elif how == "folder":
        path.mkdir()
    else:
        return "/dev/zero"
    return str(path)


def scenario_cases(n: int, rng: random.Random, folder: Path) -> Iterator[Case]:
    """``n`` mutations of scenarios/example.toml: a key's value, the file's bytes, its extends."""
    text = SCENARIO.read_text(encoding="utf-8").replace(
        'network = "../networks/chongqing_asean"', f'network = "{NETWORK}"'
    )
    keys = list(_keys(tomllib.loads(text)))
    for i in range(n):
        path = folder / f"s{i}.toml"
        roll = rng.random()
        if roll < 0.8:  # a value through --set (TOML parsing and every rule)
            key, value = rng.choice(keys), rng.choice(VALUES)
            path.write_text(text, encoding="utf-8")
            argv = ["run", str(path), "--no-events", "--set", f"{key}={value}"]
            yield Case("scenario", f"--set {key}={value[:40]}", argv, value in BAD_NUMBERS)
            continue
        data = text.encode()
        how = rng.choice([*BYTE_MUTATIONS, "twice", "extends", "unknown", *AUDIT_MUTATIONS])
        if how in BYTE_MUTATIONS:
            data = mutate_bytes(data, how, rng)
        elif how == "twice":
            data = data + b"\n[horizon]\nstart = 2019-01-01\n"
        elif how == "extends":
            data = f'extends = "{rng.choice(["s0.toml", path.name, "/etc/passwd", ""])}"\n'.encode()
            data += text.encode()
        elif how in AUDIT_MUTATIONS:
            data = audit_mutation(text, how, rng).encode()
        else:
            data = data.replace(b"[horizon]", b"[horizon]\nsurprise = 1", 1)
        path.write_bytes(data)
        argv = ["run", str(path), "--no-events"]
        if how == "special path":  # the scenario named by a fifo, a loop of links or a device
            argv[1] = special_path(folder / f"p{i}", rng)
        yield Case("scenario", f"file: {how}", argv)


def network_cases(n: int, rng: random.Random, folder: Path) -> Iterator[Case]:
    """``n`` mutations of the shipped network: a CSV cell or header, the bytes, meta.toml."""
    for i in range(n):
        net = folder / f"n{i}"
        shutil.copytree(NETWORK, net)
        name = rng.choice(["nodes.csv", "links.csv", "meta.toml"])
        path = net / name
        data = path.read_bytes()
        roll = rng.random()
        if name != "meta.toml" and roll < 0.6:
            lines = data.decode("utf-8").split("\n")
            header = lines[0].split(",")
            row = rng.randrange(1, len(lines) - 1)
            col = rng.randrange(len(header))
            value = rng.choice(CELLS)
            cells = _split_row(lines[row])
            if col < len(cells):
                cells[col] = f'"{value}"' if "," in value else value
            lines[row] = ",".join(cells)
            what = f"{name}:{row + 1} {header[col]}={value[:30]!r}"
            bad = header[col] in NUMBER_COLUMNS and value in (
                "nan",
                "inf",
                "-inf",
                "1e300",
                "NaN",
                "999999999999",
            )
            path.write_text("\n".join(lines), encoding="utf-8", newline="")
        else:
            how = rng.choice([*BYTE_MUTATIONS, "header", "extra", "meta", "big cell", "link"])
            what, bad = f"{name}: {how}", False
            if how in BYTE_MUTATIONS:
                data = mutate_bytes(data, how, rng)
            elif how == "big cell" and name != "meta.toml":  # over the csv module's 128 KB
                data = data.replace(b"\n", b"," + b"x" * 200_000 + b"\n", 1)
            elif how == "link":  # the file is a symbolic link to another of the folder's
                path.unlink()
                path.symlink_to(net / ("links.csv" if name != "links.csv" else "nodes.csv"))
                data = b""
            elif how == "header":
                data = data.replace(b",", b",id,", 1)
            elif how == "extra":
                data = data.replace(b"\n", b",surplus\n", 2)
            else:
                data = (net / "meta.toml").read_bytes().replace(b"[modes.rail]", b"modes = 5\n[x]")
                path = net / "meta.toml"
            if data:
                path.write_bytes(data)
        command = rng.choice(["check", "route", "run"])
        if command == "check":
            argv = ["network", "check", str(net)]
        elif command == "route":
            argv = ["network", "route", str(net), "cq_nanpeng", "hanoi", "--k", "3"]
        else:
            scenario = net / "s.toml"
            text = SCENARIO.read_text(encoding="utf-8")
            scenario.write_text(text.replace("../networks/chongqing_asean", str(net)), "utf-8")
            argv = ["run", str(scenario), "--no-events"]
        yield Case("network", what, argv, bad)


def _split_row(line: str) -> list[str]:
    import csv

    return [f'"{c}"' if "," in c or '"' in c else c for c in next(csv.reader(io.StringIO(line)))]


def cli_cases(folder: Path) -> list[Case]:
    """Every command with bad arguments."""
    sc, net = str(SCENARIO), str(NETWORK)
    bad = folder / "bad_manifest"
    bad.mkdir(exist_ok=True)
    (bad / "manifest.json").write_text("{", encoding="utf-8")
    (folder / "file.txt").write_text("x", encoding="utf-8")
    argvs = [
        ["run", "/nonexistent.toml"],
        ["run", str(folder)],
        ["run", sc, "--seed", "-1"],
        ["run", sc, "--seed", "x"],
        ["run", sc, "--replications", "0"],
        ["run", sc, "--replications", "99999999"],
        ["run", sc, "--set", "nokey"],
        ["run", sc, "--set", "a.b=[unclosed"],
        ["run", sc, "--out", "/proc/x"],
        ["run", sc, "--out", str(folder / "file.txt")],
        ["run", sc, "--table-format", "xlsx"],
        ["run", sc, "--executor", "gpu"],
        ["run", sc, "--jobs", "-3"],
        ["validate", sc, "--replications", "0"],
        ["validate", sc, "--targets", "/nope.toml"],
        ["validate", "/nonexistent.toml"],
        ["compare", sc],
        ["compare", sc, "/nope.toml"],
        ["compare", sc, sc, "--replications", "x"],
        ["sweep", sc],
        ["sweep", sc, "--grid", "x"],
        ["sweep", sc, "--grid", "demand.scale=a,b"],
        ["calibrate", "/nope.toml"],
        ["calibrate", "--points", "0"],
        ["calibrate", "--rounds", "1000"],
        ["sensitivity", sc],
        ["sensitivity", sc, "--factors", "/nope.toml", "--kpi", "x", "--samples", "2"],
        ["sensitivity", sc, "--factors", sc, "--kpi", "x", "--samples", "99999999"],
        ["plot", str(folder)],
        ["plot", str(bad)],
        ["plot", "/nonexistent"],
        ["report", str(folder)],
        ["report", str(bad)],
        ["network", "check", "/nonexistent"],
        ["network", "check", str(folder / "file.txt")],
        ["network", "show", "/nonexistent"],
        ["network", "route", net, "x", "y"],
        ["network", "route", net, "cq_nanpeng", "hanoi", "--k", "0"],
        ["network", "route", net, "cq_nanpeng", "hanoi", "--k", "100000"],
        ["network", "route", net, "cq_nanpeng", "hanoi", "--by", "beauty"],
        ["network", "route", net, "cq_nanpeng", "hanoi", "--modes", "air"],
        ["network", "export", net],
        ["network", "export", net, "--geojson", str(folder)],
        ["network", "export", net, "--map", str(folder / "m.txt")],
        ["network", "export", net, "--geojson", "/proc/x.geojson"],
        ["choice", "shares", "/nonexistent.toml"],
        ["choice", "calibrate", "/nonexistent.toml"],
        ["nosuchcommand"],
        [],
    ]
    return [Case("cli", " ".join(a)[:80], a) for a in argvs]


# -- running -----------------------------------------------------------------------------------
def run_case(case: Case, timeout_s: float, memory_bytes: int) -> tuple[str, str]:
    """Run one case in a forked process; return (outcome, the end of its stderr)."""
    from sim.cli import main

    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: run the command, report on the pipe
        os.close(read)
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.dup2(write, 2)
        sys.stderr = io.TextIOWrapper(os.fdopen(2, "wb", closefd=False), write_through=True)
        try:
            code = main(case.argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 2
        except MemoryError:
            sys.stderr.write("MemoryError\n")
            code = 99
        except BaseException:
            import traceback

            traceback.print_exc()
            code = 98
        sys.stderr.flush()
        os._exit(code)
    os.close(write)
    chunks, deadline = [], time.monotonic() + timeout_s
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            os.close(read)
            return "hang", "".join(chunks)[-300:]
        ready, _, _ = select.select([read], [], [], left)
        if ready:
            data = os.read(read, 65536)
            if not data:
                break
            chunks.append(data.decode("utf-8", "replace"))
    os.close(read)
    _, status = os.waitpid(pid, 0)
    err = "".join(chunks)
    code = os.waitstatus_to_exitcode(status)
    if "MemoryError" in err or code < 0:
        return "memory", err[-300:]
    if "Traceback" in err or code == 98:
        return "traceback", err[-600:]
    if code == 0:
        return ("accepted_bad_number" if case.bad_number else "ok"), ""
    if code == 2:
        return "refused", err[-300:]
    return "other", f"exit {code}: {err[-300:]}"


def concurrent_writers(trial: int, folder: Path) -> tuple[Case, str, str]:
    """Two sweeps of other grids into one folder at once: one runs, the other exits 2, never mixed.

    Outcome ``ok`` when exactly one exits 0 and the folder holds that one's experiment only.
    """
    import json
    import subprocess

    out = folder / f"c{trial}"
    base = [sys.executable, "-m", "sim", "sweep", str(SCENARIO), "--replications", "2"]
    base += ["--jobs", "1", "--seed", "3", "--json", "--out", str(out), "--grid"]
    grids = ("demand.scale=0.2,0.21", "demand.scale=0.3,0.31")
    procs = [
        subprocess.Popen([*base, g], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        for g in grids
    ]
    codes = [p.wait(timeout=300) for p in procs]
    errors = "".join(p.stderr.read() for p in procs if p.stderr is not None)
    case = Case("concurrent", f"two sweeps into one folder, trial {trial}", [*base, grids[0]])
    if "Traceback" in errors:
        return case, "traceback", errors[-600:]
    if sorted(codes) != [0, 2]:
        return case, "other", f"exit codes {codes}: {errors[-300:]}"
    winner = grids[codes.index(0)].split("=")[1].split(",")
    grid = json.loads((out / "manifest.json").read_text())["experiment"]["grid"]
    runs = list((out / "runs").glob("*.json"))
    if grid != {"demand.scale": [float(x) for x in winner]} or len(runs) != 4:
        return case, "mixed", f"manifest grid {grid}, {len(runs)} runs"
    return case, "ok", ""


def fuzz(
    scenarios: int,
    networks: int,
    seed: int,
    timeout_s: float = 60.0,
    memory_gb: float = 4.0,
    concurrent: int = 0,
) -> tuple[collections.Counter, list[tuple[Case, str, str]]]:
    """Run every case; return the counts by (kind, outcome) and the cases that went wrong."""
    rng = random.Random(seed)
    counts: collections.Counter = collections.Counter()
    wrong = []
    with tempfile.TemporaryDirectory(prefix="fuzz-") as tmp:
        folder = Path(tmp)
        cases = [
            *scenario_cases(scenarios, rng, folder),
            *network_cases(networks, rng, folder),
            *cli_cases(folder),
        ]
        for case in cases:
            outcome, err = run_case(case, timeout_s, int(memory_gb * 2**30))
            counts[case.kind, outcome] += 1
            if outcome not in ("ok", "refused"):
                wrong.append((case, outcome, err))
        for trial in range(concurrent):
            case, outcome, err = concurrent_writers(trial, folder)
            counts[case.kind, outcome] += 1
            if outcome != "ok":
                wrong.append((case, outcome, err))
    return counts, wrong


def main() -> int:
    """Run the harness and print the counts by outcome."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scenarios", type=int, default=2000)
    parser.add_argument("--networks", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds a case (60)")
    parser.add_argument(
        "--concurrent", type=int, default=10, help="trials of two writers into one folder (10)"
    )
    args = parser.parse_args()
    start = time.perf_counter()
    counts, wrong = fuzz(
        args.scenarios, args.networks, args.seed, args.timeout, concurrent=args.concurrent
    )
    print(
        f"{sum(counts.values()):,} cases in {time.perf_counter() - start:.0f} s (seed {args.seed})"
    )
    for kind in ("scenario", "network", "cli", "concurrent"):
        row = {o: n for (k, o), n in counts.items() if k == kind}
        print(f"  {kind:9s} " + ", ".join(f"{o} {n}" for o, n in sorted(row.items())))
    for case, outcome, err in wrong:
        print(f"\n{outcome}: {case.kind}: {case.what}\n  corridor-sim {' '.join(case.argv)[:300]}")
        print("  " + err.strip().replace("\n", "\n  ")[-600:])
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
