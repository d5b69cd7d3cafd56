"""Best and worst contiguous runs in a list of integers (e.g. daily profit and loss)."""


def max_subarray_sum(values):
    """The largest sum of a non-empty contiguous run of ``values``; ValueError if empty."""
    if not values:
        raise ValueError("no values")
    best = values[0]
    for start in range(len(values)):
        total = 0
        for end in range(start, len(values)):
            total += values[end]
            if total > best:
                best = total
    return best


def min_subarray_sum(values):
    """The smallest sum of a non-empty contiguous run; ValueError if empty."""
    return -max_subarray_sum([-v for v in values])


def prefix_sums(values):
    """``[0, v0, v0 + v1, ...]``: one more entry than ``values``."""
    sums = [0]
    for v in values:
        sums.append(sums[-1] + v)
    return sums
