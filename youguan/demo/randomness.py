"""Seeded random streams and exact integer allocation for the demo generator.

Every part of the data draws from its own stream, keyed by the seed and stable names (a brand,
a month …): a stream never depends on Python's salted ``hash()``, on dict or set order, on the
clock, or on which other parts were generated. Generating 2025-03 alone yields the same rows as
generating it inside a longer window.
"""

from __future__ import annotations

import zlib

import numpy as np
import numpy.typing as npt


def _key(part: str | int) -> int:
    if isinstance(part, int):
        if part < 0:
            raise ValueError("stream key parts must be non-negative")
        return part
    return zlib.crc32(part.encode("utf-8"))


def stream(seed: int, *parts: str | int) -> np.random.Generator:
    """An independent generator for ``seed`` and the named part of the data."""
    return np.random.default_rng(np.random.SeedSequence([seed, *(_key(p) for p in parts)]))


def apportion(total: int, weights: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Split the integer ``total`` in proportion to ``weights`` so that the parts sum exactly to
    ``total`` (Hamilton's largest-remainder method; ties go to the earlier index)."""
    w = np.asarray(weights, dtype=np.float64)
    if total < 0 or (w < 0).any():
        raise ValueError("apportion needs a non-negative total and weights")
    if total == 0 or w.sum() == 0:
        return np.zeros(w.shape, dtype=np.int64)
    exact = total * w / w.sum()
    base = np.floor(exact).astype(np.int64)
    left = int(total - base.sum())
    if left:
        order = np.argsort(-(exact - base), kind="stable")
        base[order[:left]] += 1
    return base


def stochastic_round(values: npt.ArrayLike, rng: np.random.Generator) -> npt.NDArray[np.int64]:
    """Round each value down or up at random so that the expectation is the value itself."""
    v = np.asarray(values, dtype=np.float64)
    low = np.floor(v)
    return (low + (rng.random(v.shape) < (v - low))).astype(np.int64)


def pick(
    rng: np.random.Generator, options: npt.ArrayLike, weights: npt.ArrayLike, size: int
) -> npt.NDArray[np.generic]:
    """``size`` draws from ``options`` with the given (unnormalised) weights."""
    w = np.asarray(weights, dtype=np.float64)
    return np.asarray(options)[rng.choice(len(w), size=size, p=w / w.sum())]
