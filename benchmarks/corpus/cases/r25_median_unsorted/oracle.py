"""Random short lists of integers (sometimes empty)."""

import random


def inputs(rng: random.Random, n: int) -> list[tuple[str, tuple, dict]]:
    calls = []
    for _ in range(n):
        values = [rng.randint(-20, 20) for _ in range(rng.randint(0, 8))]
        entry = rng.choice(["median", "median_absolute_deviation"])
        calls.append((f"r25_stats.summary:{entry}", (values,), {}))
    return calls
