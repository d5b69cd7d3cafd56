"""Nearest-rank percentiles of a list of measurements.

The ``p``-th percentile (``0 < p <= 100``) is the smallest measurement such
that at least ``p`` percent of all measurements are less than or equal to it.
"""

import math


def rank(p, count):
    """1-based rank of the ``p``-th percentile among ``count`` sorted measurements."""
    if not 0 < p <= 100:
        raise ValueError(f"percentile out of range: {p}")
    return max(1, math.ceil(p * count / 100))


def percentile(values, p):
    """The ``p``-th nearest-rank percentile of ``values``."""
    if not values:
        raise ValueError("percentile of no data")
    ordered = sorted(values)
    return ordered[rank(p, len(ordered))]


def quartiles(values):
    """The 25th, 50th and 75th percentiles."""
    return tuple(percentile(values, p) for p in (25, 50, 75))


def interquartile_range(values):
    """Spread of the middle half of the data: third minus first quartile."""
    low, _, high = quartiles(values)
    return high - low
