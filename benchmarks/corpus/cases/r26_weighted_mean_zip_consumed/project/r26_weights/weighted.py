"""Weighted averages over parallel lists of values and non-negative weights."""


def weighted_mean(values, weights):
    """Sum of value * weight over the sum of the weights; ValueError when the weights sum to 0."""
    pairs = zip(values, weights)
    total_weight = sum(w for _, w in pairs)
    if total_weight == 0:
        raise ValueError("weights sum to zero")
    return sum(v * w for v, w in pairs) / total_weight


def normalise(weights):
    """weights scaled so that they sum to 1."""
    total = sum(weights)
    if total == 0:
        raise ValueError("weights sum to zero")
    return [w / total for w in weights]


def weighted_median(values, weights):
    """Smallest value at which the running weight, in value order, reaches half the total."""
    pairs = sorted(zip(values, weights))
    half = sum(w for _, w in pairs) / 2
    running = 0
    for value, weight in pairs:
        running += weight
        if running >= half:
            return value
    raise ValueError("no data")


def course_grade(scores, weights):
    """Weighted mean of the scores, rounded to one decimal."""
    return round(weighted_mean(scores, weights), 1)
