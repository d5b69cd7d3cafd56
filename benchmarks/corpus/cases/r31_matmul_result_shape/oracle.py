"""Random conformable (and occasionally non-conformable) small integer matrices."""

import random


def _matrix(rng: random.Random, rows: int, cols: int) -> list:
    return [[rng.randint(-3, 3) for _ in range(cols)] for _ in range(rows)]


def inputs(rng: random.Random, n: int) -> list[tuple[str, tuple, dict]]:
    calls = []
    for _ in range(n):
        p, q, r = rng.randint(1, 4), rng.randint(1, 4), rng.randint(1, 4)
        if rng.random() < 0.25:
            calls.append(("r31_matrix.matrix:gram", (_matrix(rng, p, q),), {}))
        else:
            inner = q if rng.random() < 0.9 else q + 1
            calls.append(("r31_matrix.matrix:multiply", (_matrix(rng, p, q), _matrix(rng, inner, r)), {}))
    return calls
