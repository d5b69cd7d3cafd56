"""Random stock dicts, some quantities unknown (None)."""

import random


def inputs(rng: random.Random, n: int) -> list[tuple[str, tuple, dict]]:
    calls = []
    for _ in range(n):
        stock = {}
        for _ in range(rng.randint(0, 6)):
            sku = "sku" + str(rng.randint(0, 20))
            stock[sku] = None if rng.random() < 0.2 else rng.randint(0, 30)
        if rng.random() < 0.75:
            calls.append(("r22_inventory.stock:restock_needed", (stock, rng.randint(0, 20)), {}))
        else:
            calls.append(("r22_inventory.stock:total_units", (stock,), {}))
    return calls
