"""Random texts of short and long words, random widths."""

import random


def inputs(rng: random.Random, n: int) -> list[tuple[str, tuple, dict]]:
    calls = []
    for _ in range(n):
        words = ["".join(rng.choice("abcxyz") for _ in range(rng.randint(1, 9))) for _ in range(rng.randint(0, 7))]
        text = rng.choice([" ", "  ", "\n"]).join(words)
        width = rng.randint(3, 10)
        entry = rng.choice(["wrap", "fill"])
        calls.append((f"r23_textwrap.wrap:{entry}", (text, width), {}))
    return calls
