"""Counting the ways to tile a 1 x n strip with tiles of a few lengths."""


class Tiler:
    """Counts tilings of a strip with tiles of the given positive integer lengths."""

    def __init__(self, tile_lengths):
        lengths = tuple(sorted(set(tile_lengths)))
        if any(length < 1 for length in lengths):
            raise ValueError("tile lengths must be positive")
        self.tile_lengths = lengths

    def ways(self, width):
        """Ordered tilings of a strip ``width`` long: 1 for width 0, 0 for a negative width."""
        if width == 0:
            return 1
        if width < 0:
            return 0
        return sum(self.ways(width - length) for length in self.tile_lengths)


def count_tilings(width, tile_lengths):
    """Ways to tile a ``width``-long strip with tiles of ``tile_lengths``."""
    return Tiler(tile_lengths).ways(width)


def tilings_table(limit, tile_lengths):
    """``[ways(0), ways(1), ..., ways(limit)]`` for one set of tiles."""
    tiler = Tiler(tile_lengths)
    return [tiler.ways(width) for width in range(limit + 1)]
