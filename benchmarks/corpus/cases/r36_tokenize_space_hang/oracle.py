"""Random arithmetic expressions, some written with spaces, a few malformed."""

import random


def _expr(rng: random.Random, depth: int) -> str:
    if depth == 0 or rng.random() < 0.35:
        return str(rng.randint(0, 99))
    if rng.random() < 0.2:
        return "(" + _expr(rng, depth - 1) + ")"
    return _expr(rng, depth - 1) + rng.choice("+-*") + _expr(rng, depth - 1)


def inputs(rng: random.Random, n: int) -> list[tuple[str, tuple, dict]]:
    calls = []
    for _ in range(n):
        text = _expr(rng, 3)
        if rng.random() < 0.1:
            text += rng.choice(["+", "(", ")"])
        if rng.random() < 0.3:
            text = "".join(ch + " " * rng.randint(0, 1) for ch in text)
        entry = rng.choice(["tokenize", "evaluate"])
        calls.append((f"r36_calc.calc:{entry}", (text,), {}))
    return calls
