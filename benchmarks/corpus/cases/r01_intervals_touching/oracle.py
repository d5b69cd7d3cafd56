"""Random interval lists; small coordinates so that touching end points are common."""


def _intervals(rng):
    out = []
    for _ in range(rng.randint(0, 6)):
        start = rng.randint(0, 15)
        out.append((start, start + rng.randint(0, 4)))
    return out


def inputs(rng, n):
    entries = ["r01_intervals.intervals:merge", "r01_intervals.intervals:covered_points",
               "r01_intervals.intervals:gaps"]
    return [(rng.choice(entries), (_intervals(rng),), {}) for _ in range(n)]
