"""Primes: a sieve of Eratosthenes, prime counting and factorisation."""

import math


def primes_up_to(limit):
    """All primes ``p`` with ``p <= limit``, in increasing order."""
    if limit < 2:
        return []
    sieve = [True] * (limit + 1)
    sieve[0] = sieve[1] = False
    for i in range(2, math.isqrt(limit) + 1):
        if sieve[i]:
            for multiple in range(i * i, limit + 1, i):
                sieve[multiple] = False
    return [i for i in range(2, limit) if sieve[i]]


def prime_count(limit):
    """Number of primes ``p <= limit``."""
    return len(primes_up_to(limit))


def factorise(n):
    """Prime factors of ``n >= 1`` with multiplicity, smallest first."""
    factors = []
    d = 2
    while d * d <= n:
        while n % d == 0:
            factors.append(d)
            n //= d
        d += 1
    if n > 1:
        factors.append(n)
    return factors


def twin_primes(limit):
    """Pairs ``(p, p + 2)`` of primes with ``p + 2 <= limit``."""
    primes = primes_up_to(limit)
    found = set(primes)
    return [(p, p + 2) for p in primes if p + 2 in found]
