"""Benchmark: check which of many incoming batches are already sorted."""
from s19_order.checks import sorted_batches


def _batch(seed, size=6000):
    values = list(range(size))
    if seed % 10:
        # one out-of-order pair, somewhere in the first third of the batch
        k = 1 + (seed * 7919) % (size // 3)
        values[k - 1], values[k] = values[k], values[k - 1]
    return values


BATCHES = [_batch(seed) for seed in range(100)]


def run():
    return sorted_batches(BATCHES)
