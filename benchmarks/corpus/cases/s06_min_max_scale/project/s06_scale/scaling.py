"""Rescale lists of numbers into a fixed range."""


def min_max_scale(values, low=0.0, high=1.0):
    """Map ``values`` linearly so that the smallest becomes ``low`` and the largest ``high``.

    An empty list gives an empty list; when all values are equal, every
    result is ``low``.
    """
    if not values:
        return []
    scaled = []
    for v in values:
        span = max(values) - min(values)
        if span == 0:
            scaled.append(low)
        else:
            scaled.append(low + (v - min(values)) * (high - low) / span)
    return scaled


def clamp(value, low, high):
    """``value`` limited to the closed interval ``[low, high]``."""
    return max(low, min(high, value))


def to_percentages(values):
    """Each value as a percentage of the total, rounded to 2 places (zeros if the total is 0)."""
    total = sum(values)
    if total == 0:
        return [0.0 for _ in values]
    return [round(100.0 * v / total, 2) for v in values]
