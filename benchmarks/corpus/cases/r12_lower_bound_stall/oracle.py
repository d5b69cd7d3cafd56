"""Sorted lists with duplicates and targets both inside and outside their range."""


def inputs(rng, n):
    calls = []
    for _ in range(n):
        values = sorted(rng.randint(0, 20) for _ in range(rng.randint(0, 10)))
        target = rng.randint(-3, 23)
        if rng.random() < 0.6:
            calls.append(("r12_search.bounds:lower_bound", (values, target), {}))
        else:
            calls.append(("r12_search.bounds:contains", (values, target), {}))
    return calls
