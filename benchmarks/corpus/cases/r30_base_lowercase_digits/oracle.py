"""Numbers written in random bases, with random letter case and some invalid digits."""

import random

DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _write(n: int, base: int) -> str:
    digits = ""
    m = abs(n)
    while True:
        m, rem = divmod(m, base)
        digits = DIGITS[rem] + digits
        if not m:
            break
    return ("-" if n < 0 else "") + digits


def inputs(rng: random.Random, n: int) -> list[tuple[str, tuple, dict]]:
    calls = []
    for _ in range(n):
        base = rng.choice([rng.randint(2, 36), 16, 36])
        text = _write(rng.randint(-100000, 100000), base)
        text = "".join(ch.lower() if rng.random() < 0.5 else ch for ch in text)
        if rng.random() < 0.1:
            text += rng.choice("z!9")
        if rng.random() < 0.6:
            calls.append(("r30_bases.convert:from_base", (text, base), {}))
        else:
            calls.append(("r30_bases.convert:convert", (text, base, rng.randint(2, 36)), {}))
    return calls
