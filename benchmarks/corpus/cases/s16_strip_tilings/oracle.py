"""Random calls for s16_tiles: duplicate and invalid lengths, empty tile sets, negative widths."""
import random

ENTRY = "s16_tiles.tiling:"


def _lengths(rng):
    lengths = [rng.randint(1, 5) for _ in range(rng.randint(0, 4))]
    if rng.random() < 0.08:
        lengths.append(rng.choice([0, -1]))
    return lengths


def inputs(rng: random.Random, n: int) -> list[tuple[str, tuple, dict]]:
    calls = []
    for i in range(n):
        if i % 2 == 0:
            calls.append((ENTRY + "count_tilings", (rng.randint(-3, 16), _lengths(rng)), {}))
        else:
            calls.append((ENTRY + "tilings_table", (rng.randint(-1, 12), _lengths(rng)), {}))
    return calls
