"""Random short jump lists; small offsets make cycles (and self loops) common."""

import random


def inputs(rng: random.Random, n: int) -> list[tuple[str, tuple, dict]]:
    calls = []
    for _ in range(n):
        jumps = [rng.randint(-3, 3) for _ in range(rng.randint(1, 6))]
        if rng.random() < 0.7:
            start = rng.randint(-1, len(jumps))
            calls.append(("r33_jumps.jumps:steps_to_exit", (jumps, start), {}))
        else:
            calls.append(("r33_jumps.jumps:exits", (jumps,), {}))
    return calls
