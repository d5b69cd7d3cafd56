"""Random batches of reading lines, about one line in five malformed."""

import random


def _line(rng: random.Random) -> str:
    stamp = str(rng.randint(0, 20))
    sensor = rng.choice(["a", "b", "c"])
    value = str(rng.randint(-50, 50) / 2)
    roll = rng.random()
    if roll < 0.05:
        stamp = "t" + stamp
    elif roll < 0.10:
        sensor = ""
    elif roll < 0.15:
        value = "hot"
    elif roll < 0.20:
        return stamp + "," + sensor
    return ", ".join([stamp, sensor, value])


def inputs(rng: random.Random, n: int) -> list[tuple[str, tuple, dict]]:
    return [("r34_readings.readings:latest", ([_line(rng) for _ in range(rng.randint(0, 5))],), {})
            for _ in range(n)]
