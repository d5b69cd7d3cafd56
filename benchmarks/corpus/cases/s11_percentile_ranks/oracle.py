"""Random calls for s11_ranks: ties, negatives, floats, empty scores or queries."""
import random

ENTRY = "s11_ranks.ranks:"


def _scores(rng):
    return [rng.choice([rng.randint(-5, 5), rng.randint(-5, 5) / 2]) for _ in range(rng.randint(0, 12))]


def inputs(rng: random.Random, n: int) -> list[tuple[str, tuple, dict]]:
    calls = []
    for i in range(n):
        pick = i % 4
        if pick in (0, 1):
            calls.append((ENTRY + "percentile_ranks", (_scores(rng), _scores(rng)), {}))
        elif pick == 2:
            calls.append((ENTRY + "rank_counts", (_scores(rng), rng.randint(-5, 5)), {}))
        else:
            calls.append((ENTRY + "median", (_scores(rng),), {}))
    return calls
