"""Binary searches over a list sorted in ascending order."""


def lower_bound(items, target):
    """First index whose item is >= target, or len(items) when there is none."""
    lo, hi = 0, len(items)
    while lo < hi:
        mid = (lo + hi) // 2
        if items[mid] < target:
            lo = mid + 1
        else:
            hi = mid
    return lo


def upper_bound(items, target):
    """First index whose item is > target, or len(items) when there is none."""
    lo, hi = 0, len(items)
    while lo < hi:
        mid = (lo + hi) // 2
        if items[mid] <= target:
            lo = mid + 1
        else:
            hi = mid
    return lo


def index_of(items, target):
    """Index of the first occurrence of target, or -1 when it is absent."""
    i = lower_bound(items, target)
    if i < len(items) and items[i] == target:
        return i
    return -1


def count(items, target):
    """Number of occurrences of target."""
    return upper_bound(items, target) - lower_bound(items, target)
