"""Small non-negative integers for the Gray code, and bit widths for the sequence."""


def inputs(rng, n):
    calls = []
    for _ in range(n):
        if rng.random() < 0.8:
            calls.append(("r05_bits.bits:to_gray", (rng.randint(0, 5000),), {}))
        else:
            calls.append(("r05_bits.bits:gray_sequence", (rng.randint(0, 6),), {}))
    return calls
