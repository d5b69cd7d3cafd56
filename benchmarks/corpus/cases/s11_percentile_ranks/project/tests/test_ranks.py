import pytest

from s11_ranks.ranks import median, percentile_ranks, rank_counts


def test_percentile_ranks():
    assert percentile_ranks([10, 20, 30, 40], [5, 25, 40, 50]) == [0.0, 50.0, 75.0, 100.0]


def test_unsorted_scores_and_ties():
    assert percentile_ranks([3, 1, 2, 2], [2, 3]) == [25.0, 75.0]


def test_no_scores_or_queries():
    assert percentile_ranks([], [1, 2]) == [0.0, 0.0]
    assert percentile_ranks([1, 2], []) == []


def test_scores_not_modified():
    scores = [3, 1, 2]
    percentile_ranks(scores, [2])
    assert scores == [3, 1, 2]


def test_rank_counts():
    assert rank_counts([1, 2, 2, 3, 5], 2) == (1, 2, 2)
    assert rank_counts([], 2) == (0, 0, 0)


def test_median_odd_even():
    assert median([5, 1, 3]) == 3
    assert median([4, 1, 3, 2]) == 2.5


def test_median_empty():
    with pytest.raises(ValueError):
        median([])
