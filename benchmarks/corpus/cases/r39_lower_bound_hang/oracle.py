"""Random sorted lists of small integers and targets inside and outside their range."""

import random


def inputs(rng: random.Random, n: int) -> list[tuple[str, tuple, dict]]:
    calls = []
    for _ in range(n):
        items = sorted(rng.randint(0, 10) for _ in range(rng.randint(0, 8)))
        target = rng.randint(-2, 13)
        entry = rng.choice(["lower_bound", "index_of", "count"])
        calls.append((f"r39_search.search:{entry}", (items, target), {}))
    return calls
