import pytest

from r13_percentile.ranks import interquartile_range, percentile, quartiles, rank


def test_rank():
    assert rank(25, 8) == 2
    assert rank(30, 10) == 3
    assert rank(0.5, 10) == 1
    assert rank(100, 7) == 7


def test_rank_out_of_range():
    with pytest.raises(ValueError):
        rank(0, 10)


def test_percentile_single_value():
    assert percentile([42], 50) == 42


def test_percentile_maximum():
    assert percentile([5, 1, 9, 3], 100) == 9


def test_percentile_five_values():
    data = [44, 12, 57, 31, 18]
    assert [percentile(data, p) for p in (5, 30, 40, 50, 100)] == [12, 18, 18, 31, 57]


def test_quartiles():
    assert quartiles([7, 1, 3, 8, 2, 6, 4, 5]) == (2, 4, 6)


def test_interquartile_range():
    assert interquartile_range(list(range(1, 101))) == 50


def test_percentile_empty():
    with pytest.raises(ValueError):
        percentile([], 50)
