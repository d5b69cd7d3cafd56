"""Descriptive statistics on plain lists of numbers."""


def mean(values):
    """Arithmetic mean; an empty list has none."""
    if not values:
        raise ValueError("mean of an empty list")
    return sum(values) / len(values)


def median(values):
    """Middle value of the sorted data, or the mean of the two middle values."""
    if not values:
        raise ValueError("median of an empty list")
    ordered = sorted(values)
    mid = len(ordered) // 2
    if len(ordered) % 2 == 1:
        return ordered[mid]
    return (ordered[mid - 1] + ordered[mid]) / 2


def value_range(values):
    """Largest minus smallest value."""
    if not values:
        raise ValueError("range of an empty list")
    return max(values) - min(values)


def moving_average(values, window):
    """Means of every run of ``window`` consecutive values."""
    if window < 1:
        raise ValueError("window must be positive")
    return [mean(values[i:i + window]) for i in range(len(values) - window + 1)]
