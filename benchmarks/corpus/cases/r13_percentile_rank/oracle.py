"""Short lists of measurements and percentiles from 1 to 100."""


def inputs(rng, n):
    calls = []
    for _ in range(n):
        values = [rng.randint(0, 99) for _ in range(rng.randint(1, 12))]
        if rng.random() < 0.7:
            calls.append(("r13_percentile.ranks:percentile", (values, rng.randint(1, 100)), {}))
        else:
            calls.append(("r13_percentile.ranks:quartiles", (values,), {}))
    return calls
