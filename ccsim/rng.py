"""Named random streams derived from one seed.

Every source of randomness in a replication (arrivals of a channel, handle times
of a channel, patience, journey choices, ...) draws from its own
:class:`numpy.random.Generator`. A stream is identified by a stable name such as
``"handle/voice"``; its seed is derived from ``(seed, replication, hash(name))``
with :class:`numpy.random.SeedSequence`, so

* the same scenario, seed and replication give bit-identical draws in any
  process, on any machine;
* adding a new stream never shifts the draws of another;
* two scenarios compared with the same seed share the draws of every stream
  they have in common (common random numbers).

Nothing here holds global state.

References
----------
L'Ecuyer, P. and Buist, E. (2005). Simulation in Java with SSJ. *Proceedings of
the Winter Simulation Conference*: one stream per source of randomness.
"""

from __future__ import annotations

import hashlib

import numpy as np

__all__ = ["BlockSampler", "RandomStreams", "stream_key"]

#: Variates are drawn from numpy in blocks of this many and consumed one at a time.
BLOCK = 4096


def stream_key(name: str) -> int:
    """A stable 32-bit integer for a stream name (independent of Python's hash seed)."""
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:4], "little")


class RandomStreams:
    """The named random streams of one replication.

    Parameters
    ----------
    seed
        The experiment's root seed (a non-negative integer).
    replication
        The replication number (0-based). Replication ``r`` uses the seed
        sequence that ``SeedSequence(seed).spawn(...)[r]`` would give.
    """

    __slots__ = ("_streams", "replication", "seed")

    def __init__(self, seed: int, replication: int = 0) -> None:
        if seed < 0 or replication < 0:
            raise ValueError("seed and replication must be non-negative integers")
        self.seed = int(seed)
        self.replication = int(replication)
        self._streams: dict[str, np.random.Generator] = {}

    def seed_sequence(self, name: str) -> np.random.SeedSequence:
        """The seed sequence of stream *name* (a pure function of seed, replication, name)."""
        return np.random.SeedSequence(self.seed, spawn_key=(self.replication, stream_key(name)))

    def get(self, name: str) -> np.random.Generator:
        """The generator of stream *name*, created on first use."""
        gen = self._streams.get(name)
        if gen is None:
            gen = np.random.Generator(np.random.PCG64(self.seed_sequence(name)))
            self._streams[name] = gen
        return gen

    def sampler(self, name: str, draw: object) -> BlockSampler:
        """A :class:`BlockSampler` over stream *name*; *draw(rng, n)* returns n variates."""
        return BlockSampler(self.get(name), draw)


class BlockSampler:
    """Hands out variates one at a time from blocks drawn with numpy.

    Parameters
    ----------
    rng
        The generator to draw from.
    draw
        ``draw(rng, n) -> ndarray`` returning *n* variates.

    Notes
    -----
    Drawing in blocks keeps numpy's per-call overhead off the event loop. The
    sequence of variates does not depend on the block size used to consume it
    only when *draw* is a plain vectorised sampler (all of ccsim's are).
    """

    __slots__ = ("_buf", "_draw", "_i", "_n", "_rng")

    def __init__(self, rng: np.random.Generator, draw: object) -> None:
        self._rng = rng
        self._draw = draw
        self._buf: list[float] = []
        self._i = 0
        self._n = 0

    def __call__(self) -> float:
        i = self._i
        if i == self._n:
            self._buf = self._draw(self._rng, BLOCK).tolist()  # type: ignore[operator]
            self._n = len(self._buf)
            i = 0
        self._i = i + 1
        return self._buf[i]

    def take(self, n: int) -> np.ndarray:
        """The next *n* variates as an array (consumes the buffer first)."""
        out = np.empty(n)
        k = 0
        while k < n:
            if self._i == self._n:
                self._buf = self._draw(self._rng, max(BLOCK, n - k)).tolist()  # type: ignore[operator]
                self._n = len(self._buf)
                self._i = 0
            m = min(n - k, self._n - self._i)
            out[k : k + m] = self._buf[self._i : self._i + m]
            self._i += m
            k += m
        return out
