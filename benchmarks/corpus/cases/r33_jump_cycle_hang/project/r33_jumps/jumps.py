"""Walks over a list of jump offsets: from index i the walk moves on to i + jumps[i]."""


def path(jumps, start):
    """Indices visited from start until the walk leaves the list or comes back to an index."""
    seen = set()
    order = []
    i = start
    while 0 <= i < len(jumps):
        if i in seen:
            break
        seen.add(i)
        order.append(i)
        i += jumps[i]
    return order


def steps_to_exit(jumps, start):
    """Number of jumps that take the walk from start out of the list, or -1 when it cycles."""
    seen = set()
    steps = 0
    i = start
    while 0 <= i < len(jumps):
        seen.add(i)
        i += jumps[i]
        steps += 1
    return steps


def exits(jumps):
    """Start indices from which the walk leaves the list."""
    return [s for s in range(len(jumps)) if steps_to_exit(jumps, s) != -1]


def loop_entry(jumps, start):
    """First index the walk from start visits twice, or None when the walk leaves the list."""
    order = path(jumps, start)
    if not order:
        return None
    i = order[-1] + jumps[order[-1]]
    return i if 0 <= i < len(jumps) else None
