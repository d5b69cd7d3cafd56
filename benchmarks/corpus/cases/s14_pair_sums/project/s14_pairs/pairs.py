"""Questions about pairs of integers in a list that add up to a target."""


def count_pairs_with_sum(values, target):
    """How many index pairs ``i < j`` have ``values[i] + values[j] == target`` (integers)."""
    count = 0
    for i in range(len(values)):
        for j in range(i + 1, len(values)):
            if values[i] + values[j] == target:
                count += 1
    return count


def has_pair_with_sum(values, target):
    """Is there at least one such pair?"""
    return count_pairs_with_sum(values, target) > 0


def complements(values, target):
    """``{value: target - value}`` for each distinct value, in first-seen order."""
    return {v: target - v for v in values}
