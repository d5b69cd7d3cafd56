"""Benchmark: tilings of a long strip with tiles of lengths 1, 2 and 3."""
from s16_tiles.tiling import count_tilings


def run():
    return count_tilings(19, [1, 2, 3])
