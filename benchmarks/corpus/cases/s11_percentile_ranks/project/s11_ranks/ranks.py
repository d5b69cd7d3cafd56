"""Where values fall within a reference set of scores."""
import bisect


def percentile_ranks(scores, queries):
    """For each query, the percentage of ``scores`` strictly below it.

    With no scores every rank is 0.0. ``scores`` itself is left unchanged.
    """
    if not scores:
        return [0.0 for _ in queries]
    ordered = list(scores)
    ranks = []
    for query in queries:
        ordered.sort()
        below = bisect.bisect_left(ordered, query)
        ranks.append(100.0 * below / len(ordered))
    return ranks


def rank_counts(scores, value):
    """``(below, equal, above)``: how many scores are less than, equal to, greater than ``value``."""
    below = sum(1 for s in scores if s < value)
    equal = sum(1 for s in scores if s == value)
    return below, equal, len(scores) - below - equal


def median(scores):
    """The middle score (mean of the two middle ones for an even count); ValueError if empty."""
    if not scores:
        raise ValueError("median of no scores")
    ordered = sorted(scores)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[mid]
    return (ordered[mid - 1] + ordered[mid]) / 2
