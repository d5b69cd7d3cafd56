"""Random calls for s15_subarray: empty lists, all-negative, all-positive, zeros."""
import random

ENTRY = "s15_subarray.runs:"


def inputs(rng: random.Random, n: int) -> list[tuple[str, tuple, dict]]:
    calls = []
    names = ["max_subarray_sum", "max_subarray_sum", "min_subarray_sum", "prefix_sums"]
    for i in range(n):
        low, high = rng.choice([(-9, 9), (-9, -1), (0, 9), (-1, 1), (-100, 40)])
        values = [rng.randint(low, high) for _ in range(rng.randint(0, 20))]
        calls.append((ENTRY + names[i % 4], (values,), {}))
    return calls
