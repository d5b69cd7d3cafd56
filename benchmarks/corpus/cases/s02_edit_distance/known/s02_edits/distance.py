"""Levenshtein edit distance and helpers built on it."""
import functools


def edit_distance(a, b):
    """Fewest single-character insertions, deletions and substitutions turning ``a`` into ``b``."""

    @functools.cache
    def dist(i, j):
        # distance between the first i characters of a and the first j of b
        if i == 0:
            return j
        if j == 0:
            return i
        if a[i - 1] == b[j - 1]:
            return dist(i - 1, j - 1)
        return 1 + min(dist(i - 1, j), dist(i, j - 1), dist(i - 1, j - 1))

    return dist(len(a), len(b))


def closest(word, candidates):
    """The candidate nearest to ``word`` (the first one on ties); ``None`` if there are none."""
    best, best_distance = None, None
    for candidate in candidates:
        d = edit_distance(word, candidate)
        if best_distance is None or d < best_distance:
            best, best_distance = candidate, d
    return best


def similarity(a, b):
    """1.0 for equal strings, down to 0.0 when every character must change."""
    longest = max(len(a), len(b))
    if longest == 0:
        return 1.0
    return 1.0 - edit_distance(a, b) / longest
