"""Primality tests and the helpers that use them."""


def is_prime(n):
    """Is the integer ``n`` a prime number? (False for anything below 2.)"""
    if n < 2:
        return False
    for d in range(2, n):
        if n % d == 0:
            return False
    return True


def is_prime_fast(n):
    """Same answer as ``is_prime``: trial division by 2, 3 and 6k +- 1 up to the square root."""
    if n < 2:
        return False
    if n < 4:
        return True
    if n % 2 == 0 or n % 3 == 0:
        return False
    d = 5
    while d * d <= n:
        if n % d == 0 or n % (d + 2) == 0:
            return False
        d += 6
    return True


def primes_between(low, high):
    """The primes ``p`` with ``low <= p < high``, ascending."""
    return [n for n in range(low, high) if is_prime(n)]


def next_prime(n):
    """The smallest prime strictly greater than ``n``."""
    candidate = n + 1
    while not is_prime(candidate):
        candidate += 1
    return candidate
