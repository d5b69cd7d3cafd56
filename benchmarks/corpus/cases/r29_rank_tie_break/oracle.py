"""Random boards with frequent tied scores, in random insertion order."""

import random

NAMES = ["amy", "bob", "cat", "dan", "eve", "fay", "gus"]


def inputs(rng: random.Random, n: int) -> list[tuple[str, tuple, dict]]:
    calls = []
    for _ in range(n):
        names = rng.sample(NAMES, rng.randint(1, 6))
        scores = {name: rng.randint(0, 4) for name in names}
        who = rng.choice(names) if rng.random() < 0.95 else "zed"
        calls.append(("r29_leaderboard.board:rank_of", (scores, who), {}))
    return calls
