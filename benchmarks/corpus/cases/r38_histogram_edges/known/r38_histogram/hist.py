"""Histograms with equal-width bins over a closed range [lo, hi]."""


def bin_edges(lo, hi, bins):
    """The bins + 1 boundaries that cut [lo, hi] into equal widths."""
    width = (hi - lo) / bins
    return [lo + i * width for i in range(bins + 1)]


def bin_index(value, lo, hi, bins):
    """Bin of value (hi itself belongs to the last bin), or None outside [lo, hi]."""
    if value < lo or value > hi:
        return None
    width = (hi - lo) / bins
    return min(int((value - lo) / width), bins - 1)


def histogram(values, lo, hi, bins):
    """Count of values per bin; values outside [lo, hi] are left out."""
    counts = [0] * bins
    for value in values:
        index = bin_index(value, lo, hi, bins)
        if index is not None:
            counts[index] += 1
    return counts


def fullest_bin(values, lo, hi, bins):
    """(left edge, right edge) of the bin with the most values, the lowest one on ties."""
    counts = histogram(values, lo, hi, bins)
    best = counts.index(max(counts))
    edges = bin_edges(lo, hi, bins)
    return edges[best], edges[best + 1]
