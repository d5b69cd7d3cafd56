import pytest

from s06_scale.scaling import clamp, min_max_scale, to_percentages


def test_unit_range():
    assert min_max_scale([2, 4, 6]) == [0.0, 0.5, 1.0]


def test_custom_range_and_negatives():
    assert min_max_scale([-10, 0, 10], -1.0, 1.0) == [-1.0, 0.0, 1.0]


def test_order_kept():
    assert min_max_scale([3, 1, 2]) == [1.0, 0.0, 0.5]


def test_empty_and_constant():
    assert min_max_scale([]) == []
    assert min_max_scale([5, 5, 5], 2.0, 3.0) == [2.0, 2.0, 2.0]


def test_single_value():
    assert min_max_scale([42]) == [0.0]


def test_clamp():
    assert clamp(5, 0, 3) == 3
    assert clamp(-1, 0, 3) == 0
    assert clamp(2, 0, 3) == 2


def test_percentages():
    assert to_percentages([1, 1, 2]) == [25.0, 25.0, 50.0]
    assert to_percentages([0, 0]) == [0.0, 0.0]
    assert sum(to_percentages([1, 2, 3, 4])) == pytest.approx(100.0)
