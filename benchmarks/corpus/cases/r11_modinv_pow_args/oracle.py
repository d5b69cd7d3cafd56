"""Inverses and quotients modulo small primes."""

_PRIMES = [5, 7, 11, 13, 17, 31, 97, 101, 257, 1009]


def inputs(rng, n):
    calls = []
    for _ in range(n):
        p = rng.choice(_PRIMES)
        if rng.random() < 0.6:
            calls.append(("r11_modular.modular:inverse", (rng.randint(1, 3 * p), p), {}))
        else:
            calls.append(("r11_modular.modular:divide", (rng.randint(0, p - 1), rng.randint(1, p - 1), p), {}))
    return calls
