"""argparse types that turn bad numbers into a usage error (exit 2), never a traceback."""

from __future__ import annotations

import argparse

__all__ = ["count", "positive"]


def count(text: str) -> int:
    """Argparse type: a whole number >= 0 (seeds) -- see :func:`positive` for counts."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {value}")
    return value


def positive(text: str) -> int:
    """Argparse type: a whole number >= 1 (replications, jobs)."""
    value = count(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value
