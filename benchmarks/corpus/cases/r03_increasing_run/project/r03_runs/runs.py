"""Runs in sequences: run-length coding and the longest increasing stretch."""


def encode(values):
    """Run-length encode a sequence into ``[value, count]`` pairs."""
    pairs = []
    for value in values:
        if pairs and pairs[-1][0] == value:
            pairs[-1][1] += 1
        else:
            pairs.append([value, 1])
    return pairs


def decode(pairs):
    """Inverse of :func:`encode`."""
    out = []
    for value, count in pairs:
        out.extend([value] * count)
    return out


def longest_increasing_run(values):
    """Length of the longest stretch of consecutive, strictly increasing values.

    Equal neighbours end a stretch: ``[1, 2, 2, 3]`` has two stretches of length 2.
    """
    if not values:
        return 0
    best = current = 1
    for i in range(1, len(values)):
        if values[i] >= values[i - 1]:
            current += 1
            best = max(best, current)
        else:
            current = 1
    return best


def increasing_runs(values):
    """Split ``values`` into its maximal strictly increasing stretches."""
    runs = []
    for value in values:
        if runs and value > runs[-1][-1]:
            runs[-1].append(value)
        else:
            runs.append([value])
    return runs
