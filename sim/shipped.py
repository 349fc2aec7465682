"""The data beside the package: the repository's ``seeds/``, ``scenarios/`` and ``networks/``.

A default file (the calibration, the published times, the scenario library) is found here, from
where the package is, never from the working folder: ``corridor-sim calibrate`` reads the same
``seeds/calibration.toml`` from any folder. A path the user types is theirs, read from the working
folder as usual. The data lives in a clone of the repository (installed editable, or ``sim``
imported from the clone); a package installed without it has no root, and asking for a default
file is one :class:`~sim.errors.SimError` saying how to give the file instead.
"""

from __future__ import annotations

from pathlib import Path

from sim.errors import SimError

__all__ = ["project_root", "shipped_file"]

#: The folders that mark the repository's root beside the package.
MARKERS = ("seeds", "scenarios")


def project_root() -> Path | None:
    """The folder holding ``sim/``, ``seeds/`` and ``scenarios/``; None if the data is not there.

    >>> root = project_root()
    >>> root is None or (root / "sim" / "shipped.py").is_file()
    True
    """
    root = Path(__file__).resolve().parents[1]
    return root if all((root / folder).is_dir() for folder in MARKERS) else None


def shipped_file(relative: str, how: str) -> Path:
    """The shipped file (or folder) ``relative`` to :func:`project_root`, as an absolute path.

    ``relative`` is written with ``/`` (``"seeds/calibration.toml"``); ``how`` says how to give
    the file instead (``"give it: corridor-sim calibrate FILE"``). Raises a SimError naming the
    file and ``how`` when the package has no data beside it or the file is gone.

    >>> shipped_file("seeds/calibration.toml", "give it").name
    'calibration.toml'
    >>> try:
    ...     shipped_file("nowhere/calibration.toml", "give it: --file FILE")
    ... except SimError as exc:
    ...     print(str(exc).split(": ", 1)[0], "...", str(exc).rsplit("; ", 1)[1])
    nowhere/calibration.toml ... give it: --file FILE
    """
    root = project_root()
    if root is None:
        package = Path(__file__).resolve().parent
        rule = (
            f"not found: the package at {package} is not in a clone of the repository (no "
            f"seeds/ and scenarios/ beside it); {how}"
        )
    else:
        path = root.joinpath(*relative.split("/"))
        if path.exists():
            return path
        rule = f"not found in {root}; {how}"
    raise SimError(f"{relative}: {rule}")  # not cut short, as a Problem's rule would be
