"""Random calls for s19_order: sorted, nearly sorted and shuffled lists, ties, negatives, reverse."""
import random



def _values(rng):
    values = [rng.randint(-5, 5) for _ in range(rng.randint(0, 12))]
    shape = rng.random()
    if shape < 0.35:
        values.sort()
    elif shape < 0.55:
        values.sort(reverse=True)
    elif shape < 0.75 and len(values) > 1:
        values.sort()
        k = rng.randrange(1, len(values))
        values[k - 1], values[k] = values[k], values[k - 1]
    return values


def inputs(rng: random.Random, n: int) -> list[tuple[str, tuple, dict]]:
    calls = []
    for i in range(n):
        pick = i % 4
        if pick == 0:
            calls.append(("s19_order.checks:is_sorted", (_values(rng),), {}))
        elif pick == 1:
            calls.append(("s19_order.checks:is_sorted", (_values(rng),), {"reverse": rng.random() < 0.5}))
        elif pick == 2:
            calls.append(("s19_order.checks:first_descent", (_values(rng),), {}))
        else:
            batches = [_values(rng) for _ in range(rng.randint(0, 4))]
            calls.append(("s19_order.checks:sorted_batches", (batches,), {}))
    return calls
