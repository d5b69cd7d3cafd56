"""Random calls for s06_scale: empty, constant, negative and duplicate values, reversed ranges."""
import random

ENTRY = "s06_scale.scaling:"


def _values(rng):
    kind = rng.random()
    if kind < 0.1:
        return []
    if kind < 0.2:
        return [rng.randint(-3, 3)] * rng.randint(1, 5)
    if kind < 0.6:
        return [rng.randint(-20, 20) for _ in range(rng.randint(1, 12))]
    return [round(rng.uniform(-5, 5), 3) for _ in range(rng.randint(1, 12))]


def inputs(rng: random.Random, n: int) -> list[tuple[str, tuple, dict]]:
    calls = []
    for i in range(n):
        pick = i % 4
        if pick in (0, 1):
            low, high = rng.choice([(0.0, 1.0), (-1.0, 1.0), (10, 0), (2, 2), (-5.5, 3)])
            if pick == 0:
                calls.append((ENTRY + "min_max_scale", (_values(rng),), {}))
            else:
                calls.append((ENTRY + "min_max_scale", (_values(rng), low, high), {}))
        elif pick == 2:
            calls.append((ENTRY + "clamp", (rng.randint(-9, 9), rng.randint(-5, 0), rng.randint(0, 5)), {}))
        else:
            calls.append((ENTRY + "to_percentages", (_values(rng),), {}))
    return calls
