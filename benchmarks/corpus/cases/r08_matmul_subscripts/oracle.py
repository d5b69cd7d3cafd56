"""Random small integer matrices of compatible shapes (square and rectangular)."""


def _matrix(rng, rows, cols):
    return [[rng.randint(-5, 5) for _ in range(cols)] for _ in range(rows)]


def inputs(rng, n):
    calls = []
    for _ in range(n):
        if rng.random() < 0.8:
            rows, inner, cols = rng.randint(1, 4), rng.randint(1, 4), rng.randint(1, 4)
            calls.append(("r08_matrix.matrix:matmul", (_matrix(rng, rows, inner), _matrix(rng, inner, cols)), {}))
        else:
            size = rng.randint(1, 3)
            calls.append(("r08_matrix.matrix:matpow", (_matrix(rng, size, size), rng.randint(0, 5)), {}))
    return calls
