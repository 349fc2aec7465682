"""Shared fixtures: paths to the shipped data and editable copies of it."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# No per-example deadline and no health check about speed or size: on a loaded machine (CI shares
# its cores) slow generation is not a bug, and hypothesis would fail the suite for it at random.
# Per-test @settings inherit this profile (it is loaded before the test modules are imported).
_SLOWNESS = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example]
settings.register_profile(
    "corridor", deadline=None, suppress_health_check=_SLOWNESS, print_blob=True
)
settings.load_profile("corridor")

ROOT = Path(__file__).resolve().parents[1]
NETWORK_DIR = ROOT / "networks" / "chongqing_asean"


@pytest.fixture(scope="session")
def network():
    """The shipped Chongqing–ASEAN network, loaded once."""
    import sim

    return sim.load_network(NETWORK_DIR)


@pytest.fixture
def network_copy(tmp_path: Path) -> Path:
    """An editable copy of the shipped network folder."""
    target = tmp_path / "net"
    shutil.copytree(NETWORK_DIR, target)
    return target


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows of a CSV file."""
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def write_csv(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    """Write rows under header."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)


def same_rows(*sets: list[dict]) -> bool:
    """Whether lists of KPI rows are equal to the digit (a NaN, no observation, equals a NaN)."""
    from sim.fileio import json_text

    return len({json_text(rows) for rows in sets}) == 1
