"""Random integer ranges, bin counts and values around (and on) the range ends."""

import random


def inputs(rng: random.Random, n: int) -> list[tuple[str, tuple, dict]]:
    calls = []
    for _ in range(n):
        lo = rng.randint(-5, 5)
        hi = lo + rng.randint(1, 10)
        bins = rng.randint(1, 5)
        if rng.random() < 0.5:
            value = rng.choice([lo, hi, rng.randint(lo - 8, hi + 3)])
            calls.append(("r38_histogram.hist:bin_index", (value, lo, hi, bins), {}))
        else:
            values = [rng.randint(lo - 8, hi + 3) for _ in range(rng.randint(0, 6))]
            calls.append(("r38_histogram.hist:histogram", (values, lo, hi, bins), {}))
    return calls
