"""Robust summary statistics of a list of numbers."""


def median(values):
    """Middle value of values (mean of the two middle ones for an even count)."""
    if not values:
        raise ValueError("median of empty data")
    ordered = values
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[mid]
    return (ordered[mid - 1] + ordered[mid]) / 2


def value_range(values):
    """(smallest, largest) of values."""
    ordered = sorted(values)
    return ordered[0], ordered[-1]


def median_absolute_deviation(values):
    """Median of the absolute distances of values to their median."""
    centre = median(values)
    return median([abs(v - centre) for v in values])


def trimmed(values, share):
    """values in ascending order without the share (0 to 0.5) smallest and largest ones."""
    cut = int(len(values) * share)
    ordered = sorted(values)
    return ordered[cut:len(ordered) - cut]
