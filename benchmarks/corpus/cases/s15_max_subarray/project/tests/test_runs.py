import pytest

from s15_subarray.runs import max_subarray_sum, min_subarray_sum, prefix_sums


def test_mixed():
    assert max_subarray_sum([-2, 1, -3, 4, -1, 2, 1, -5, 4]) == 6


def test_all_negative_takes_the_largest_element():
    assert max_subarray_sum([-3, -1, -2]) == -1


def test_all_positive_takes_everything():
    assert max_subarray_sum([1, 2, 3]) == 6


def test_single_and_zeros():
    assert max_subarray_sum([7]) == 7
    assert max_subarray_sum([0, 0]) == 0


def test_empty_is_an_error():
    with pytest.raises(ValueError):
        max_subarray_sum([])
    with pytest.raises(ValueError):
        min_subarray_sum([])


def test_min_subarray_sum():
    assert min_subarray_sum([3, -4, 2, -5, 6]) == -7
    assert min_subarray_sum([2, 3]) == 2


def test_prefix_sums():
    assert prefix_sums([1, -2, 3]) == [0, 1, -1, 2]
    assert prefix_sums([]) == [0]
