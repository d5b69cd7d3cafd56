"""Random short lists over a small alphabet, so repeats are common."""

import random


def inputs(rng: random.Random, n: int) -> list[tuple[str, tuple, dict]]:
    return [("r35_dedupe.dedupe:first_duplicate", ([rng.randint(0, 6) for _ in range(rng.randint(0, 7))],), {})
            for _ in range(n)]
