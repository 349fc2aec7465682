"""Named random streams, drawn in chunks.

One seed makes every stream of a run. Each stream has a name (``"arrivals:cq_sg"``,
``"link_times:rail_sea_cq"``); its generator is seeded from ``SeedSequence(seed,
spawn_key=(crc32(name),))``, so a stream depends only on the seed and its own name. Two scenarios
run on the same seed therefore share the random numbers of every source they have in common
(common random numbers), and adding a flow does not shift the numbers of the others.

Draws come from buffers refilled a chunk at a time: numpy's per-call overhead is paid once per
chunk, not once per draw.
"""

from __future__ import annotations

import math
import zlib

import numpy as np

from sim.errors import ArgumentError

__all__ = ["Stream", "Streams", "replication_seeds"]

_CHUNK = 4096


class Stream:
    """A generator with buffered standard exponential, normal and uniform draws."""

    __slots__ = ("_exp", "_exp_i", "_norm", "_norm_i", "_unif", "_unif_i", "rng")

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self._exp: list[float] = []
        self._norm: list[float] = []
        self._unif: list[float] = []
        self._exp_i = self._norm_i = self._unif_i = 0

    def exponential(self) -> float:
        """One standard exponential draw (mean 1)."""
        if self._exp_i >= len(self._exp):
            self._exp, self._exp_i = self.rng.standard_exponential(_CHUNK).tolist(), 0
        self._exp_i += 1
        return self._exp[self._exp_i - 1]

    def normal(self) -> float:
        """One standard normal draw."""
        if self._norm_i >= len(self._norm):
            self._norm, self._norm_i = self.rng.standard_normal(_CHUNK).tolist(), 0
        self._norm_i += 1
        return self._norm[self._norm_i - 1]

    def uniform(self) -> float:
        """One uniform draw in [0, 1)."""
        if self._unif_i >= len(self._unif):
            self._unif, self._unif_i = self.rng.random(_CHUNK).tolist(), 0
        self._unif_i += 1
        return self._unif[self._unif_i - 1]

    def positive(self, mean: float, cv: float, dist: str = "lognormal") -> float:
        """A positive duration with this mean and coefficient of variation.

        ``dist`` is ``lognormal`` (the default), ``exponential`` (``cv`` ignored: an exponential's
        cv is always 1, so ``positive(2, 0, "exponential")`` still varies) or ``deterministic``
        (always ``mean``). Under the lognormal a ``cv`` of 0 gives ``mean``.
        """
        if mean <= 0:
            return 0.0
        if dist == "exponential":
            return mean * self.exponential()
        if dist == "deterministic" or cv <= 0:
            return mean
        sigma2 = math.log1p(cv * cv)
        return mean * math.exp(math.sqrt(sigma2) * self.normal() - 0.5 * sigma2)


class Streams:
    """The named streams of one run, made on first use from one seed."""

    def __init__(self, seed: int) -> None:
        if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
            raise ArgumentError(f"seed: must be a whole number >= 0, got {seed!r}")
        self.seed = int(seed)
        self._streams: dict[str, Stream] = {}

    def __getitem__(self, name: str) -> Stream:
        stream = self._streams.get(name)
        if stream is None:
            seq = np.random.SeedSequence(self.seed, spawn_key=(zlib.crc32(name.encode()),))
            stream = self._streams[name] = Stream(np.random.Generator(np.random.PCG64(seq)))
        return stream

    def names(self) -> list[str]:
        """Names of the streams used so far (the run's seed tree), sorted."""
        return sorted(self._streams)


def replication_seeds(seed: int, n: int) -> list[int]:
    """The run seed of each of ``n`` replications of an experiment seeded ``seed``."""
    return [int(child.generate_state(1)[0]) for child in np.random.SeedSequence(seed).spawn(n)]
