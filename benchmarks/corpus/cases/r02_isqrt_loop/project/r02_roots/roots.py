"""Integer square and k-th roots computed by bisection on the answer."""


def isqrt(n):
    """The largest integer ``r`` with ``r * r <= n``; ``n`` must be non-negative."""
    if n < 0:
        raise ValueError("square root of a negative number")
    if n < 2:
        return n
    lo, hi = 1, n // 2
    while lo <= hi:
        mid = (lo + hi + 1) // 2
        if mid * mid <= n:
            lo = mid
        else:
            hi = mid - 1
    return lo


def is_square(n):
    """True when ``n`` is the square of an integer."""
    if n < 0:
        return False
    root = isqrt(n)
    return root * root == n


def iroot(n, k):
    """The largest integer ``r`` with ``r ** k <= n``, for ``n >= 0`` and ``k >= 1``."""
    if n < 0 or k < 1:
        raise ValueError("need n >= 0 and k >= 1")
    lo, hi = 0, 1
    while hi ** k <= n:
        hi *= 2
    # now lo ** k <= n < hi ** k
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if mid ** k <= n:
            lo = mid
        else:
            hi = mid
    return lo
