"""Random pairs of valid times of day."""


def _time(rng):
    return f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}"


def inputs(rng, n):
    return [("r10_clock.clock:minutes_between", (_time(rng), _time(rng)), {}) for _ in range(n)]
