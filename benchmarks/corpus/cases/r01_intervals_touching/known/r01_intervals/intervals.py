"""Closed integer intervals: merging, coverage, gaps and point queries.

An interval is a pair ``(start, end)`` with ``start <= end`` and covers every
integer from ``start`` to ``end`` inclusive.
"""


def merge(intervals):
    """Merge overlapping or touching intervals into a sorted disjoint list.

    Two closed intervals touch when they share an end point: ``(1, 3)`` and
    ``(3, 5)`` both cover 3 and merge into ``(1, 5)``.
    """
    merged = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1][1] = end
        else:
            merged.append([start, end])
    return [tuple(pair) for pair in merged]


def covered_points(intervals):
    """Number of distinct integers covered by at least one interval."""
    return sum(end - start + 1 for start, end in merge(intervals))


def gaps(intervals):
    """The uncovered stretches between merged intervals, as ``(end, next_start)`` pairs."""
    merged = merge(intervals)
    return [(merged[i][1], merged[i + 1][0]) for i in range(len(merged) - 1)]


def contains(intervals, point):
    """True when ``point`` lies in one of the intervals."""
    return any(start <= point <= end for start, end in intervals)
