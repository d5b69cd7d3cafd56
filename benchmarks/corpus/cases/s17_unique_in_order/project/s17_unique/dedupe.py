"""Removing repeated items while keeping the order of first appearance."""


def unique_in_order(items):
    """The items without repeats, each at the position of its first appearance.

    Items must be hashable; equal items (``1`` and ``1.0``) count as repeats.
    """
    seen = []
    result = []
    for item in items:
        if item not in seen:
            seen.append(item)
            result.append(item)
    return result


def first_repeat(items):
    """The first item that has appeared before, or ``None`` if every item is distinct."""
    earlier = set()
    for item in items:
        if item in earlier:
            return item
        earlier.add(item)
    return None


def merge_unique(*lists):
    """The lists concatenated, then de-duplicated in order."""
    combined = []
    for items in lists:
        combined.extend(items)
    return unique_in_order(combined)
