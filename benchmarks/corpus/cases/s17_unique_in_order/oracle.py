"""Random calls for s17_unique: duplicates, equal numbers of different types, tuples, empties."""
import random

ENTRY = "s17_unique.dedupe:"


def _items(rng):
    pool = [0, 1, 1.0, True, False, -2, "a", "A", "", (1, 2), (2, 1), None]
    return [rng.choice(pool) for _ in range(rng.randint(0, 12))]


def inputs(rng: random.Random, n: int) -> list[tuple[str, tuple, dict]]:
    calls = []
    for i in range(n):
        pick = i % 3
        if pick == 0:
            calls.append((ENTRY + "unique_in_order", (_items(rng),), {}))
        elif pick == 1:
            calls.append((ENTRY + "first_repeat", (_items(rng),), {}))
        else:
            calls.append((ENTRY + "merge_unique", tuple(_items(rng) for _ in range(rng.randint(0, 3))), {}))
    return calls
