"""Short lists of integers (half of even length) and of floats."""


def inputs(rng, n):
    calls = []
    for _ in range(n):
        size = rng.randint(1, 9)
        if rng.random() < 0.7:
            values = [rng.randint(-50, 50) for _ in range(size)]
        else:
            values = [round(rng.uniform(-10, 10), 3) for _ in range(size)]
        calls.append(("r06_stats.summary:median", (values,), {}))
    return calls
