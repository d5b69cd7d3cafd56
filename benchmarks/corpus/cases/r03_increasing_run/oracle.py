"""Short lists over a tiny alphabet, so equal neighbours are frequent."""


def inputs(rng, n):
    entries = ["r03_runs.runs:longest_increasing_run", "r03_runs.runs:encode", "r03_runs.runs:increasing_runs"]
    calls = []
    for _ in range(n):
        values = [rng.randint(0, 4) for _ in range(rng.randint(0, 12))]
        calls.append((rng.choice(entries), (values,), {}))
    return calls
