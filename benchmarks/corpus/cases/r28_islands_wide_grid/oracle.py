"""Random small 0/1 grids of any rectangular shape."""

import random


def inputs(rng: random.Random, n: int) -> list[tuple[str, tuple, dict]]:
    calls = []
    for _ in range(n):
        rows, cols = rng.randint(1, 5), rng.randint(1, 5)
        grid = [[1 if rng.random() < 0.5 else 0 for _ in range(cols)] for _ in range(rows)]
        calls.append(("r28_grid.islands:island_sizes", (grid,), {}))
    return calls
