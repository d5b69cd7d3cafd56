"""Random calls for s01_partitions: small, negative and zero arguments."""
import random

ENTRY = "s01_partitions.core:"


def inputs(rng: random.Random, n: int) -> list[tuple[str, tuple, dict]]:
    calls = []
    for i in range(n):
        pick = i % 4
        if pick == 0:
            calls.append((ENTRY + "count_partitions", (rng.randint(-3, 24), rng.randint(-2, 26)), {}))
        elif pick == 1:
            calls.append((ENTRY + "partition_number", (rng.randint(-3, 24),), {}))
        elif pick == 2:
            calls.append((ENTRY + "partition_table", (rng.randint(-2, 16),), {}))
        else:
            parts = [rng.randint(-1, 5) for _ in range(rng.randint(0, 5))]
            calls.append((ENTRY + "is_partition", (parts, rng.randint(-2, 15)), {}))
    return calls
