import pytest

from s16_tiles.tiling import Tiler, count_tilings, tilings_table


def test_dominoes_give_fibonacci():
    assert tilings_table(8, [1, 2]) == [1, 1, 2, 3, 5, 8, 13, 21, 34]


def test_three_lengths():
    assert count_tilings(4, [1, 2, 3]) == 7


def test_empty_and_negative_width():
    assert count_tilings(0, [2]) == 1
    assert count_tilings(-3, [1]) == 0


def test_impossible_width():
    assert count_tilings(5, [2, 4]) == 0


def test_duplicate_lengths_count_once():
    assert count_tilings(4, [2, 2, 1]) == count_tilings(4, [1, 2])


def test_no_tiles():
    assert count_tilings(3, []) == 0
    assert count_tilings(0, []) == 1


def test_bad_lengths():
    with pytest.raises(ValueError):
        Tiler([1, 0])
    with pytest.raises(ValueError):
        count_tilings(3, [-2])


def test_tiler_reused():
    tiler = Tiler([3, 1])
    assert tiler.tile_lengths == (1, 3)
    assert [tiler.ways(w) for w in range(6)] == [1, 1, 1, 2, 3, 4]
