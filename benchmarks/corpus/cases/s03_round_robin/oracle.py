"""Random calls for s03_sched: duplicate names, zero/negative durations, bad quanta."""
import random

ENTRY = "s03_sched.scheduler:"


def _jobs(rng):
    return [(rng.choice("abcdefg"), rng.randint(-2, 9)) for _ in range(rng.randint(0, 12))]


def inputs(rng: random.Random, n: int) -> list[tuple[str, tuple, dict]]:
    calls = []
    for i in range(n):
        pick = i % 3
        quantum = rng.choice([-1, 0, 1, 1, 2, 3, 5, 20])
        if pick == 0:
            calls.append((ENTRY + "round_robin", (_jobs(rng), quantum), {}))
        elif pick == 1:
            calls.append((ENTRY + "average_turnaround", (_jobs(rng), quantum), {}))
        else:
            calls.append((ENTRY + "turns_needed", (rng.randint(-3, 30), rng.randint(1, 6)), {}))
    return calls
