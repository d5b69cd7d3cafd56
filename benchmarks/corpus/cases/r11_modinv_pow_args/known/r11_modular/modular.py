"""Arithmetic modulo a prime ``p``: inverses, division and binomial coefficients."""


def is_prime(n):
    """Trial division primality test."""
    if n < 2:
        return False
    d = 2
    while d * d <= n:
        if n % d == 0:
            return False
        d += 1
    return True


def inverse(a, p):
    """The ``x`` in ``0..p-1`` with ``a * x % p == 1``, by Fermat's little theorem."""
    if a % p == 0:
        raise ZeroDivisionError(f"{a} has no inverse modulo {p}")
    return pow(a, p - 2, p)


def divide(a, b, p):
    """``a / b`` modulo ``p``."""
    return a * inverse(b, p) % p


def binomial(n, k, p):
    """``n choose k`` modulo ``p``, for ``0 <= n < p``."""
    if k < 0 or k > n:
        return 0
    numerator = denominator = 1
    for i in range(k):
        numerator = numerator * (n - i) % p
        denominator = denominator * (i + 1) % p
    return divide(numerator, denominator, p)
