import pytest

from r26_weights.weighted import course_grade, normalise, weighted_mean, weighted_median


def test_weighted_mean_equal_weights():
    assert weighted_mean([2, 4, 6], [1, 1, 1]) == 4


def test_weighted_mean_uneven_weights():
    assert weighted_mean([10, 20], [3, 1]) == 12.5


def test_weighted_mean_zero_weights_raise():
    with pytest.raises(ValueError):
        weighted_mean([1, 2], [0, 0])


def test_normalise():
    assert normalise([1, 3]) == [0.25, 0.75]


def test_normalise_zero_raises():
    with pytest.raises(ValueError):
        normalise([0, 0])


def test_weighted_median():
    assert weighted_median([5, 1, 3], [1, 1, 5]) == 3


def test_weighted_median_first_half():
    assert weighted_median([1, 2, 3], [2, 1, 1]) == 1


def test_course_grade():
    assert course_grade([80, 90, 70], [0.5, 0.3, 0.2]) == 81.0
