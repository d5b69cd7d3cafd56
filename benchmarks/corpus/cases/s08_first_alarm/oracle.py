"""Random calls for s08_scan: empty series, ties at the limit, negatives, floats."""
import random

ENTRY = "s08_scan.alarms:"


def inputs(rng: random.Random, n: int) -> list[tuple[str, tuple, dict]]:
    calls = []
    names = ["first_above", "first_above", "count_above", "longest_run_above"]
    for i in range(n):
        readings = [rng.choice([rng.randint(-10, 10), rng.uniform(-10, 10)]) for _ in range(rng.randint(0, 15))]
        limit = rng.choice([0, 3, -4, 9.5, 11]) if rng.random() < 0.5 or not readings else rng.choice(readings)
        calls.append((ENTRY + names[i % 4], (readings, limit), {}))
    return calls
