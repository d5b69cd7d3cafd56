"""Random calls for s18_grades: empty lists, ties, zero and negative bests, other tops."""
import random

ENTRY = "s18_grades.grading:"


def _scores(rng):
    low, high = rng.choice([(0, 100), (-10, 0), (0, 0), (30, 60), (-5, 5)])
    return [rng.choice([rng.randint(low, high), rng.uniform(low, high)]) for _ in range(rng.randint(0, 10))]


def inputs(rng: random.Random, n: int) -> list[tuple[str, tuple, dict]]:
    calls = []
    for i in range(n):
        pick = i % 4
        if pick == 0:
            calls.append((ENTRY + "curve", (_scores(rng),), {}))
        elif pick == 1:
            calls.append((ENTRY + "curve", (_scores(rng),), {"top": rng.choice([1, 10, 50.5, 100, -20])}))
        elif pick == 2:
            calls.append((ENTRY + "letter", (rng.choice([rng.randint(-5, 105), 59.99, 60, 89.5, 90]),), {}))
        else:
            calls.append((ENTRY + "report", (_scores(rng),), {}))
    return calls
