"""Random dates, including impossible ones around the month boundaries."""

import random


def inputs(rng: random.Random, n: int) -> list[tuple[str, tuple, dict]]:
    calls = []
    for _ in range(n):
        year = rng.choice([rng.randint(1, 2400), 1900, 2000, 2024, 0])
        month = rng.randint(0, 13)
        day = rng.choice([rng.randint(-2, 32), rng.randint(-1, 1)])
        entry = rng.choice(["is_valid", "day_of_year"])
        calls.append((f"r24_calendar.dates:{entry}", (year, month, day), {}))
    return calls
