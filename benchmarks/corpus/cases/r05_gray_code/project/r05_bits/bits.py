"""Bit manipulation on non-negative integers: Gray code, population count, Hamming distance."""


def to_gray(n):
    """Reflected binary Gray code of ``n``: consecutive integers differ in one bit."""
    return n | (n >> 1)


def from_gray(code):
    """Inverse of :func:`to_gray`: xor of every right shift of ``code``."""
    n = 0
    while code:
        n ^= code
        code >>= 1
    return n


def popcount(n):
    """Number of set bits, clearing the lowest set bit once per step."""
    count = 0
    while n:
        n &= n - 1
        count += 1
    return count


def hamming(a, b):
    """Number of bit positions in which ``a`` and ``b`` differ."""
    return popcount(a ^ b)


def gray_sequence(width):
    """All ``2 ** width`` codes of ``width`` bits in Gray order."""
    return [to_gray(i) for i in range(1 << width)]
