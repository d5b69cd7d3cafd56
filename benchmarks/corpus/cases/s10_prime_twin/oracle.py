"""Random calls for s10_primes: negatives, 0-4, squares of primes, empty ranges."""
import random

ENTRY = "s10_primes.primes:"


def inputs(rng: random.Random, n: int) -> list[tuple[str, tuple, dict]]:
    calls = []
    special = [-7, -1, 0, 1, 2, 3, 4, 9, 25, 49, 121, 169, 289, 961, 997, 1009, 7917, 7919]
    for i in range(n):
        pick = i % 4
        if pick in (0, 1):
            value = rng.choice(special) if pick == 0 else rng.randint(-20, 3000)
            calls.append((ENTRY + "is_prime", (value,), {}))
        elif pick == 2:
            low = rng.randint(-10, 400)
            calls.append((ENTRY + "primes_between", (low, low + rng.randint(-5, 60)), {}))
        else:
            calls.append((ENTRY + "next_prime", (rng.randint(-10, 2000),), {}))
    return calls
