"""Random value/weight lists of small integers."""

import random


def inputs(rng: random.Random, n: int) -> list[tuple[str, tuple, dict]]:
    calls = []
    for _ in range(n):
        size = rng.randint(0, 6)
        values = [rng.randint(-10, 100) for _ in range(size)]
        weights = [rng.randint(0, 5) for _ in range(size)]
        entry = rng.choice(["weighted_mean", "course_grade"])
        calls.append((f"r26_weights.weighted:{entry}", (values, weights), {}))
    return calls
