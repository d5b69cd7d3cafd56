"""Random calls for s14_pairs: integers with many duplicates, negatives, zero targets."""
import random

ENTRY = "s14_pairs.pairs:"


def inputs(rng: random.Random, n: int) -> list[tuple[str, tuple, dict]]:
    calls = []
    names = ["count_pairs_with_sum", "count_pairs_with_sum", "has_pair_with_sum", "complements"]
    for i in range(n):
        values = [rng.randint(-6, 6) for _ in range(rng.randint(0, 25))]
        target = rng.randint(-8, 8)
        calls.append((ENTRY + names[i % 4], (values, target), {}))
    return calls
