"""Random calls for s20_prefix: mixed case, padded queries, empty queries and lists, odd limits."""
import random

ENTRY = "s20_prefix.search:"


def _name(rng):
    return "".join(rng.choice("aAbB ") for _ in range(rng.randint(0, 4)))


def inputs(rng: random.Random, n: int) -> list[tuple[str, tuple, dict]]:
    calls = []
    for i in range(n):
        names = [_name(rng) for _ in range(rng.randint(0, 8))]
        typed = rng.choice(["", " ", " a", "A ", "ab", "a b", "a  B", "B", "bA ", "\tb", "b\t a"])
        pick = i % 3
        if pick == 0:
            calls.append((ENTRY + "matching", (names, typed), {}))
        elif pick == 1:
            calls.append((ENTRY + "suggest", (names, typed), {"limit": rng.randint(-1, 6)}))
        else:
            calls.append((ENTRY + "common_prefix", (names,), {}))
    return calls
