"""Random calls for s12_smooth: short series, windows of 0, 1 and above the length, negatives."""
import random

ENTRY = "s12_smooth.smooth:"


def _values(rng):
    return [rng.choice([rng.randint(-9, 9), round(rng.uniform(-5, 5), 2)]) for _ in range(rng.randint(0, 14))]


def inputs(rng: random.Random, n: int) -> list[tuple[str, tuple, dict]]:
    calls = []
    for i in range(n):
        pick = i % 4
        window = rng.randint(-1, 6)
        if pick in (0, 1):
            calls.append((ENTRY + "moving_average", (_values(rng), window), {}))
        elif pick == 2:
            calls.append((ENTRY + "window_maxima", (_values(rng), window), {}))
        else:
            calls.append((ENTRY + "exponential_smoothing", (_values(rng), rng.choice([0.0, 0.25, 0.5, 1.0])), {}))
    return calls
