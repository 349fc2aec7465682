"""Writing calibrated values back into the scenario file that holds them, line by line."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from sim.errors import Problem, SimError
from sim.fileio import write_text_atomic

if TYPE_CHECKING:
    from sim.experiments.calibration import CalibrationResult

__all__ = ["write_calibrated"]


def write_calibrated(result: CalibrationResult, path: str | Path | None = None) -> Path:
    """Write the fitted values into the scenario file (``write_to``) and return its path.

    Each rewritten line's comment says what the value was calibrated to. Every key must already
    stand in that file, under its table.
    """
    file = Path(path) if path is not None else result.spec.write_to
    text = file.read_text(encoding="utf-8")
    fitted_to = ", ".join(f"{r['case']} {r['target']}" for r in result.fit)
    missing = []
    for p in result.spec.parameters:
        value = result.best[p.name]
        for key in p.keys:
            table, _, name = key.rpartition(".")
            header = re.search(rf"(?m)^\[{re.escape(table)}\][ \t]*(#.*)?$", text)
            end = re.search(r"(?m)^\[", text[header.end() :]) if header else None
            stop = header.end() + end.start() if header and end else len(text)
            line = (
                re.compile(rf"(?m)^{re.escape(name)}[ \t]*=.*$").search(text, header.end(), stop)
                if header
                else None
            )
            if line is None:
                missing.append(key)
                continue
            number = repr(float(value))  # a TOML float, to the last digit
            where = f"{result.spec.path.parent.name}/{result.spec.path.name}"
            new = (
                f"{name} = {number}   # CALIBRATED ({p.name}, corridor-sim calibrate {where}): "
                f"calibrated_to {fitted_to}"
            )
            text = text[: line.start()] + new + text[line.end() :]
    if missing:
        raise SimError(
            [
                Problem(
                    str(file), "a calibrated key must stand in the file to be rewritten", value=k
                )
                for k in missing
            ]
        )
    write_text_atomic(file, text)
    return file
