"""Binary search on a sorted list: insertion points, membership and range counts."""


def lower_bound(values, target):
    """First index ``i`` with ``values[i] >= target`` (``len(values)`` if there is none)."""
    lo, hi = 0, len(values)
    while lo < hi:
        mid = (lo + hi) // 2
        if values[mid] < target:
            lo = mid
        else:
            hi = mid
    return lo


def upper_bound(values, target):
    """First index ``i`` with ``values[i] > target`` (``len(values)`` if there is none)."""
    lo, hi = 0, len(values)
    while lo < hi:
        mid = (lo + hi) // 2
        if values[mid] <= target:
            lo = mid + 1
        else:
            hi = mid
    return lo


def contains(values, target):
    """True when ``target`` occurs in the sorted list."""
    i = lower_bound(values, target)
    return i < len(values) and values[i] == target


def count_between(values, low, high):
    """Number of elements ``x`` with ``low <= x <= high``."""
    if low > high:
        return 0
    return upper_bound(values, high) - lower_bound(values, low)
