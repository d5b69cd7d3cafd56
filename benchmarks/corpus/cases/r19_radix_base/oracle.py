"""Numbers written in random bases, plus base-to-base conversions."""

_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def _numeral(rng, base):
    return "".join(rng.choice(_DIGITS[:base]) for _ in range(rng.randint(1, 6)))


def inputs(rng, n):
    calls = []
    for _ in range(n):
        base = rng.randint(2, 36)
        if rng.random() < 0.6:
            calls.append(("r19_radix.radix:from_base", (_numeral(rng, base), base), {}))
        else:
            calls.append(("r19_radix.radix:convert", (_numeral(rng, base), base, rng.randint(2, 36)), {}))
    return calls
