"""Random numbers in (and just outside) 1..3999 and their standard numerals."""

import random

_TABLE = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
          (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]


def _numeral(n: int) -> str:
    out = ""
    for value, symbol in _TABLE:
        count, n = divmod(n, value)
        out += symbol * count
    return out


def inputs(rng: random.Random, n: int) -> list[tuple[str, tuple, dict]]:
    calls = []
    for _ in range(n):
        number = rng.choice([rng.randint(1, 3999), rng.randint(1, 50), rng.randint(-1, 4001)])
        if rng.random() < 0.5:
            calls.append(("r40_roman.roman:to_roman", (number,), {}))
        else:
            calls.append(("r40_roman.roman:from_roman", (_numeral(max(1, min(number, 3999))),), {}))
    return calls
