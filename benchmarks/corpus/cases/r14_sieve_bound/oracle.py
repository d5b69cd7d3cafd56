"""Limits from 0 to 300, a third of them prime."""

_PRIMES = [p for p in range(2, 300) if all(p % d for d in range(2, p))]


def inputs(rng, n):
    calls = []
    for _ in range(n):
        limit = rng.choice(_PRIMES) if rng.random() < 0.3 else rng.randint(0, 300)
        entry = rng.choice(["r14_primes.primes:primes_up_to", "r14_primes.primes:prime_count",
                            "r14_primes.primes:twin_primes"])
        calls.append((entry, (limit,), {}))
    return calls
