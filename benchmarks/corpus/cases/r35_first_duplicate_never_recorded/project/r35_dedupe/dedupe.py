"""Finding and removing repeats in sequences of hashable items."""


def unique_in_order(items):
    """items without repeats, each kept at its first occurrence."""
    seen = set()
    out = []
    for item in items:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


def first_duplicate(items):
    """The first item to occur for the second time, or None when nothing repeats."""
    visited = set()
    for item in items:
        if item in visited:
            return item
    return None


def duplicates(items):
    """The items occurring more than once, in the order of their second occurrence."""
    counts = {}
    out = []
    for item in items:
        counts[item] = counts.get(item, 0) + 1
        if counts[item] == 2:
            out.append(item)
    return out


def has_repeats(items):
    """True when some item occurs more than once."""
    return len(unique_in_order(items)) != len(items)
