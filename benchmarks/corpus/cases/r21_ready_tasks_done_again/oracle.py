"""Random task plans (acyclic, sometimes with a cycle) and partial progress."""

import random

NAMES = "abcdefg"


def _plan(rng: random.Random) -> dict:
    tasks = list(NAMES[: rng.randint(1, 6)])
    rng.shuffle(tasks)
    deps = {}
    for i, task in enumerate(tasks):
        earlier = tasks[:i]
        deps[task] = rng.sample(earlier, rng.randint(0, min(2, len(earlier))))
    if len(tasks) >= 2 and rng.random() < 0.15:
        deps[tasks[0]].append(tasks[-1])  # a cycle
    return deps


def inputs(rng: random.Random, n: int) -> list[tuple[str, tuple, dict]]:
    calls = []
    for _ in range(n):
        deps = _plan(rng)
        done = set(t for t in deps if rng.random() < 0.4)
        entry = rng.choice(["ready", "schedule", "blocked"])
        if entry == "schedule":
            calls.append(("r21_tasks.plan:schedule", (deps,), {}))
        else:
            calls.append((f"r21_tasks.plan:{entry}", (deps, done), {}))
    return calls
