"""Is a sequence in order, and where does the order break?"""


def is_sorted(values, reverse=False):
    """Are ``values`` in non-decreasing order (non-increasing with ``reverse``)?"""
    in_order = True
    for i in range(1, len(values)):
        before, after = values[i - 1], values[i]
        if (after > before) if reverse else (after < before):
            in_order = False
    return in_order


def first_descent(values):
    """The first index ``i`` with ``values[i] < values[i - 1]``, or ``None``."""
    for i in range(1, len(values)):
        if values[i] < values[i - 1]:
            return i
    return None


def sorted_batches(batches):
    """How many of the lists in ``batches`` are already sorted ascending."""
    return sum(1 for batch in batches if is_sorted(batch))
