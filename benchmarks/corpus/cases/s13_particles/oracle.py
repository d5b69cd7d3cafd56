"""Random calls for s13_particles: no particles, zero steps, zero or negative constants."""
import random

ENTRY = "s13_particles.sim:simulate"


def inputs(rng: random.Random, n: int) -> list[tuple[str, tuple, dict]]:
    calls = []
    for _ in range(n):
        particles = [[rng.uniform(-5, 5) for _ in range(4)] for _ in range(rng.randint(0, 6))]
        steps = rng.randint(0, 6)
        if rng.random() < 0.3:
            calls.append((ENTRY, (particles, steps), {}))
        else:
            kwargs = {
                "gravity": rng.choice([0.0, 9.81, -1.5, 3]),
                "drag": rng.choice([0.0, 0.1, 0.9, 2]),
                "dt": rng.choice([0.01, 0.5, 1, 0.0]),
            }
            calls.append((ENTRY, (particles, steps), kwargs))
    return calls
