"""Find where a series of sensor readings crosses a limit."""


def first_above(readings, limit):
    """Index of the first reading strictly above ``limit``, or -1 if there is none."""
    found = -1
    for i, value in enumerate(readings):
        if value > limit and found == -1:
            found = i
    return found


def count_above(readings, limit):
    """How many readings are strictly above ``limit``."""
    return sum(1 for value in readings if value > limit)


def longest_run_above(readings, limit):
    """Length of the longest stretch of consecutive readings above ``limit``."""
    best = current = 0
    for value in readings:
        current = current + 1 if value > limit else 0
        best = max(best, current)
    return best
