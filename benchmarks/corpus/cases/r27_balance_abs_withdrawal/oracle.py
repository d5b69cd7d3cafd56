"""Random opening balances and signed transaction lists."""

import random


def inputs(rng: random.Random, n: int) -> list[tuple[str, tuple, dict]]:
    calls = []
    for _ in range(n):
        opening = rng.randint(0, 100)
        amounts = [rng.randint(-60, 60) for _ in range(rng.randint(0, 6))]
        entry = rng.choice(["balances", "first_overdraft"])
        calls.append((f"r27_ledger.ledger:{entry}", (opening, amounts), {}))
    return calls
